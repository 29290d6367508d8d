// `npm run bench`: this engine, end to end through the worker client, against Transformers.js on the
// same model folder and the same 2,000 SST-2 train sentences (fixed seed), interleaved A/B/A/B, each
// at its best batch size; plus one-sentence latency, cold start, worker peak RSS and the fraction of
// this CPU's onnxruntime GEMM rate the engine reaches. Writes bench/results.json, prints a table.
// The machine may be busy: every number is a median over rounds, and the table says so.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { GEMM_SHAPE, openGemm } from './gemm.mjs';
import { BENCH_SEED, benchSentences as sampleSentences, flopsPerSequence, loadClientModule, log, median, now, percentile, repoRoot, sst2TrainFile as trainFile, workerScript, writeResults } from './common.mjs';

const require = createRequire(import.meta.url);
// BENCH_MODEL_DIR: another directory of the same model (e.g. a re-export from scripts/train/reexport.py).
const modelDir = path.resolve(process.env.BENCH_MODEL_DIR ?? path.join(repoRoot, 'models', 'sentiment-sst2'));

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 11);
const OUR_BATCH_SIZES = [8, 16, 32, 64];
const THEIR_BATCH_SIZES = [1, 4, 8, 16];
const CALIBRATION_PASSES = 3;
const LATENCY_CALLS = 500;
const LATENCY_PASSES = 5;
// Before each throughput measurement: onnxruntime's intra-op threads (Transformers.js's sessions, the
// GEMM probe) keep spinning for a while after a run, and would take CPU from whatever is measured next.
const SETTLE_MS = 100;
const TARGETS = { speedup: 2.5, gemmFraction: 0.6, coldStartMs: 1000, peakRssMb: 300, p95Ms: 5 };

async function transformersPipeline(sessionOptions) {
  const { pipeline, env } = require('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.localModelPath = path.dirname(modelDir);
  return pipeline('text-classification', path.basename(modelDir), { dtype: 'fp32', session_options: sessionOptions });
}

const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

async function theirsPerSecond(classifier, sentences, batchSize) {
  await settle();
  const start = now();
  const results = [];
  for (let i = 0; i < sentences.length; i += batchSize) {
    const batch = sentences.slice(i, i + batchSize);
    const output = await classifier(batch, { top_k: null });
    results.push(...(batch.length === 1 && !Array.isArray(output[0]) ? [output] : output));
  }
  return { perSecond: sentences.length / ((now() - start) / 1000), results };
}

async function oursPerSecond(client, sentences) {
  await settle();
  const start = now();
  const results = await client.classify(sentences);
  return { perSecond: sentences.length / ((now() - start) / 1000), results };
}

/**
 * The floor: onnxruntime alone on the same sentences (bare-onnxruntime.mjs), one single-thread process per
 * lane, all at once, as the engine runs its lanes. Their sentences/s summed.
 */
async function bareOnnxruntime(sentences, processes) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-bare-'));
  const file = path.join(dir, 'sentences.json');
  fs.writeFileSync(file, JSON.stringify(sentences));
  try {
    await settle();
    const script = path.join(repoRoot, 'scripts', 'bench', 'bare-onnxruntime.mjs');
    const runs = await Promise.all(Array.from({ length: processes }, () => promisify(execFile)(process.execPath, [script, file, modelDir])));
    const rates = runs.map(({ stdout }) => JSON.parse(stdout).perSecond);
    return { processes, perSecond: rates.reduce((a, b) => a + b, 0), perProcess: rates };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const engineOptions = (batchSize) => ({ batchSize, cacheSize: 0, preferQuantized: false });

/**
 * Loads the model with this batch size and runs the sentences once untimed: a new engine's first pass
 * (onnxruntime growing its buffers for each new shape, the lanes' code not yet optimised) measured
 * 20-30 % slower than the next. Transformers.js's pipelines are loaded once and warm from calibration on;
 * cold start is measured on its own.
 */
async function loadWarm(client, batchSize, sentences) {
  await client.loadModel(modelDir, engineOptions(batchSize));
  await client.classify(sentences);
}

async function main() {
  if (!fs.existsSync(workerScript)) throw new Error(`${workerScript} is missing: run "npm run build" first`);
  const { ClassifierClient } = await loadClientModule('textclf-bench-');
  const config = JSON.parse(fs.readFileSync(path.join(modelDir, 'config.json'), 'utf8'));
  const results = { date: new Date().toISOString(), machine: { cpu: os.cpus()[0]?.model, logicalCpus: os.cpus().length, loadAverage: os.loadavg() }, model: modelDir, rounds: ROUNDS };

  // Cold start: a fresh worker from fork to the first result (model load and warm-up included).
  const coldStarts = [];
  for (let i = 0; i < 3; i++) {
    const start = now();
    const fresh = new ClassifierClient({ workerScript });
    await fresh.loadModel(modelDir, engineOptions(32));
    await fresh.classify(['a first sentence']);
    coldStarts.push(now() - start);
    await fresh.dispose();
  }
  results.coldStartMs = { median: median(coldStarts), all: coldStarts };
  log(`cold start: ${coldStarts.map((ms) => ms.toFixed(0)).join(', ')} ms`);

  const client = new ClassifierClient({ workerScript, log: (line) => (/restart|error/i.test(line) ? log(`client: ${line}`) : undefined) });
  await client.loadModel(modelDir, engineOptions(32));
  const status = await client.status();
  results.engine = { executionProvider: status.executionProvider, threads: status.threads, onnxFile: status.model.onnxFile };

  // One-sentence latency in several passes of distinct sentences (the cache is off anyway); the
  // median of the passes' percentiles, so one burst of load elsewhere does not decide the number.
  const latencySentences = fs.existsSync(trainFile) ? sampleSentences().slice(0, LATENCY_CALLS) : Array.from({ length: LATENCY_CALLS }, (_, i) => `a short test sentence number ${i}`);
  for (const sentence of latencySentences.slice(0, 20)) await client.classify([sentence]); // warm-up
  const passes = [];
  for (let pass = 0; pass < LATENCY_PASSES; pass++) {
    const latencies = [];
    for (const sentence of latencySentences.slice((pass * LATENCY_CALLS) / LATENCY_PASSES, ((pass + 1) * LATENCY_CALLS) / LATENCY_PASSES)) {
      const start = now();
      await client.classify([sentence]);
      latencies.push(now() - start);
    }
    passes.push({ p50: percentile(latencies, 50), p95: percentile(latencies, 95) });
  }
  results.latencyMs = { p50: median(passes.map((p) => p.p50)), p95: median(passes.map((p) => p.p95)), passes, callsPerPass: LATENCY_CALLS / LATENCY_PASSES };
  log(`one-sentence latency: p50 ${results.latencyMs.p50.toFixed(2)} ms, p95 ${results.latencyMs.p95.toFixed(2)} ms (median of ${LATENCY_PASSES} passes; p95 per pass ${passes.map((p) => p.p95.toFixed(2)).join(', ')})`);

  // The GEMM ceiling, spinning and sleeping threads alike (the better counts), sampled again in
  // every throughput round so that it sees the same machine load as the engine.
  const threads = status.threads;
  const gemms = [await openGemm(threads, true), await openGemm(threads, false), await openGemm(1, true), await openGemm(1, false)];
  const gemmRates = new Map(gemms.map((g) => [g, []]));
  const sampleGemm = async (runs) => {
    for (const g of gemms) gemmRates.get(g).push(...(await g.measure(runs)));
  };
  await sampleGemm(10);

  if (!fs.existsSync(trainFile)) {
    log(`skipped throughput, agreement and compute efficiency: ${trainFile} not found (set TEXTCLF_DATASETS)`);
    results.skipped = `dataset ${trainFile} not found`;
  } else {
    const sentences = sampleSentences();
    const theirConfigs = {
      defaults: await transformersPipeline({}),
      // The engine's own session settings, in case they suit Transformers.js better on this machine.
      'engine session options': await transformersPipeline({ intraOpNumThreads: threads, interOpNumThreads: 1, extra: { session: { 'intra_op.allow_spinning': '0' } } }),
    };

    // Best batch size (and session options) of each: every candidate measured in each of several
    // interleaved passes; the median counts.
    const ourCalibration = Object.fromEntries(OUR_BATCH_SIZES.map((batchSize) => [batchSize, []]));
    const theirCalibration = {};
    for (let pass = 0; pass < CALIBRATION_PASSES; pass++) {
      for (const batchSize of OUR_BATCH_SIZES) {
        await loadWarm(client, batchSize, sentences);
        ourCalibration[batchSize].push((await oursPerSecond(client, sentences)).perSecond);
      }
      for (const [name, pipeline] of Object.entries(theirConfigs)) {
        for (const batchSize of THEIR_BATCH_SIZES) {
          (theirCalibration[`${batchSize}, ${name}`] ??= []).push((await theirsPerSecond(pipeline, sentences, batchSize)).perSecond);
        }
      }
    }
    for (const calibration of [ourCalibration, theirCalibration]) {
      for (const key of Object.keys(calibration)) calibration[key] = median(calibration[key]);
    }
    const best = (calibration, filter = () => true) => Object.entries(calibration).filter(([key]) => filter(key)).sort((a, b) => b[1] - a[1])[0][0];
    const ourBatch = Number(best(ourCalibration));
    // Transformers.js as it comes (the target's baseline) and with the engine's session options (stricter).
    const theirBest = Object.fromEntries(Object.keys(theirConfigs).map((name) => [name, Number(best(theirCalibration, (key) => key.endsWith(`, ${name}`)).split(', ')[0])]));
    log(`calibration (sentences/s) ours ${JSON.stringify(round(ourCalibration))} -> batch ${ourBatch}`);
    log(`calibration (sentences/s) Transformers.js ${JSON.stringify(round(theirCalibration))} -> ${JSON.stringify(theirBest)}`);
    await loadWarm(client, ourBatch, sentences);

    const ours = [];
    const theirRates = Object.fromEntries(Object.keys(theirConfigs).map((name) => [name, []]));
    let agreement;
    for (let round = 0; round < ROUNDS; round++) {
      const a = await oursPerSecond(client, sentences);
      ours.push(a.perSecond);
      for (const [name, pipeline] of Object.entries(theirConfigs)) {
        const b = await theirsPerSecond(pipeline, sentences, theirBest[name]);
        theirRates[name].push(b.perSecond);
        if (round === 0 && name === 'defaults') agreement = compare(a.results, b.results);
      }
      await sampleGemm(5);
      log(`round ${round + 1}/${ROUNDS}: ours ${a.perSecond.toFixed(0)}/s, Transformers.js ${Object.entries(theirRates).map(([name, rates]) => `${rates.at(-1).toFixed(0)}/s (${name})`).join(', ')}`);
    }
    for (const pipeline of Object.values(theirConfigs)) await pipeline.dispose();

    const tokens = (await client.classify(sentences)).map((r) => r.tokens);
    const flops = tokens.reduce((sum, t) => sum + flopsPerSequence(config, t), 0) / sentences.length;
    const bare = await bareOnnxruntime(sentences, status.threads);
    log(`bare onnxruntime: ${bare.perSecond.toFixed(0)} sentences/s (${bare.processes} processes)`);
    const oursMedian = median(ours);
    const theirs = Object.fromEntries(Object.keys(theirConfigs).map((name) => [name, { batchSize: theirBest[name], perSecondMedian: median(theirRates[name]), rounds: theirRates[name] }]));
    results.throughput = {
      sentences: sentences.length,
      seed: BENCH_SEED,
      realTokens: tokens.reduce((a, b) => a + b, 0),
      ours: { batchSize: ourBatch, perSecondMedian: oursMedian, rounds: ours, calibration: ourCalibration },
      transformersJs: { ...theirs, calibration: theirCalibration },
      // Against Transformers.js at its best: the faster of its defaults and the engine's session options.
      speedup: oursMedian / Math.max(theirs.defaults.perSecondMedian, theirs['engine session options'].perSecondMedian),
      speedupOverDefaultTransformersJs: oursMedian / theirs.defaults.perSecondMedian,
    };
    results.agreement = agreement;
    results.compute = { flopsPerSentence: flops, achievedGflops: (flops * oursMedian) / 1e9 };
    results.bareOnnxruntime = { ...bare, achievedGflops: (flops * bare.perSecond) / 1e9, engineShare: oursMedian / bare.perSecond };
  }

  const gemmOf = (threadCount) => {
    const variants = gemms.filter((g) => g.threads === threadCount).map((g) => ({ spinning: g.spinning, medianGflops: median(gemmRates.get(g)), bestGflops: Math.max(...gemmRates.get(g)) }));
    return variants.sort((a, b) => b.medianGflops - a.medianGflops)[0];
  };
  results.gemm = { shape: GEMM_SHAPE, threads, ...gemmOf(threads), oneThread: gemmOf(1) };
  for (const g of gemms) await g.release();
  log(`GEMM ${GEMM_SHAPE}: ${results.gemm.medianGflops.toFixed(1)} GFLOP/s median on ${threads} threads (best ${results.gemm.bestGflops.toFixed(1)}); 1 thread ${results.gemm.oneThread.medianGflops.toFixed(1)}`);
  // The ceiling is the best rate the MatMul reached: a median can be dragged down by other load
  // more than the engine's, which would flatter the fraction.
  if (results.compute) results.compute.fractionOfGemm = results.compute.achievedGflops / results.gemm.bestGflops;
  if (results.bareOnnxruntime) results.bareOnnxruntime.fractionOfGemm = results.bareOnnxruntime.achievedGflops / results.gemm.bestGflops;

  results.peakRssMb = (await client.status()).peakRssBytes / 2 ** 20;
  await client.dispose();
  results.targets = targets(results);

  writeResults('results.json', results);
  printTable(results);
  process.exit(0);
}

function round(calibration) {
  return Object.fromEntries(Object.entries(calibration).map(([k, v]) => [k, Math.round(v)]));
}

/** Labels must be identical on every sentence; scores within 1e-4. */
function compare(ours, theirs) {
  let labelMismatches = 0;
  let largestScoreDifference = 0;
  ours.forEach((result, i) => {
    if (result.labels[0].label !== theirs[i][0].label) labelMismatches++;
    for (const { label, score } of theirs[i]) {
      largestScoreDifference = Math.max(largestScoreDifference, Math.abs(result.labels.find((l) => l.label === label).score - score));
    }
  });
  return { sentences: ours.length, labelMismatches, largestScoreDifference, ok: labelMismatches === 0 && largestScoreDifference <= 1e-4 };
}

function targets(r) {
  const check = (value, target, better) => (value === undefined ? { value: null, target, met: null } : { value, target, met: better === 'higher' ? value >= target : value < target });
  return {
    speedup: check(r.throughput?.speedup, TARGETS.speedup, 'higher'),
    gemmFraction: check(r.compute?.fractionOfGemm, TARGETS.gemmFraction, 'higher'),
    coldStartMs: check(r.coldStartMs.median, TARGETS.coldStartMs, 'lower'),
    peakRssMb: check(r.peakRssMb, TARGETS.peakRssMb, 'lower'),
    p95Ms: check(r.latencyMs.p95, TARGETS.p95Ms, 'lower'),
    agreement: r.agreement ? { value: r.agreement, met: r.agreement.ok } : { value: null, met: null },
  };
}

function printTable(r) {
  const rows = [];
  const add = (what, value, target, met) => rows.push([what, value, target, met === null ? 'skipped' : met ? 'yes' : 'NO']);
  const t = r.targets;
  if (r.throughput) {
    const { ours, transformersJs } = r.throughput;
    add('throughput, this engine via worker', `${ours.perSecondMedian.toFixed(0)} sentences/s (batch ${ours.batchSize})`, '', true);
    add('throughput, Transformers.js defaults', `${transformersJs.defaults.perSecondMedian.toFixed(0)} sentences/s (batch ${transformersJs.defaults.batchSize}): ${r.throughput.speedupOverDefaultTransformersJs.toFixed(2)}x`, '', true);
    const tuned = transformersJs['engine session options'];
    add('  with the engine\'s session options', `${tuned.perSecondMedian.toFixed(0)} sentences/s (batch ${tuned.batchSize})`, '', true);
  }
  add('speedup over Transformers.js at its best', t.speedup.value === null ? '-' : `${t.speedup.value.toFixed(2)}x`, `>= ${TARGETS.speedup}x`, t.speedup.met);
  add('agreement (labels, max score diff)', r.agreement ? `${r.agreement.labelMismatches} label mismatches, ${r.agreement.largestScoreDifference.toExponential(1)}` : '-', '0, <= 1e-4', t.agreement.met);
  if (r.compute) add('compute', `${(r.compute.flopsPerSentence / 1e6).toFixed(2)} MFLOP/sentence -> ${r.compute.achievedGflops.toFixed(1)} GFLOP/s`, '', true);
  add(`GEMM rate ${r.gemm.shape}`, `best ${r.gemm.bestGflops.toFixed(1)} GFLOP/s, median ${r.gemm.medianGflops.toFixed(1)} (${r.gemm.threads} threads; 1 thread ${r.gemm.oneThread.medianGflops.toFixed(1)})`, '', true);
  add('fraction of GEMM rate', t.gemmFraction.value === null ? '-' : `${(t.gemmFraction.value * 100).toFixed(0)} %`, `>= ${TARGETS.gemmFraction * 100} %`, t.gemmFraction.met);
  const bare = r.bareOnnxruntime;
  if (bare) add('  onnxruntime alone (no tokenizing, no IPC)', `${bare.perSecond.toFixed(0)} sentences/s: ${(bare.fractionOfGemm * 100).toFixed(0)} % of GEMM; the engine does ${(bare.engineShare * 100).toFixed(0)} % of it`, '', true);
  add('cold start (fork to first result)', `${r.coldStartMs.median.toFixed(0)} ms`, `< ${TARGETS.coldStartMs} ms`, t.coldStartMs.met);
  add('worker peak RSS', `${r.peakRssMb.toFixed(0)} MB`, `< ${TARGETS.peakRssMb} MB`, t.peakRssMb.met);
  add('one-sentence latency p50 / p95', `${r.latencyMs.p50.toFixed(2)} / ${r.latencyMs.p95.toFixed(2)} ms`, `p95 < ${TARGETS.p95Ms} ms`, t.p95Ms.met);
  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((row) => row[c].length), ['measure', 'value', 'target', 'met'][c].length));
  const line = (cells) => cells.map((cell, c) => cell.padEnd(widths[c])).join(' | ');
  console.log(line(['measure', 'value', 'target', 'met']));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const row of rows) console.log(line(row));
  console.log(`\n${r.rounds} interleaved rounds, medians; load average at start ${r.machine.loadAverage.map((l) => l.toFixed(1)).join(' ')} on ${r.machine.logicalCpus} CPUs (a busy machine lowers every number). Results: bench/results.json`);

  if (r.skipped) console.log(`Skipped: ${r.skipped}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
