// Benchmark of `textclf serve`: /v1/classify with 32 concurrent clients sending one sentence each,
// with and without dynamic batching, against the engine's own batch throughput (the worker client,
// one classify call) on the same sentences. Each measurement gets a fresh server process and fresh
// SST-2 train sentences (seeded), so no result cache helps. Reports requests/s and the latency
// percentiles; writes bench/serve-results.json and prints a table.
// Targets: throughput with batching >= 70 % of the engine's batch throughput; p95 < 50 ms.
// Run after `npm run build` (needs dist/); the machine may be busy: numbers are medians of rounds.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const require = createRequire(import.meta.url);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const modelDir = path.join(repoRoot, 'models', 'sentiment-sst2');
const cli = path.join(repoRoot, 'bin', 'textclf.js');
const datasetsDir = path.resolve(process.env.TEXTCLF_DATASETS ?? path.join(repoRoot, '..', 'shared', 'datasets'));
const trainFile = path.join(datasetsDir, 'sst2', 'train.tsv');

const CLIENTS = 32;
const REQUESTS = Number(process.env.BENCH_SERVE_REQUESTS ?? 3000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SEED = 20261129;
const TARGETS = { throughputFraction: 0.7, p95Ms: 50 };
const MODES = [
  { key: 'batching', label: 'serve, dynamic batching', args: [] },
  { key: 'noBatching', label: 'serve, no batching', args: ['--no-batching'] },
];

const log = (line) => process.stderr.write(`${line}\n`);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const now = () => Number(process.hrtime.bigint()) / 1e6;

/** Distinct train sentences in a seeded (mulberry32) order: a fresh slice for every measurement. */
function shuffledSentences() {
  const seen = new Set();
  const lines = [];
  for (const line of fs.readFileSync(trainFile, 'utf8').split(/\r?\n/).slice(1)) {
    const sentence = line.split('\t')[0]?.trim();
    if (line.includes('\t') && sentence && !seen.has(sentence)) {
      seen.add(sentence);
      lines.push(sentence);
    }
  }
  let state = SEED;
  const random = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = lines.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [lines[i], lines[j]] = [lines[j], lines[i]];
  }
  return lines;
}

async function loadClientModule() {
  const outfile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-bench-serve-')), 'client.cjs');
  await esbuild.build({
    entryPoints: [path.join(repoRoot, 'src', 'classifier', 'client.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile,
    external: ['onnxruntime-node', 'tokenizers'],
    logLevel: 'warning',
  });
  return require(outfile);
}

/** The engine's batch throughput: all sentences in one classify call through the worker. */
async function engineThroughput(ClassifierClient, sentences) {
  const client = new ClassifierClient({ workerScript: path.join(repoRoot, 'dist', 'worker.js') });
  try {
    await client.loadModel(modelDir, { cacheSize: 0 });
    await client.classify(sentences.slice(0, 64)); // warm up
    const started = now();
    await client.classify(sentences);
    return sentences.length / ((now() - started) / 1000);
  } finally {
    await client.dispose();
  }
}

async function startServe(args) {
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--model', modelDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      out += chunk;
      const line = out.split('\n').find((candidate) => candidate.startsWith('http://'));
      if (line) resolve(line.trim());
    });
    child.once('exit', (code) => reject(new Error(`textclf serve exited with ${code}: ${stderr}`)));
  });
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

function classify(url, agent, sentence) {
  const body = JSON.stringify({ inputs: [sentence] });
  return new Promise((resolve, reject) => {
    const req = http.request(new URL('/v1/classify', url), { method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}: ${Buffer.concat(chunks)}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** CLIENTS loops, each sending one sentence per request and waiting for the answer. */
async function serveLoad(mode, sentences) {
  const server = await startServe(mode.args);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  try {
    await Promise.all(Array.from({ length: CLIENTS }, (_, i) => classify(server.url, agent, `warm up ${i}`)));
    const latencies = [];
    let next = 0;
    const started = now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (next < sentences.length) {
          const sentence = sentences[next++];
          const sent = now();
          await classify(server.url, agent, sentence);
          latencies.push(now() - sent);
        }
      }),
    );
    const seconds = (now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    return { throughput: sentences.length / seconds, p50Ms: percentile(latencies, 50), p95Ms: percentile(latencies, 95), p99Ms: percentile(latencies, 99) };
  } finally {
    agent.destroy();
    await server.stop();
  }
}

async function main() {
  if (!fs.existsSync(path.join(repoRoot, 'dist', 'cli.js'))) throw new Error('dist/ is missing: run "npm run build" first');
  if (!fs.existsSync(trainFile)) throw new Error(`${trainFile} not found; set TEXTCLF_DATASETS to the datasets folder`);
  const { ClassifierClient } = await loadClientModule();
  const pool = shuffledSentences();
  const needed = ROUNDS * (MODES.length + 1) * REQUESTS;
  if (pool.length < needed) throw new Error(`need ${needed} distinct sentences, ${trainFile} has ${pool.length}`);
  let offset = 0;
  const take = () => pool.slice(offset, (offset += REQUESTS));
  const loadAverage = os.loadavg();
  const runs = { engine: [], batching: [], noBatching: [] };
  for (let round = 1; round <= ROUNDS; round++) {
    // Each mode on its own fresh sentences; the engine baseline on the same ones as the batching run.
    const sentences = take();
    runs.engine.push(await engineThroughput(ClassifierClient, sentences));
    runs.batching.push(await serveLoad(MODES[0], sentences));
    runs.noBatching.push(await serveLoad(MODES[1], take()));
    log(`round ${round}/${ROUNDS}: engine ${runs.engine.at(-1).toFixed(0)}/s, batching ${runs.batching.at(-1).throughput.toFixed(0)}/s (p95 ${runs.batching.at(-1).p95Ms.toFixed(1)} ms), no batching ${runs.noBatching.at(-1).throughput.toFixed(0)}/s (p95 ${runs.noBatching.at(-1).p95Ms.toFixed(1)} ms)`);
  }
  const summarize = (list) => Object.fromEntries(Object.keys(list[0]).map((key) => [key, median(list.map((entry) => entry[key]))]));
  const engine = median(runs.engine);
  const batching = summarize(runs.batching);
  const noBatching = summarize(runs.noBatching);
  const results = {
    date: new Date().toISOString(),
    machine: { cpu: os.cpus()[0]?.model, logicalCpus: os.cpus().length, loadAverage },
    model: path.relative(repoRoot, modelDir),
    clients: CLIENTS,
    requestsPerRun: REQUESTS,
    rounds: ROUNDS,
    engineBatchThroughput: engine,
    batching: { ...batching, fractionOfEngine: batching.throughput / engine },
    noBatching: { ...noBatching, fractionOfEngine: noBatching.throughput / engine },
    targets: TARGETS,
    met: { throughput: batching.throughput / engine >= TARGETS.throughputFraction, p95: batching.p95Ms < TARGETS.p95Ms },
    runs,
  };
  fs.mkdirSync(path.join(repoRoot, 'bench'), { recursive: true });
  fs.writeFileSync(path.join(repoRoot, 'bench', 'serve-results.json'), `${JSON.stringify(results, null, 2)}\n`);

  const rows = [
    ['engine batch (one call, worker)', `${engine.toFixed(0)}`, '100 %', '', '', ''],
    ...[['serve, dynamic batching', batching], ['serve, no batching', noBatching]].map(([label, r]) => [
      label,
      r.throughput.toFixed(0),
      `${((100 * r.throughput) / engine).toFixed(0)} %`,
      r.p50Ms.toFixed(1),
      r.p95Ms.toFixed(1),
      r.p99Ms.toFixed(1),
    ]),
  ];
  const header = ['', 'sentences/s', 'of engine', 'p50 ms', 'p95 ms', 'p99 ms'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
  console.log(`\n/v1/classify, ${CLIENTS} concurrent clients, one sentence per request, ${REQUESTS} requests per run`);
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  console.log(
    `\ntargets: throughput >= ${TARGETS.throughputFraction * 100} % of the engine: ${results.met.throughput ? 'met' : 'NOT met'}; ` +
      `p95 < ${TARGETS.p95Ms} ms: ${results.met.p95 ? 'met' : 'NOT met'}`,
  );
  console.log(`${ROUNDS} rounds, medians; load average at start ${loadAverage.map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs. Results: bench/serve-results.json`);
}

main().catch((error) => {
  log(error.stack ?? String(error));
  process.exit(1);
});
