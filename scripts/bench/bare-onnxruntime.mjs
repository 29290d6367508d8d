// The floor under the engine's compute efficiency: onnxruntime alone on the same sentences, with
// everything else taken away. Tokenized up front (untimed), sorted by length, in batches of 32, one
// single-thread session per process; run.mjs starts one process per lane at once, as the engine runs
// one session per lane. Prints {"perSecond", "tokens"} as JSON.
// Usage: node bare-onnxruntime.mjs <sentences.json> <model dir>
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { paddedBatches } from './common.mjs';

const require = createRequire(import.meta.url);
const ort = require('onnxruntime-node');
const { Tokenizer } = require('tokenizers');

const BATCH = 32;
const WARM_UP_PASSES = 3;
const TIMED_PASSES = 8;

const [sentencesFile, modelDir] = process.argv.slice(2);
const sentences = JSON.parse(fs.readFileSync(sentencesFile, 'utf8'));
const tokenizer = Tokenizer.fromFile(path.join(modelDir, 'tokenizer.json'));
const encoded = [];
for (const sentence of sentences) encoded.push((await tokenizer.encode(sentence)).getIds());
encoded.sort((a, b) => a.length - b.length);

const onnxFile = fs.existsSync(path.join(modelDir, 'onnx', 'model.onnx')) ? path.join(modelDir, 'onnx', 'model.onnx') : path.join(modelDir, 'model.onnx');
const session = await ort.InferenceSession.create(onnxFile, {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
});
const batches = paddedBatches(ort, session, encoded, BATCH);

for (let pass = 0; pass < WARM_UP_PASSES; pass++) for (const feeds of batches) await session.run(feeds);
const start = process.hrtime.bigint();
for (let pass = 0; pass < TIMED_PASSES; pass++) for (const feeds of batches) await session.run(feeds);
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
process.stdout.write(JSON.stringify({ perSecond: (TIMED_PASSES * sentences.length) / seconds, tokens: encoded.reduce((sum, ids) => sum + ids.length, 0) }));
