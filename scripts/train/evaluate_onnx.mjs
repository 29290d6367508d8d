// Evaluates an exported model directory the way the extension runs it: tokenizer.json through the npm
// `tokenizers` package and onnx/model.onnx through onnxruntime-node. Called by train.py.
// Usage: node evaluate_onnx.mjs <model dir> <examples.json>, where examples.json holds
// {maxLength, texts, labels, ids (the Python tokenizer's ids), logits (PyTorch's)}. Prints a JSON report.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const ort = require('onnxruntime-node');
const { Tokenizer } = require('tokenizers');

const [modelDir, examplesFile] = process.argv.slice(2);
const examples = JSON.parse(readFileSync(examplesFile, 'utf8'));
const tokenizer = Tokenizer.fromFile(join(modelDir, 'tokenizer.json'));
tokenizer.setTruncation(examples.maxLength);
const session = await ort.InferenceSession.create(join(modelDir, 'onnx', 'model.onnx'), { intraOpNumThreads: 1 });

const encodings = await Promise.all(examples.texts.map((text) => tokenizer.encode(text)));
const ids = encodings.map((e) => e.getIds());
const idMismatches = [];
ids.forEach((row, i) => {
  if (row.join(' ') !== examples.ids[i].join(' ')) idMismatches.push({ index: i, text: examples.texts[i], node: row, python: examples.ids[i] });
});

const numLabels = examples.logits[0].length;
const predictions = new Array(ids.length);
let maxLogitDiff = 0;
const order = ids.map((_, i) => i).sort((a, b) => ids[a].length - ids[b].length);
for (let start = 0; start < order.length; start += 64) {
  const batch = order.slice(start, start + 64);
  const width = Math.max(...batch.map((i) => ids[i].length));
  const inputIds = new BigInt64Array(batch.length * width);
  const mask = new BigInt64Array(batch.length * width);
  batch.forEach((row, b) => ids[row].forEach((id, t) => { inputIds[b * width + t] = BigInt(id); mask[b * width + t] = 1n; }));
  const { logits } = await session.run({
    input_ids: new ort.Tensor('int64', inputIds, [batch.length, width]),
    attention_mask: new ort.Tensor('int64', mask, [batch.length, width]),
  });
  batch.forEach((row, b) => {
    const scores = Array.from(logits.data.slice(b * numLabels, (b + 1) * numLabels));
    scores.forEach((s, k) => { maxLogitDiff = Math.max(maxLogitDiff, Math.abs(s - examples.logits[row][k])); });
    predictions[row] = scores.indexOf(Math.max(...scores));
  });
}

let correct = 0;
const f1s = [];
for (let k = 0; k < numLabels; k++) {
  let tp = 0, fp = 0, fn = 0;
  predictions.forEach((p, i) => {
    const y = examples.labels[i];
    if (p === k && y === k) tp++; else if (p === k) fp++; else if (y === k) fn++;
  });
  f1s.push(tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn));
}
predictions.forEach((p, i) => { if (p === examples.labels[i]) correct++; });
console.log(JSON.stringify({
  rows: predictions.length,
  accuracy: correct / predictions.length,
  macroF1: f1s.reduce((a, b) => a + b, 0) / numLabels,
  maxLogitDiff,
  idMismatches: idMismatches.length,
  firstIdMismatches: idMismatches.slice(0, 3),
}));
