// Part of scripts/face-golden.sh: face-api's own descriptors for lockerctl's face chips.
// Usage: node face-golden.cjs FACES.jsonl SHARED_DATA   (FACES.jsonl: `lockerctl face check --json --chips`)
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const tf = require('@tensorflow/tfjs');
const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
const { PNG } = require('pngjs');

// The synthetic chip; test_face_embedder.cpp builds the same one.
function syntheticChip() {
  const px = new Uint8Array(150 * 150 * 3);
  for (let y = 0; y < 150; y++) for (let x = 0; x < 150; x++) for (let c = 0; c < 3; c++) {
    px[(y * 150 + x) * 3 + c] = (x * 3 + y * 5 + c * 71 + ((x * y) % 13) * 9) % 256;
  }
  return px;
}

function pngRgb(file) {
  const png = PNG.sync.read(fs.readFileSync(file));
  const px = new Uint8Array(png.width * png.height * 3);
  for (let i = 0; i < png.width * png.height; i++) for (let c = 0; c < 3; c++) px[i * 3 + c] = png.data[i * 4 + c];
  return px;
}

(async () => {
  const [facesFile, shared] = process.argv.slice(2);
  tf.setBackend('cpu');
  await tf.ready();
  const model = path.dirname(require.resolve('@vladmandic/face-api/package.json')) + '/model/';
  const manifest = JSON.parse(fs.readFileSync(model + 'face_recognition_model-weights_manifest.json'));
  const bin = fs.readFileSync(model + 'face_recognition_model.bin');
  const weights = faceapi.tf.io.decodeWeights(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength), manifest[0].weights);
  faceapi.nets.faceRecognitionNet.loadFromWeightMap(weights);

  const chips = [{ image: 'synthetic', pixels: syntheticChip() }];
  for (const line of fs.readFileSync(facesFile, 'utf8').split('\n').filter(Boolean)) {
    const entry = JSON.parse(line);
    const face = entry.faces[0];
    chips.push({ image: path.relative(shared, entry.image), landmarks: face.landmarks, pixels: pngRgb(face.chip) });
  }
  const out = [];
  for (const chip of chips) {
    const input = faceapi.tf.tensor3d(chip.pixels, [150, 150, 3], 'int32');
    const descriptor = await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(input);
    input.dispose();
    const item = { image: chip.image };
    if (chip.landmarks) item.landmarks = chip.landmarks;
    item.chip_sha256 = crypto.createHash('sha256').update(chip.pixels).digest('hex');
    item.descriptor = Array.from(descriptor);
    out.push(item);
  }
  const doc = {
    generator: 'scripts/face-golden.sh',
    face_api: '@vladmandic/face-api 1.7.15', tfjs: tf.version_core, backend: faceapi.tf.getBackend(),
    chips: out,
  };
  process.stdout.write(JSON.stringify(doc, null, 1) + '\n');
})().catch((e) => { console.error(e); process.exit(1); });
