// onnxruntime alone, kept running between rounds (bare.mjs forks it): the texts it is given are tokenized
// up front (untimed), sorted by length and cut into batches of 32; then every "run" message is one timed pass over all the batches, answered with the seconds it
// took. Messages: {texts, onnxFile, tokenizerFile, threads} -> {ready}; {run: true} -> {seconds}.
import { createRequire } from 'node:module';
import { paddedBatches } from '../common.mjs';

const require = createRequire(import.meta.url);
const ort = require('onnxruntime-node');
const { Tokenizer } = require('tokenizers');

const BATCH = 32;
let session;
let batches;

async function prepare({ texts, onnxFile, tokenizerFile, threads }) {
  const tokenizer = Tokenizer.fromFile(tokenizerFile);
  const encoded = [];
  for (const text of texts) encoded.push((await tokenizer.encode(text)).getIds());
  encoded.sort((a, b) => a.length - b.length);
  session = await ort.InferenceSession.create(onnxFile, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    // The engine's setting (src/engine/session.ts), so the gap to the engine is the engine's own layers.
    extra: { session: { 'intra_op.allow_spinning': '0' } },
  });
  batches = paddedBatches(ort, session, encoded, BATCH);
}

async function run() {
  const start = process.hrtime.bigint();
  for (const feeds of batches) await session.run(feeds);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

process.on('message', async (message) => {
  try {
    if (message.run) process.send({ seconds: await run() });
    else {
      await prepare(message);
      process.send({ ready: true });
    }
  } catch (error) {
    process.send({ error: String(error?.stack ?? error) });
  }
});
