// Part of scripts/face-api-pipeline.sh: face-api's own pipeline on every photo of a folder (any
// depth): SSD MobileNet v1 detection, 68 landmarks, its aligned box crop, the 128-d descriptor.
// Prints one JSON object per photo and line: {"file": NAME, "descriptor": [...] or null}.
// Usage: node face-api-pipeline.cjs FOLDER
const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');
const wasm = require('@tensorflow/tfjs-backend-wasm');
const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
const jpeg = require('jpeg-js');

function photos(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name)).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? photos(p) : /\.jpe?g$/i.test(e.name) ? [p] : [];
  });
}

(async () => {
  const model = path.dirname(require.resolve('@vladmandic/face-api/package.json')) + '/model/';
  wasm.setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + '/');
  await tf.setBackend('wasm');
  await tf.ready();
  for (const net of [faceapi.nets.ssdMobilenetv1, faceapi.nets.faceLandmark68Net, faceapi.nets.faceRecognitionNet]) {
    await net.loadFromDisk(model);
  }
  const options = new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 });
  for (const file of photos(process.argv[2])) {
    const img = jpeg.decode(fs.readFileSync(file), { useTArray: true, formatAsRGBA: false });
    const input = faceapi.tf.tensor3d(img.data, [img.height, img.width, 3], 'int32');
    const found = await faceapi.detectSingleFace(input, options).withFaceLandmarks().withFaceDescriptor();
    input.dispose();
    process.stdout.write(JSON.stringify({ file: path.basename(file), descriptor: found ? Array.from(found.descriptor) : null }) + '\n');
  }
})().catch((e) => { console.error(e); process.exit(1); });
