// Where the engine's time goes at real model sizes: the engine through its worker against onnxruntime
// alone on the same sentences, in the same run, interleaved round by round. onnxruntime alone runs in
// child processes that load the session once and then take one pass per message: one process with
// intra-op threads (what the engine does for a large model) and one single-thread process per thread
// (what lanes do). Also one-sentence latency, the worker's cold start (wall clock and its CPU seconds, which a busy machine
// distorts less) and peak RSS. Prints JSON lines; not the bench table (scripts/bench/sizes* owns that).
// The engine runs three ways: as configured by default, forced onto lanes, forced onto intra-op threads.
// Usage: node scripts/bench/engine-large.mjs [model dir] [sentences] [rounds]
//   (default .cache/size-models/bert-base, 300, 3; run `npm run build` first)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { loadClientModule, log, paddedBatches, median, now, percentile, procCpuSeconds, repoRoot, sst2Sentences, sst2TrainFile, workerScript } from './common.mjs';

const require = createRequire(import.meta.url);
const BATCH = 32;
const self = fileURLToPath(import.meta.url);

/** Child mode: `--bare <model dir> <sentences.json> <threads> <part> <parts>`; answers {ms} to each 'pass'. */
async function bareChild([modelDir, sentencesFile, threads, part, parts]) {
  const ort = require('onnxruntime-node');
  const { Tokenizer } = require('tokenizers');
  const sentences = JSON.parse(fs.readFileSync(sentencesFile, 'utf8'));
  const tokenizer = Tokenizer.fromFile(path.join(modelDir, 'tokenizer.json'));
  const encoded = [];
  for (const sentence of sentences) encoded.push((await tokenizer.encode(sentence)).getIds());
  encoded.sort((a, b) => a.length - b.length);
  const onnxFile = [path.join(modelDir, 'onnx', 'model.onnx'), path.join(modelDir, 'model.onnx')].find((file) => fs.existsSync(file));
  const session = await ort.InferenceSession.create(onnxFile, {
    intraOpNumThreads: Number(threads),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    extra: { session: { 'intra_op.allow_spinning': '0' } },
  });
  const batches = paddedBatches(ort, session, encoded, BATCH, { part: Number(part), parts: Number(parts) });
  const pass = async () => {
    const start = now();
    for (const feeds of batches) await session.run(feeds);
    return now() - start;
  };
  await pass(); // warm-up: buffers for each shape
  process.on('message', async (message) => {
    if (message === 'pass') process.send({ ms: await pass(), rssMb: process.memoryUsage().rss / 2 ** 20, peakRssMb: process.resourceUsage().maxRSS / 1024 });
    else process.exit(0);
  });
  process.send({ ready: true });
}

/** `parts` bare processes (each `threads` intra-op threads, each its share of the batches), ready for passes. */
async function openBare(modelDir, sentencesFile, threads, parts) {
  const children = Array.from({ length: parts }, (_, part) => fork(self, ['--bare', modelDir, sentencesFile, String(threads), String(part), String(parts)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  const reply = (child) => new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`bare onnxruntime process exited (${code})`)));
  });
  await Promise.all(children.map(reply));
  return {
    /** One pass over all sentences, the processes at once: sentences/s, and the processes' RSS summed. */
    async pass(count) {
      const start = now();
      const replies = await Promise.all(children.map((child) => {
        const answer = reply(child);
        child.send('pass');
        return answer;
      }));
      return { perSecond: count / ((now() - start) / 1000), rssMb: replies.reduce((sum, r) => sum + r.rssMb, 0), peakRssMb: replies.reduce((sum, r) => sum + r.peakRssMb, 0) };
    },
    close: () => children.forEach((child) => child.send('exit')),
  };
}

async function main() {
  const [modelArg, countArg, roundsArg] = process.argv.slice(2);
  const modelDir = path.resolve(modelArg ?? path.join(repoRoot, '.cache', 'size-models', 'bert-base'));
  const count = Number(countArg ?? 300);
  const rounds = Number(roundsArg ?? 3);
  if (!fs.existsSync(workerScript)) throw new Error(`${workerScript} is missing: run "npm run build" first`);
  if (!fs.existsSync(sst2TrainFile)) {
    log(`skipped: ${sst2TrainFile} not found (set TEXTCLF_DATASETS)`);
    return;
  }
  const sentences = sst2Sentences(sst2TrainFile).slice(0, count);
  const sentencesFile = path.join(fs.mkdtempSync(path.join(repoRoot, '.cache', 'engine-large-')), 'sentences.json');
  fs.writeFileSync(sentencesFile, JSON.stringify(sentences));
  const { ClassifierClient } = await loadClientModule('textclf-engine-large-');
  const options = { batchSize: BATCH, cacheSize: 0, preferQuantized: false };

  // Cold start: fork to first result, and the worker's CPU seconds until then.
  const cold = [];
  for (let i = 0; i < 2; i++) {
    const start = now();
    const fresh = new ClassifierClient({ workerScript });
    await fresh.loadModel(modelDir, options);
    await fresh.classify(['a first sentence']);
    const status = await fresh.status();
    cold.push({ ms: now() - start, workerCpuS: procCpuSeconds(status.pid), peakRssMb: status.peakRssBytes / 2 ** 20 });
    await fresh.dispose();
  }
  log(`cold start: ${JSON.stringify(cold.map((c) => ({ ms: Math.round(c.ms), cpuS: c.workerCpuS, peakRssMb: Math.round(c.peakRssMb) })))}`);

  // The engine as configured by default, and forced onto the other of lanes / intra-op threads.
  const engines = {};
  for (const [name, lanes] of [['engine', undefined], ['engineLanes', true], ['engineIntraOp', false]]) {
    const client = new ClassifierClient({ workerScript });
    await client.loadModel(modelDir, { ...options, lanes });
    await client.classify(sentences); // warm-up
    engines[name] = client;
  }
  const { threads } = await engines.engine.status();
  const bare = { intraOp: await openBare(modelDir, sentencesFile, threads, 1), processes: await openBare(modelDir, sentencesFile, 1, threads) };
  const rates = { engine: [], engineLanes: [], engineIntraOp: [], intraOp: [], processes: [] };
  const cpuMsPerSentence = {};
  let bareRss = {};
  for (let round = 0; round < rounds; round++) {
    for (const [name, client] of Object.entries(engines)) {
      const { pid } = await client.status();
      const cpuBefore = procCpuSeconds(pid);
      const start = now();
      await client.classify(sentences);
      rates[name].push(count / ((now() - start) / 1000));
      (cpuMsPerSentence[name] ??= []).push(((procCpuSeconds(pid) - cpuBefore) * 1000) / count);
    }
    for (const [name, b] of Object.entries(bare)) {
      const pass = await b.pass(count);
      rates[name].push(pass.perSecond);
      bareRss[name] = Math.round(pass.peakRssMb);
    }
    log(`round ${round + 1}/${rounds}: ${Object.entries(rates).map(([name, r]) => `${name} ${r.at(-1).toFixed(1)}/s`).join(', ')}`);
  }
  for (const b of Object.values(bare)) b.close();
  // One-sentence latency of each engine, interleaved pass by pass (distinct sentences, cache off).
  const latencies = {};
  for (let pass = 0; pass < 3; pass++) {
    for (const [name, client] of Object.entries(engines)) {
      for (const sentence of sentences.slice(pass * 20, pass * 20 + 20)) {
        const start = now();
        await client.classify([sentence]);
        (latencies[name] ??= []).push(now() - start);
      }
    }
  }
  const latencyMs = Object.fromEntries(Object.entries(latencies).map(([name, ms]) => [name, { p50: Math.round(percentile(ms, 50)), p95: Math.round(percentile(ms, 95)) }]));
  log(`one-sentence latency (ms): ${JSON.stringify(latencyMs)}`);
  const peakRssMb = {};
  for (const [name, client] of Object.entries(engines)) {
    peakRssMb[name] = Math.round((await client.status()).peakRssBytes / 2 ** 20);
    await client.dispose();
  }
  fs.rmSync(path.dirname(sentencesFile), { recursive: true, force: true });
  const medians = Object.fromEntries(Object.entries(rates).map(([name, r]) => [name, median(r)]));
  const share = (name, of) => median(rates[name].map((rate, i) => rate / rates[of][i]));
  console.log(JSON.stringify({
    model: path.relative(repoRoot, modelDir), sentences: count, rounds, threads, loadAverage: (await import('node:os')).loadavg()[0],
    perSecond: medians, cpuMsPerSentence: Object.fromEntries(Object.entries(cpuMsPerSentence).map(([name, v]) => [name, median(v)])),
    share: { engineOfIntraOp: share('engine', 'intraOp'), engineOfProcesses: share('engine', 'processes'), lanesOfIntraOpEngine: share('engineLanes', 'engineIntraOp'), engineIntraOpOfIntraOp: share('engineIntraOp', 'intraOp'), engineLanesOfProcesses: share('engineLanes', 'processes') },
    latencyMs, coldStart: cold, workerPeakRssMb: peakRssMb, bareProcessesPeakRssMb: bareRss,
  }));
  process.exit(0);
}

if (process.argv[2] === '--bare') await bareChild(process.argv.slice(3));
else await main();
