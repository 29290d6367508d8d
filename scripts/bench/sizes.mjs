// `npm run bench:sizes`: the engine at real model sizes. For a BERT-base-size and a DistilBERT-size model
// (scripts/bench/sizes/make_models.py: seeded random weights, the bundled tokenizer and export), in one run
// of interleaved rounds: the engine end to end through the worker client, onnxruntime alone on the same
// sentences, Transformers.js fp32 at its best, and int8 (the engine on onnx/model_quantized.onnx from
// `textclf quantize` against Transformers.js dtype 'q8' on the same file). Texts: the bench's 2,000 SST-2
// sentences and 300 AG News articles, each article one text (the engine splits the longer ones into
// windows). Also cold start, one-sentence latency, worker peak RSS, label agreement with Transformers.js,
// the fraction of the best GEMM rate measured in the same run, and the bundled models' int8 against fp32.
// Writes bench/sizes.json and prints the issue's targets table. Every figure is a median over rounds
// (ratios: the median of each round's ratio). Environment (for quick runs): BENCH_ROUNDS (3),
// BENCH_SENTENCES (2000), BENCH_ARTICLES (300), BENCH_CALIBRATION (texts per calibration run, 100),
// BENCH_LATENCY_CALLS (200), BENCH_COLD_STARTS (3), BENCH_SIZE_MODELS (bert-base,distilbert),
// BENCH_BUNDLED (1; 0 skips the bundled models), TEXTCLF_DATASETS.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openGemm, GEMM_SHAPE } from './gemm.mjs';
import { benchSentences, datasetsDir, flopsPerSequence, log, median, repoRoot, requireBundled, seededRandom, sst2TrainFile, workerScript, writeResults } from './common.mjs';
import { openBare } from './sizes/bare.mjs';
import { benchBundled } from './sizes/bundled.mjs';
import { coldStart, engineRun, latency, openEngine, settle } from './sizes/engine.mjs';
import { SIZE_MODEL_NAMES, sizeModels } from './sizes/models.mjs';
import { quantizedDir } from './sizes/quantized.mjs';
import { printTables, targetRows } from './sizes/table.mjs';
import { transformersAtBest, transformersRun } from './sizes/transformers.mjs';

const env = (name, fallback) => Number(process.env[name] ?? fallback);
const ROUNDS = env('BENCH_ROUNDS', 3);
const SENTENCES = env('BENCH_SENTENCES', 2000);
const ARTICLES = env('BENCH_ARTICLES', 300);
const CALIBRATION_TEXTS = env('BENCH_CALIBRATION', 100);
const LATENCY_CALLS = env('BENCH_LATENCY_CALLS', 200);
const COLD_STARTS = env('BENCH_COLD_STARTS', 3);
const MODELS = (process.env.BENCH_SIZE_MODELS ?? SIZE_MODEL_NAMES.join(',')).split(',').filter(Boolean);
const ARTICLE_SEED = 20261205;
const agNewsFile = path.join(datasetsDir, 'ag_news', 'test.csv');

/** The client and the dataset readers (TypeScript), bundled into a temporary folder under out/. */
async function loadModules() {
  fs.mkdirSync(path.join(repoRoot, 'out'), { recursive: true });
  const dir = fs.mkdtempSync(path.join(repoRoot, 'out', 'bench-sizes-'));
  const entry = path.join(dir, 'entry.ts');
  const src = (file) => JSON.stringify(path.join(repoRoot, 'src', file));
  fs.writeFileSync(entry, [
    `export { ClassifierClient } from ${src('classifier/client.ts')};`,
    `export { inspectDataset } from ${src('datasets/schema.ts')};`,
    `export { readRows } from ${src('datasets/rows.ts')};`,
    `export { physicalCores } from ${src('classifier/cores.ts')};`,
  ].join('\n'));
  const modules = await requireBundled(entry, path.join(dir, 'bundle.cjs'), 'error');
  fs.rmSync(dir, { recursive: true, force: true });
  return modules;
}

/** A seeded sample of AG News test.csv articles (title and description, as the dataset readers give them). */
async function sampleArticles({ inspectDataset, readRows }, count) {
  const texts = [];
  for await (const row of readRows(await inspectDataset(agNewsFile))) if (row.kind === 'row') texts.push(row.text);
  const random = seededRandom(ARTICLE_SEED);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (texts.length - i));
    [texts[i], texts[j]] = [texts[j], texts[i]];
  }
  return texts.slice(0, count);
}

/** Top labels must match on every text; also the largest score difference. `only`: indices to compare. */
function agreement(ours, theirs, only = ours.map((_, i) => i)) {
  let labelMismatches = 0;
  let largestScoreDifference = 0;
  for (const i of only) {
    if (ours[i].labels[0].label !== theirs[i][0].label) labelMismatches++;
    for (const { label, score } of theirs[i]) {
      largestScoreDifference = Math.max(largestScoreDifference, Math.abs(ours[i].labels.find((l) => l.label === label).score - score));
    }
  }
  return { texts: only.length, labelMismatches, largestScoreDifference };
}

/** The best GEMM rate seen so far, sampled in every round so that it sees the same machine load. */
async function gemmProbe(threads) {
  const probes = [await openGemm(threads, true), await openGemm(threads, false), await openGemm(1, true), await openGemm(1, false)];
  const rates = new Map(probes.map((probe) => [probe, []]));
  const summary = (threadCount) => {
    const variants = probes.filter((p) => p.threads === threadCount).map((p) => ({ spinning: p.spinning, medianGflops: median(rates.get(p)), bestGflops: Math.max(...rates.get(p)) }));
    return variants.sort((a, b) => b.bestGflops - a.bestGflops)[0];
  };
  return {
    async sample(runs) {
      for (const probe of probes) rates.get(probe).push(...(await probe.measure(runs)));
    },
    result: () => ({ shape: GEMM_SHAPE, threads, ...summary(threads), oneThread: summary(1) }),
    release: () => Promise.all(probes.map((probe) => probe.release())),
  };
}

/** Everything measured on one size model; `texts`: {sst2, agNews} (agNews may be empty). */
async function benchSizeModel(name, dir, texts, { ClassifierClient }, gemm) {
  const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
  const generator = JSON.parse(fs.readFileSync(path.join(dir, 'generator.json'), 'utf8'));
  const int8 = await quantizedDir(name, dir);
  const variants = { fp32: { dir, modelVariant: 'fp32', dtype: 'fp32' } };
  if (int8.dir) variants.int8 = { dir: int8.dir, modelVariant: 'quantized', dtype: 'q8' };
  const result = {
    model: { name, dir, layers: config.num_hidden_layers, hiddenSize: config.hidden_size, parameters: generator.parameters, onnxMb: fs.statSync(path.join(dir, 'onnx', 'model.onnx')).size / 2 ** 20 },
    int8: int8.dir ? { dir: int8.dir, onnxMb: fs.statSync(path.join(int8.dir, 'onnx', 'model_quantized.onnx')).size / 2 ** 20 } : { notAvailable: int8.notAvailable },
    coldStartMs: {},
    latencyMs: {},
    peakRssMb: {},
    transformersJs: {},
  };
  const sets = Object.entries(texts).filter(([, list]) => list.length > 0);
  const warmUp = sets.flatMap(([, list]) => list.slice(0, Math.ceil(list.length / 4)));
  const calibrationSample = texts.sst2.slice(0, CALIBRATION_TEXTS);

  const engines = {};
  const theirs = {};
  for (const [key, variant] of Object.entries(variants)) {
    result.coldStartMs[key] = await coldStart(ClassifierClient, variant, COLD_STARTS);
    log(`${name} ${key}: cold start ${result.coldStartMs[key].all.map((ms) => ms.toFixed(0)).join(', ')} ms`);
    engines[key] = await openEngine(ClassifierClient, variant, warmUp);
    result.latencyMs[key] = await latency(engines[key], texts.sst2.slice(0, LATENCY_CALLS));
    log(`${name} ${key}: one-sentence latency p50 ${result.latencyMs[key].p50.toFixed(1)} ms, p95 ${result.latencyMs[key].p95.toFixed(1)} ms`);
    const threads = (await engines[key].status()).threads;
    result.threads = threads;
    const best = await transformersAtBest(variant.dir, variant.dtype, threads, calibrationSample);
    theirs[key] = best.classifier;
    result.transformersJs[key] = { dtype: variant.dtype, ...best.config, calibration: best.calibration };
    log(`${name} Transformers.js ${variant.dtype} calibration (texts/s on ${calibrationSample.length} sentences): ${JSON.stringify(best.calibration)} -> ${JSON.stringify(best.config)}`);
  }

  // onnxruntime alone on the SST-2 sentences, fp32: both forms, the first (warm-up) pass of each timed
  // to choose the one the rounds measure.
  const model = { onnxFile: path.join(dir, 'onnx', 'model.onnx'), tokenizerFile: path.join(dir, 'tokenizer.json') };
  const forms = [await openBare('intra-op', result.threads, texts.sst2, model)];
  const calibration = { 'intra-op': await forms[0].perSecond() };
  forms.push(await openBare('lanes', result.threads, texts.sst2, model));
  calibration.lanes = await forms[1].perSecond();
  const bare = forms.sort((a, b) => calibration[b.form] - calibration[a.form])[0];
  forms[1].close();
  result.bare = { form: bare.form, processes: bare.processes, threadsEach: bare.threadsEach, calibration };
  log(`${name} onnxruntime alone, first pass (sentences/s): ${JSON.stringify(calibration)} -> ${bare.form}`);

  // Interleaved rounds: every runner once per round, in the same order.
  const runners = [];
  for (const [set, list] of sets) {
    for (const key of Object.keys(variants)) {
      runners.push({ set, what: `engine ${key}`, run: () => engineRun(engines[key], list) });
      const { batchSize } = result.transformersJs[key];
      runners.push({ set, what: `Transformers.js ${variants[key].dtype}`, run: async () => { await settle(); return transformersRun(theirs[key], list, batchSize); } });
    }
  }
  runners.push({ set: 'sst2', what: 'onnxruntime alone', run: async () => { await settle(); return { perSecond: await bare.perSecond() }; } });
  const rounds = [];
  const first = {};
  for (let round = 0; round < ROUNDS; round++) {
    const rates = {};
    for (const runner of runners) {
      const { perSecond, results } = await runner.run();
      (rates[runner.set] ??= {})[runner.what] = perSecond;
      if (round === 0 && results) (first[runner.set] ??= {})[runner.what] = results;
    }
    await gemm.sample(5);
    rounds.push(rates);
    log(`${name} round ${round + 1}/${ROUNDS}: ${Object.entries(rates).map(([set, r]) => `${set} ${Object.entries(r).map(([what, v]) => `${what} ${v.toFixed(0)}/s`).join(', ')}`).join('; ')}`);
  }
  bare.close();
  for (const classifier of Object.values(theirs)) await classifier.dispose();

  result.throughput = {};
  for (const [set, list] of sets) {
    const whats = Object.keys(rounds[0][set]);
    const ratio = (a, b) => (rounds[0][set][a] && rounds[0][set][b] ? median(rounds.map((r) => r[set][a] / r[set][b])) : undefined);
    const tokens = first[set]['engine fp32'].reduce((sum, r) => sum + r.tokens, 0);
    result.throughput[set] = {
      texts: list.length,
      tokens,
      windowed: first[set]['engine fp32'].filter((r) => r.windows > 1).length,
      perSecond: Object.fromEntries(whats.map((what) => [what, median(rounds.map((r) => r[set][what]))])),
      rounds: rounds.map((r) => r[set]),
      ratios: {
        engineVsOnnxruntimeAlone: ratio('engine fp32', 'onnxruntime alone'),
        fp32VsTransformersJs: ratio('engine fp32', 'Transformers.js fp32'),
        int8VsFp32: ratio('engine int8', 'engine fp32'),
        int8VsTransformersJsQ8: ratio('engine int8', 'Transformers.js q8'),
      },
    };
    // Transformers.js cuts a text at the model window where the engine splits it into windows: only texts
    // within one window are compared.
    const oneWindow = first[set]['engine fp32'].map((r, i) => (r.windows === 1 ? i : -1)).filter((i) => i >= 0);
    for (const key of Object.keys(variants)) {
      ((result.agreement ??= {})[key] ??= {})[set] = agreement(first[set][`engine ${key}`], first[set][`Transformers.js ${variants[key].dtype}`], oneWindow);
    }
  }
  const flops = first.sst2['engine fp32'].reduce((sum, r) => sum + flopsPerSequence(config, r.tokens), 0) / texts.sst2.length;
  result.compute = { flopsPerSentence: flops, gflops: Object.fromEntries(Object.entries(result.throughput.sst2.perSecond).map(([what, rate]) => [what, (flops * rate) / 1e9])) };
  for (const [key, engine] of Object.entries(engines)) {
    result.peakRssMb[key] = (await engine.status()).peakRssBytes / 2 ** 20;
    await engine.dispose();
  }
  return result;
}

async function main() {
  if (!fs.existsSync(workerScript)) throw new Error(`${workerScript} is missing: run "npm run build" first`);
  if (!fs.existsSync(sst2TrainFile)) {
    console.log(`bench:sizes skipped: ${sst2TrainFile} not found (set TEXTCLF_DATASETS to the datasets folder)`);
    return;
  }
  const started = Date.now();
  const modules = await loadModules();
  const results = { date: new Date().toISOString(), machine: { cpu: os.cpus()[0]?.model, logicalCpus: os.cpus().length, loadAverageAtStart: os.loadavg() }, rounds: ROUNDS, models: {} };
  const texts = { sst2: benchSentences(SENTENCES), agNews: [] };
  if (fs.existsSync(agNewsFile)) texts.agNews = await sampleArticles(modules, ARTICLES);
  else results.agNewsSkipped = `${agNewsFile} not found: AG News rows skipped`;
  const dirs = await sizeModels(MODELS);
  // The engine's default thread count (session.ts).
  const gemm = await gemmProbe(modules.physicalCores());
  await gemm.sample(10);

  for (const name of MODELS) results.models[name] = await benchSizeModel(name, dirs[name], texts, modules, gemm);
  if (process.env.BENCH_BUNDLED !== '0') results.bundled = await benchBundled(modules, texts, ROUNDS, () => gemm.sample(5));
  results.gemm = gemm.result();
  await gemm.release();
  for (const model of Object.values(results.models)) {
    model.compute.fractionOfGemm = Object.fromEntries(Object.entries(model.compute.gflops).map(([what, gflops]) => [what, gflops / results.gemm.bestGflops]));
  }
  results.machine.loadAverageAtEnd = os.loadavg();
  results.seconds = (Date.now() - started) / 1000;
  results.targets = targetRows(results);
  writeResults('sizes.json', results);
  printTables(results);
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
