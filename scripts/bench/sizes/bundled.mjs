// The bundled models' int8 against fp32: throughput through the worker on their own kind of text (SST-2
// sentences, AG News articles) in interleaved rounds, and accuracy through the evaluation job on rows they
// were not trained on (SST-2 dev; AG News test.csv held out by models/news-topic's training manifest).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { datasetsDir, log, median, repoRoot } from '../common.mjs';
import { engineRun, openEngine } from './engine.mjs';
import { quantizedDir } from './quantized.mjs';

const PASS_SECONDS = 1;
const MIN_ROUNDS = 5;
const MODELS = [
  { name: 'sentiment-sst2', set: 'sst2', dataset: path.join(datasetsDir, 'sst2', 'dev.tsv'), heldOutOnly: false },
  { name: 'news-topic', set: 'agNews', dataset: path.join(datasetsDir, 'ag_news', 'test.csv'), heldOutOnly: true },
];

/** Accuracy and macro-F1 of the loaded model on the dataset, and its predicted label per row. */
async function evaluate(client, dataset, modelDir, heldOutOnly) {
  const predictionsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-sizes-')), 'predictions.jsonl');
  try {
    const report = await client.evaluate({ datasetPath: dataset, predictionsFile, modelDir, heldOutOnly });
    const predicted = fs.readFileSync(predictionsFile, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line).predicted);
    return { accuracy: report.accuracy, macroF1: report.macroF1, evaluated: report.evaluated, predicted };
  } finally {
    fs.rmSync(path.dirname(predictionsFile), { recursive: true, force: true });
  }
}

async function benchOne({ ClassifierClient }, { name, set, dataset, heldOutOnly }, texts, rounds, sampleGemm) {
  const dir = path.join(repoRoot, 'models', name);
  if (texts.length === 0 || !fs.existsSync(dataset)) return { skipped: `${texts.length === 0 ? set : dataset} not available` };
  const int8 = await quantizedDir(`bundled-${name}`, dir);
  if (!int8.dir) return { notAvailable: int8.notAvailable };
  const variants = { fp32: { dir, modelVariant: 'fp32' }, int8: { dir: int8.dir, modelVariant: 'quantized' } };
  const engines = {};
  for (const [key, variant] of Object.entries(variants)) engines[key] = await openEngine(ClassifierClient, variant, texts);
  // One pass over the set takes 0.05-0.1 s on these small models, too short to time against scheduling
  // noise (3 single passes of news-topic int8 measured 4,870, 6,297 and 5,379 texts/s): each timed pass
  // repeats the set to last about PASS_SECONDS, and there are at least MIN_ROUNDS rounds.
  const repeats = Math.max(1, Math.round((PASS_SECONDS * (await engineRun(engines.fp32, texts)).perSecond) / texts.length));
  const passTexts = Array.from({ length: repeats }, () => texts).flat();
  const rates = { fp32: [], int8: [] };
  for (let round = 0; round < Math.max(rounds, MIN_ROUNDS); round++) {
    for (const key of Object.keys(variants)) rates[key].push((await engineRun(engines[key], passTexts)).perSecond);
    await sampleGemm();
  }
  const accuracy = {};
  for (const key of Object.keys(variants)) accuracy[key] = await evaluate(engines[key], dataset, dir, heldOutOnly);
  for (const engine of Object.values(engines)) await engine.dispose();
  const changedLabels = accuracy.fp32.predicted.filter((label, i) => label !== accuracy.int8.predicted[i]).length;
  for (const key of Object.keys(accuracy)) delete accuracy[key].predicted;
  const result = {
    texts: { set, count: texts.length, repeatsPerPass: repeats },
    perSecond: { fp32: median(rates.fp32), int8: median(rates.int8) },
    int8VsFp32: median(rates.int8.map((rate, i) => rate / rates.fp32[i])),
    rounds: rates,
    dataset: path.relative(datasetsDir, dataset),
    heldOutOnly,
    accuracy,
    accuracyChangePoints: (accuracy.int8.accuracy - accuracy.fp32.accuracy) * 100,
    changedLabels,
  };
  log(`bundled ${name}: int8 ${result.int8VsFp32.toFixed(2)}x fp32; accuracy ${(accuracy.fp32.accuracy * 100).toFixed(2)} -> ${(accuracy.int8.accuracy * 100).toFixed(2)} %, ${changedLabels} rows changed label`);
  return result;
}

/** {model name: result, or {notAvailable}/{skipped}}. `sampleGemm`: called once per round. */
export async function benchBundled(modules, texts, rounds, sampleGemm) {
  const results = {};
  for (const model of MODELS) results[model.name] = await benchOne(modules, model, texts[model.set], rounds, sampleGemm);
  return results;
}
