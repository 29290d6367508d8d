// onnxruntime alone, kept running between rounds (bare.mjs forks it): the texts it is given are tokenized
// up front (untimed), sorted by length and cut into batches of 32; then every "run" message is one timed pass over all the batches, answered with the seconds it
// took. Messages: {texts, onnxFile, tokenizerFile, threads} -> {ready}; {run: true} -> {seconds}.
import { createRequire } from 'node:module';

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
  batches = [];
  for (let i = 0; i < encoded.length; i += BATCH) {
    const rows = encoded.slice(i, i + BATCH);
    const width = Math.max(...rows.map((ids) => ids.length));
    const values = { input_ids: new BigInt64Array(rows.length * width), attention_mask: new BigInt64Array(rows.length * width), token_type_ids: new BigInt64Array(rows.length * width) };
    rows.forEach((ids, r) => ids.forEach((id, c) => {
      values.input_ids[r * width + c] = BigInt(id);
      values.attention_mask[r * width + c] = 1n;
    }));
    batches.push(Object.fromEntries(session.inputNames.map((name) => [name, new ort.Tensor('int64', values[name], [rows.length, width])])));
  }
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
