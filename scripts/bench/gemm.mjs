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
export const GEMM_SHAPE = `[${M},${K}]x[${K},${N}]`;

/**
 * A MatMul session with `threads` intra-op threads, idle threads spinning or not (whichever is
 * faster depends on how busy the machine is, so the benchmark measures both and keeps the better).
 */
export async function openGemm(threads, spinning) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-gemm-'));
  const file = path.join(dir, 'matmul.onnx');
  fs.writeFileSync(file, matmulModel(M, K, N));
  const session = await ort.InferenceSession.create(file, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    extra: { session: { 'intra_op.allow_spinning': spinning ? '1' : '0' } },
  });
  fs.rmSync(dir, { recursive: true, force: true });
  const input = new Float32Array(M * K);
  for (let i = 0; i < input.length; i++) input[i] = ((i * 31) % 97) / 97 - 0.5;
  const feeds = { A: new ort.Tensor('float32', input, [M, K]) };
  for (let i = 0; i < 3; i++) await session.run(feeds);
  return {
    threads,
    spinning,
    /** GFLOP/s of each of `runs` timed runs. */
    async measure(runs) {
      const rates = [];
      for (let i = 0; i < runs; i++) {
        const start = process.hrtime.bigint();
        await session.run(feeds);
        rates.push((2 * M * K * N) / (Number(process.hrtime.bigint() - start) / 1e9) / 1e9);
      }
      return rates;
    },
    release: () => session.release(),
  };
}
