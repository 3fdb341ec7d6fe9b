// Part of scripts/pad-candidates.sh: scores human's two presentation-attack models and the
// shipped MiniFASNet pair (the `liveness` of `lockerctl face check --json`) on the same faces.
// Usage: node pad-candidates.cjs FACES.jsonl MODEL_DIR TUNING_SOURCES
const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');
const jpeg = require('jpeg-js');
const { PNG } = require('pngjs');

function decode(file) {
  const data = fs.readFileSync(file);
  const img = /\.png$/i.test(file) ? PNG.sync.read(data) : jpeg.decode(data, { useTArray: true });
  const rgb = new Float32Array(img.width * img.height * 3);
  for (let i = 0; i < img.width * img.height; i++) for (let c = 0; c < 3; c++) rgb[i * 3 + c] = img.data[i * 4 + c] / 255;
  return tf.tensor4d(rgb, [1, img.height, img.width, 3]);
}

// The square of 1.5 times the box's longer side around its centre, as a normalized crop box
// (parts outside the image read as black).
function cropBox([x, y, w, h], width, height) {
  const side = 1.5 * Math.max(w, h), cx = x + w / 2, cy = y + h / 2;
  return [(cy - side / 2) / height, (cx - side / 2) / width, (cy + side / 2) / height, (cx + side / 2) / width];
}

async function loadModel(dir, name) {
  const spec = JSON.parse(fs.readFileSync(path.join(dir, name + '.json')));
  const bin = fs.readFileSync(path.join(dir, name + '.bin'));
  return tf.loadGraphModel({ load: async () => ({
    modelTopology: spec.modelTopology, format: spec.format, signature: spec.signature,
    weightSpecs: spec.weightsManifest.flatMap((group) => group.weights),
    weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) }) });
}

function auc(real, attack) {
  let wins = 0;
  for (const r of real) for (const a of attack) wins += r > a ? 1 : r === a ? 0.5 : 0;
  return wins / (real.length * attack.length);
}
const scoresOf = (rows, attack) => rows.filter((r) => r.attack === attack).map((r) => r.score);
const aucOf = (rows) => auc(scoresOf(rows, false), scoresOf(rows, true));
const pct = (n, d) => (100 * n / d).toFixed(1) + '%';
function rates(rows, threshold) {
  const attacks = scoresOf(rows, true), reals = scoresOf(rows, false);
  return { apcer: pct(attacks.filter((s) => s >= threshold).length, attacks.length),
           bpcer: pct(reals.filter((s) => s < threshold).length, reals.length) };
}
function summary(rows) {
  const { apcer, bpcer } = rates(rows, 0.5);
  return `AUC ${aucOf(rows).toFixed(3)}, at 0.5 APCER ${apcer} BPCER ${bpcer}`;
}

(async () => {
  const [facesFile, modelDir, tuningList] = process.argv.slice(2);
  const tuning = new Set(tuningList.split(','));
  tf.setBackend('cpu');
  await tf.ready();
  const models = { antispoof: await loadModel(modelDir, 'antispoof'), liveness: await loadModel(modelDir, 'liveness') };
  const faces = [];
  for (const line of fs.readFileSync(facesFile, 'utf8').split('\n').filter(Boolean)) {
    const entry = JSON.parse(line);
    if (!entry.faces.length) continue;
    const face = entry.faces.reduce((a, b) => (a.box[2] * a.box[3] >= b.box[2] * b.box[3] ? a : b));
    const image = decode(entry.image);
    const scores = { minifasnet: face.liveness };
    for (const [name, model] of Object.entries(models)) {
      const side = model.inputs[0].shape[1];
      const crop = tf.image.cropAndResize(image, [cropBox(face.box, entry.width, entry.height)], [0], [side, side]);
      const out = model.execute(crop);
      scores[name] = (await out.data())[0];
      tf.dispose([crop, out]);
    }
    image.dispose();
    faces.push({ attack: entry.image.split(path.sep).includes('attack'), source: path.basename(entry.image).split('_')[0], scores });
  }
  const tuned = faces.filter((f) => tuning.has(f.source)), held = faces.filter((f) => !tuning.has(f.source));
  console.log(`${faces.length} faces: tuning sources ${[...tuning].join(',')} (${tuned.length}), held out (${held.length})`);
  for (const name of ['minifasnet', 'antispoof', 'liveness']) {
    const rowsOf = (set) => set.map((f) => ({ attack: f.attack, score: f.scores[name] }));
    const flip = aucOf(rowsOf(tuned)) < 0.5;
    const oriented = (set) => rowsOf(set).map((r) => ({ attack: r.attack, score: flip ? 1 - r.score : r.score }));
    const tuneRows = oriented(tuned), heldRows = oriented(held);
    // The lowest threshold that lets at most 1% of the tuning attacks through.
    const attackScores = scoresOf(tuneRows, true).sort((a, b) => b - a);
    const threshold = attackScores[Math.floor(0.01 * attackScores.length)] + 1e-9;
    console.log(`${name}${flip ? ' (1 - score)' : ''}`);
    console.log(`  tuning:   ${summary(tuneRows)}`);
    console.log(`  held out: ${summary(heldRows)}`);
    const t = rates(tuneRows, threshold), h = rates(heldRows, threshold);
    console.log(`  APCER <= 1% on tuning at ${threshold.toFixed(3)}: tuning BPCER ${t.bpcer}; held out APCER ${h.apcer} BPCER ${h.bpcer}`);
  }
})();
