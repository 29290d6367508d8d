// This CPU's ceiling as onnxruntime sees it: GFLOP/s of a [512,1024] x [1024,1024] MatMul.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const ort = require('onnxruntime-node');
const { matmulModel } = require('./onnx-graph.cjs');

const M = 512;
const K = 1024;
const N = 1024;

/** Median and best GFLOP/s over `runs` timed runs (after warm-up) with `threads` intra-op threads. */
export async function gemmRate(threads, runs = 15) {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-gemm-')), 'matmul.onnx');
  fs.writeFileSync(file, matmulModel(M, K, N));
  const session = await ort.InferenceSession.create(file, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  const input = new Float32Array(M * K);
  for (let i = 0; i < input.length; i++) input[i] = ((i * 31) % 97) / 97 - 0.5;
  const feeds = { A: new ort.Tensor('float32', input, [M, K]) };
  for (let i = 0; i < 3; i++) await session.run(feeds);
  const rates = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await session.run(feeds);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    rates.push((2 * M * K * N) / seconds / 1e9);
  }
  await session.release();
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  rates.sort((a, b) => a - b);
  return { threads, shape: `[${M},${K}]x[${K},${N}]`, medianGflops: rates[Math.floor(rates.length / 2)], bestGflops: rates.at(-1) };
}
