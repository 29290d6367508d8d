// Benchmark of `textclf serve`: /v1/classify with 32 concurrent clients sending one sentence each,
// with and without dynamic batching, against the engine's own batch throughput (the worker client,
// one classify call) on the same sentences. Each measurement gets a fresh server process and fresh
// SST-2 train sentences (seeded), so no result cache helps; each process first warms up on other
// sentences, as many for the engine as for a server. Reports requests/s (also paired by round), the
// latency percentiles, CPU per sentence, and the floor: the CPU that the engine in calls of the
// batcher's size, a bare node:http server and the load generator need per sentence, which bounds what
// any server could reach on this machine. Writes bench/serve-results.json and prints a table.
// Targets: throughput with batching >= 70 % of the engine's batch throughput; p95 < 50 ms.
// The clients are a lean load generator (like wrk): one keep-alive socket each, each request's bytes
// written at once and the answer read by its Content-Length, so on a 2-core machine they take as
// little CPU from the server as possible. Every answer is checked for status 200.
// Run after `npm run build` (needs dist/); the machine may be busy: numbers are medians of rounds.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadClientModule, log, median, now, percentile, procCpuSeconds, repoRoot, requireBundled, seededRandom, sst2Sentences, sst2TrainFile as trainFile, workerScript, writeResults } from './common.mjs';

// BENCH_SERVE_MODEL: another model directory (the per-request cost of HTTP weighs less on a bigger model).
const modelDir = path.resolve(process.env.BENCH_SERVE_MODEL ?? path.join(repoRoot, 'models', 'sentiment-sst2'));
const cli = path.join(repoRoot, 'bin', 'textclf.js');

const CLIENTS = 32;
const REQUESTS = Number(process.env.BENCH_SERVE_REQUESTS ?? 5000);
// Sentences each process sees before the timed part (other ones than the timed): a server answers in
// steady state, with its code compiled and the runtime's buffers sized, and so does the engine.
const WARM_UP = Number(process.env.BENCH_SERVE_WARM_UP ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SEED = 20261129;
const TARGETS = { throughputFraction: 0.7, p95Ms: 50 };
const MODES = [
  { key: 'batching', label: 'serve, dynamic batching', args: [] },
  { key: 'noBatching', label: 'serve, no batching', args: ['--no-batching'] },
];

/** CPU seconds a process and its live children (the worker) have used so far (Linux /proc; 0 elsewhere). */
function cpuSeconds(pid) {
  const own = (id) => {
    try {
      return procCpuSeconds(id);
    } catch {
      return 0;
    }
  };
  let children = [];
  try {
    children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // not Linux
  }
  return own(pid) + children.reduce((sum, child) => sum + own(child), 0);
}

/** Distinct train sentences in a seeded order: a fresh slice for every measurement. */
function shuffledSentences() {
  const sentences = [...new Set(sst2Sentences(trainFile).map((sentence) => sentence.trim()).filter(Boolean))];
  const random = seededRandom(SEED);
  for (let i = sentences.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [sentences[i], sentences[j]] = [sentences[j], sentences[i]];
  }
  return sentences;
}

/** The engine's batch throughput: all sentences in one classify call through the worker. */
async function engineThroughput(ClassifierClient, sentences, warmUp) {
  const client = new ClassifierClient({ workerScript });
  try {
    await client.loadModel(modelDir, { cacheSize: 0 });
    await client.classify(warmUp);
    const cpuBefore = cpuSeconds(client.pid);
    const started = now();
    await client.classify(sentences);
    return { throughput: sentences.length / ((now() - started) / 1000), cpuMsPerSentence: (1000 * (cpuSeconds(client.pid) - cpuBefore)) / sentences.length };
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
    pid: child.pid,
    stderr: () => stderr,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

/** One keep-alive connection sending POST /v1/classify requests one at a time. */
async function connect(url) {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  socket.setNoDelay(true);
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let buffered = Buffer.alloc(0);
  let waiting;
  socket.on('data', (chunk) => {
    buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
    const headerEnd = buffered.indexOf('\r\n\r\n');
    if (headerEnd < 0 || !waiting) return;
    const head = buffered.subarray(0, headerEnd).toString('latin1');
    const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
    if (buffered.length < headerEnd + 4 + length) return;
    const status = Number(head.slice(9, 12));
    const body = buffered.subarray(headerEnd + 4, headerEnd + 4 + length);
    buffered = buffered.subarray(headerEnd + 4 + length);
    const { resolve, reject } = waiting;
    waiting = undefined;
    if (status === 200) resolve();
    else reject(new Error(`HTTP ${status}: ${body}`));
  });
  socket.on('error', (error) => waiting?.reject(error));
  return {
    classify(sentence) {
      const body = JSON.stringify({ inputs: [sentence] });
      return new Promise((resolve, reject) => {
        waiting = { resolve, reject };
        // Head and body in one write, as wrk sends them: one segment, one read on the server.
        socket.write(`POST /v1/classify HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      });
    },
    close: () => socket.destroy(),
  };
}

/** The clients send the sentences, one per request, each waiting for its answer; the latencies. */
async function drive(clients, sentences) {
  const latencies = [];
  let next = 0;
  await Promise.all(
    clients.map(async (client) => {
      while (next < sentences.length) {
        const sentence = sentences[next++];
        const sent = now();
        await client.classify(sentence);
        latencies.push(now() - sent);
      }
    }),
  );
  return latencies;
}

/** CLIENTS connections, each sending one sentence per request and waiting for the answer. */
async function serveLoad(mode, sentences, warmUp) {
  const server = await startServe(mode.args);
  const clients = await Promise.all(Array.from({ length: CLIENTS }, () => connect(server.url)));
  let measured;
  try {
    await drive(clients, warmUp);
    const serverCpuBefore = cpuSeconds(server.pid);
    const clientCpuBefore = process.cpuUsage();
    const started = now();
    const latencies = await drive(clients, sentences);
    const seconds = (now() - started) / 1000;
    const clientCpu = process.cpuUsage(clientCpuBefore);
    measured = {
      throughput: sentences.length / seconds,
      p50Ms: percentile(latencies, 50),
      p95Ms: percentile(latencies, 95),
      p99Ms: percentile(latencies, 99),
      // CPU per request of the server and its worker, and of the load generator: what a busy machine cannot hide.
      cpuMsPerSentence: (1000 * (cpuSeconds(server.pid) - serverCpuBefore)) / sentences.length,
      clientCpuMsPerSentence: (clientCpu.user + clientCpu.system) / 1000 / sentences.length,
    };
  } finally {
    for (const client of clients) client.close();
    await server.stop();
  }
  return { ...measured, rowsPerCall: rowsPerCall(server) };
}

/** Rows per engine call of a stopped server, from its shutdown summary (warm-up included). */
function rowsPerCall(server) {
  return Number(/classify requests in \d+ engine calls \(mean ([\d.]+) rows per call\)/.exec(server.stderr())?.[1] ?? NaN);
}

// The floor: what no server can save. HTTP alone is a bare node:http server that parses each body
// and answers a fixed classification (same clients, same sentences); the engine alone runs the
// sentences through a served model's worker (serve's engine options) in calls as large as the
// dynamic batcher made them. Their CPU per sentence plus the load generator's, with every core busy,
// bounds the throughput of /v1/classify on this machine.
const BARE_HTTP_SERVER = `
const http = require('node:http');
const answer = JSON.stringify([[{ label: 'negative', score: 0.6364480257034302 }, { label: 'positive', score: 0.3635519742965698 }]]);
const server = http.createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    JSON.parse(Buffer.concat(chunks).toString('utf8'));
    response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(answer) });
    response.end(answer);
  });
});
server.keepAliveTimeout = 65000;
server.listen(0, '127.0.0.1', () => console.log('http://127.0.0.1:' + server.address().port));
process.on('SIGTERM', () => process.exit(0));
`;

async function bareHttpCpu(sentences, warmUp) {
  const child = spawn(process.execPath, ['-e', BARE_HTTP_SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').once('data', (line) => resolve(line.trim()));
    child.once('exit', (code) => reject(new Error(`the bare HTTP server exited with ${code}`)));
  });
  const clients = await Promise.all(Array.from({ length: CLIENTS }, () => connect(url)));
  try {
    await drive(clients, warmUp);
    const cpuBefore = cpuSeconds(child.pid);
    const started = now();
    await drive(clients, sentences);
    return { throughput: sentences.length / ((now() - started) / 1000), cpuMsPerSentence: (1000 * (cpuSeconds(child.pid) - cpuBefore)) / sentences.length };
  } finally {
    for (const client of clients) client.close();
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
  }
}

async function engineInServedCallsCpu(serveModule, sentences, warmUp, callSize) {
  const model = await serveModule.loadWorkerModel(modelDir, { engine: serveModule.servedEngineOptions(), workerScript, log: () => {} });
  const classifyInCalls = async (texts) => {
    for (let from = 0; from < texts.length; from += callSize) await model.classify(texts.slice(from, from + callSize));
  };
  try {
    await classifyInCalls(warmUp);
    const cpuBefore = cpuSeconds(model.pid);
    await classifyInCalls(sentences);
    return { cpuMsPerSentence: (1000 * (cpuSeconds(model.pid) - cpuBefore)) / sentences.length };
  } finally {
    await model.dispose();
  }
}

/** serve's worker model and engine options (TypeScript), bundled under out/ (where node_modules resolves). */
async function loadServeModule() {
  const dir = fs.mkdtempSync(path.join(repoRoot, 'out', 'bench-serve-'));
  try {
    const entry = path.join(dir, 'entry.ts');
    const source = (file) => JSON.stringify(path.join(repoRoot, 'src', 'serve', file));
    fs.writeFileSync(entry, `export { loadWorkerModel } from ${source('workerModel')};\nexport { servedEngineOptions } from ${source('server')};\n`);
    return await requireBundled(entry, path.join(dir, 'serve.cjs'), 'error');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Each round's serve throughput over its engine throughput: median, lowest, highest. */
function pairedFractions(serveRuns, engineRuns) {
  const fractions = serveRuns.map((run, round) => run.throughput / engineRuns[round].throughput);
  return { median: median(fractions), min: Math.min(...fractions), max: Math.max(...fractions) };
}

async function main() {
  if (!fs.existsSync(path.join(repoRoot, 'dist', 'cli.js'))) throw new Error('dist/ is missing: run "npm run build" first');
  if (!fs.existsSync(trainFile)) throw new Error(`${trainFile} not found; set TEXTCLF_DATASETS to the datasets folder`);
  const { ClassifierClient } = await loadClientModule('textclf-bench-serve-');
  const serveModule = await loadServeModule();
  const pool = shuffledSentences();
  const needed = ROUNDS * (MODES.length + 1) * (REQUESTS + WARM_UP);
  if (pool.length < needed) throw new Error(`need ${needed} distinct sentences, ${trainFile} has ${pool.length}`);
  let offset = 0;
  const take = (count = REQUESTS) => pool.slice(offset, (offset += count));
  const loadAverage = os.loadavg();
  const runs = { engine: [], batching: [], noBatching: [], floor: [] };
  const cores = os.cpus().length;
  for (let round = 1; round <= ROUNDS; round++) {
    // Each mode on its own fresh sentences; the engine baseline on the same ones as the batching run.
    const sentences = take();
    runs.engine.push(await engineThroughput(ClassifierClient, sentences, take(WARM_UP)));
    const warmUp = take(WARM_UP);
    const batchingRun = await serveLoad(MODES[0], sentences, warmUp);
    runs.batching.push(batchingRun);
    // The floor on the same sentences (each in a fresh process, so no cache helps).
    const callSize = Math.max(1, Math.round(batchingRun.rowsPerCall));
    const http = await bareHttpCpu(sentences, warmUp);
    const engineInCalls = await engineInServedCallsCpu(serveModule, sentences, warmUp, callSize);
    const floorCpuMs = engineInCalls.cpuMsPerSentence + http.cpuMsPerSentence + batchingRun.clientCpuMsPerSentence;
    runs.floor.push({
      callSize,
      engineInCallsCpuMsPerSentence: engineInCalls.cpuMsPerSentence,
      bareHttpCpuMsPerRequest: http.cpuMsPerSentence,
      bareHttpThroughput: http.throughput,
      clientCpuMsPerRequest: batchingRun.clientCpuMsPerSentence,
      cpuMsPerSentence: floorCpuMs,
      ceilingThroughput: (cores * 1000) / floorCpuMs,
    });
    runs.noBatching.push(await serveLoad(MODES[1], take(), take(WARM_UP)));
    log(`round ${round}/${ROUNDS}: engine ${runs.engine.at(-1).throughput.toFixed(0)}/s, batching ${runs.batching.at(-1).throughput.toFixed(0)}/s (p95 ${runs.batching.at(-1).p95Ms.toFixed(1)} ms), no batching ${runs.noBatching.at(-1).throughput.toFixed(0)}/s (p95 ${runs.noBatching.at(-1).p95Ms.toFixed(1)} ms)`);
  }
  const summarize = (list) => Object.fromEntries(Object.keys(list[0]).map((key) => [key, median(list.map((entry) => entry[key]))]));
  const engineSummary = summarize(runs.engine);
  const engine = engineSummary.throughput;
  const batching = summarize(runs.batching);
  const noBatching = summarize(runs.noBatching);
  const floor = summarize(runs.floor);
  const results = {
    date: new Date().toISOString(),
    machine: { cpu: os.cpus()[0]?.model, logicalCpus: os.cpus().length, loadAverage },
    model: path.relative(repoRoot, modelDir) || modelDir,
    clients: CLIENTS,
    requestsPerRun: REQUESTS,
    warmUpSentences: WARM_UP,
    rounds: ROUNDS,
    engineBatchThroughput: engine,
    engineCpuMsPerSentence: engineSummary.cpuMsPerSentence,
    // Also paired by round (the engine run and the serve run next to each other in time), with the
    // range: on a machine shared with other work a single run can move the median a long way.
    batching: { ...batching, fractionOfEngine: batching.throughput / engine, pairedFractions: pairedFractions(runs.batching, runs.engine) },
    noBatching: { ...noBatching, fractionOfEngine: noBatching.throughput / engine },
    // Sentences per CPU-second of serve at its floor, as a fraction of the engine's: unlike wall-clock
    // rates, this does not move with the machine's other load.
    floor: { ...floor, perCpuFractionOfEngine: engineSummary.cpuMsPerSentence / floor.cpuMsPerSentence },
    targets: TARGETS,
    met: { throughput: batching.throughput / engine >= TARGETS.throughputFraction, p95: batching.p95Ms < TARGETS.p95Ms },
    runs,
  };
  writeResults('serve-results.json', results);

  const rows = [
    ['engine batch (one call, worker)', `${engine.toFixed(0)}`, '100 %', '', '', '', engineSummary.cpuMsPerSentence.toFixed(3), ''],
    ...[['serve, dynamic batching', batching], ['serve, no batching', noBatching]].map(([label, r]) => [
      label,
      r.throughput.toFixed(0),
      `${((100 * r.throughput) / engine).toFixed(0)} %`,
      r.p50Ms.toFixed(1),
      r.p95Ms.toFixed(1),
      r.p99Ms.toFixed(1),
      r.cpuMsPerSentence.toFixed(3),
      r.clientCpuMsPerSentence.toFixed(3),
    ]),
  ];
  const header = ['', 'sentences/s', 'of engine', 'p50 ms', 'p95 ms', 'p99 ms', 'CPU ms/sent.', 'client CPU ms'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
  console.log(`\n/v1/classify, ${CLIENTS} concurrent clients, one sentence per request, ${REQUESTS} requests per run`);
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  const paired = results.batching.pairedFractions;
  console.log(`dynamic batching paired by round: median ${(100 * paired.median).toFixed(0)} % of the engine (rounds ${(100 * paired.min).toFixed(0)}-${(100 * paired.max).toFixed(0)} %)`);
  console.log(
    `\ntargets: throughput >= ${TARGETS.throughputFraction * 100} % of the engine: ${results.met.throughput ? 'met' : 'NOT met'}; ` +
      `p95 < ${TARGETS.p95Ms} ms: ${results.met.p95 ? 'met' : 'NOT met'}`,
  );
  console.log(
    `floor: the engine alone in calls of ${floor.callSize} texts (as the batcher made them, serve's engine options) ${floor.engineInCallsCpuMsPerSentence.toFixed(3)} ms CPU per sentence, ` +
      `a bare node:http server ${floor.bareHttpCpuMsPerRequest.toFixed(3)} ms per request (${floor.bareHttpThroughput.toFixed(0)}/s), the load generator ${floor.clientCpuMsPerRequest.toFixed(3)} ms: ` +
      `with all ${cores} CPUs busy at most ${floor.ceilingThroughput.toFixed(0)}/s; per CPU-second at most ${((100 * engineSummary.cpuMsPerSentence) / floor.cpuMsPerSentence).toFixed(0)} % of the engine's sentences`,
  );
  console.log(`${ROUNDS} rounds, medians; load average at start ${loadAverage.map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs. Results: bench/serve-results.json`);
}

main().catch((error) => {
  log(error.stack ?? String(error));
  process.exit(1);
});
