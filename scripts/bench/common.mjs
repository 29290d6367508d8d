// What the benchmark scripts share: repository paths, the datasets folder, SST-2 sentences, the
// seeded random order, timing helpers, CPU time from /proc, bundling TypeScript sources for Node and
// writing results under bench/.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const workerScript = path.join(repoRoot, 'dist', 'worker.js');
export const datasetsDir = path.resolve(process.env.TEXTCLF_DATASETS ?? path.join(repoRoot, '..', 'shared', 'datasets'));
export const sst2TrainFile = path.join(datasetsDir, 'sst2', 'train.tsv');

export const log = (line) => process.stderr.write(`${line}\n`);
export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
export const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))];
export const now = () => Number(process.hrtime.bigint()) / 1e6;

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU seconds a process has used (user + system, all its threads), from /proc/<pid>/stat; throws where there is no /proc. */
export function procCpuSeconds(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/** mulberry32: a small seeded generator, so a seeded order is the same on every run and machine. */
export function seededRandom(seed) {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The sentence column of every row of an SST-2 TSV file (header skipped), in file order. */
export function sst2Sentences(file) {
  return fs.readFileSync(file, 'utf8').split(/\r?\n/).slice(1).filter((line) => line.includes('\t')).map((line) => line.split('\t')[0]);
}

export const BENCH_SENTENCES = 2000;
export const BENCH_SEED = 20260529;

/** Seeded sample of `count` train.tsv sentences: the same on every run and machine (a smaller count is a prefix). */
export function benchSentences(count = BENCH_SENTENCES) {
  const sentences = sst2Sentences(sst2TrainFile);
  const random = seededRandom(BENCH_SEED);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (sentences.length - i));
    [sentences[i], sentences[j]] = [sentences[j], sentences[i]];
  }
  return sentences.slice(0, count);
}

/** FLOPs of one sequence of `tokens` tokens through a BERT encoder (a multiply-add counts 2). */
export function flopsPerSequence(config, tokens) {
  const h = config.hidden_size;
  const ffn = config.intermediate_size;
  const layers = config.num_hidden_layers;
  const labels = Object.keys(config.id2label).length;
  const perLayer = tokens * (4 * h * h + 2 * h * ffn) + 2 * tokens * tokens * h; // projections, FFN, QK^T and AV
  return 2 * (layers * perLayer + h * h + h * labels); // + pooler and classifier on [CLS]
}

/** Bundles a TypeScript entry (native modules external) into a CommonJS file and requires it. */
export async function requireBundled(entryPoint, outfile, logLevel = 'warning') {
  await esbuild.build({ entryPoints: [entryPoint], bundle: true, platform: 'node', format: 'cjs', outfile, external: ['onnxruntime-node', 'tokenizers'], logLevel });
  return require(outfile);
}

/** The worker client (TypeScript), bundled into a temporary folder whose name starts with `prefix`. */
export function loadClientModule(prefix) {
  const outfile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), prefix)), 'client.cjs');
  return requireBundled(path.join(repoRoot, 'src', 'classifier', 'client.ts'), outfile);
}

/** Writes `results` as bench/<fileName> (pretty JSON). */
export function writeResults(fileName, results) {
  fs.mkdirSync(path.join(repoRoot, 'bench'), { recursive: true });
  fs.writeFileSync(path.join(repoRoot, 'bench', fileName), `${JSON.stringify(results, null, 2)}\n`);
}

/**
 * onnxruntime feeds for token-id rows, `batch` rows each, padded to the longest row (BERT inputs: ids,
 * mask, segment zeros), for the inputs the session declares. `part`/`parts`: every parts-th batch from
 * the part-th, so that several processes share one list.
 */
export function paddedBatches(ort, session, encoded, batch, { part = 0, parts = 1 } = {}) {
  const batches = [];
  for (let i = part * batch; i < encoded.length; i += parts * batch) {
    const rows = encoded.slice(i, i + batch);
    const width = Math.max(...rows.map((ids) => ids.length));
    const values = { input_ids: new BigInt64Array(rows.length * width), attention_mask: new BigInt64Array(rows.length * width), token_type_ids: new BigInt64Array(rows.length * width) };
    rows.forEach((ids, r) => ids.forEach((id, c) => {
      values.input_ids[r * width + c] = BigInt(id);
      values.attention_mask[r * width + c] = 1n;
    }));
    batches.push(Object.fromEntries(session.inputNames.map((name) => [name, new ort.Tensor('int64', values[name], [rows.length, width])])));
  }
  return batches;
}
