// Comparing two evaluations (src/evaluation/compare.ts) on real runs: the bundled sentiment model and a
// linear-head model trained here from it on 400 SST-2 dev rows, both evaluated on SST-2 dev with the
// real engine. Each expectation is counted again from the two predictions files read whole.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Prediction } from '../../src/datasets/evaluate';
import { Engine } from '../../src/engine/engine';
import { runEvaluationJob } from '../../src/engine/evaluationJob';
import { compareEvaluations, type ComparedRun } from '../../src/evaluation/compare';
import { EvaluationStore, type EvaluationRecord } from '../../src/evaluation/store';
import { readTrainingDataset } from '../../src/training/datasetFiles';
import { trainClassifier } from '../../src/training/train';
import { bundledModel, datasetOrSkip } from '../support/paths';

const sentimentLabels: Record<string, string> = { '0': 'negative', '1': 'positive' };

describe('comparing two evaluations of SST-2 dev', function () {
  this.timeout(300_000);
  let scratch: string;
  let dev: string;
  let trainedDir: string;
  /** The bundled model on every row; the trained model on every row, and on the rows it was not trained on. */
  let bundled: ComparedRun;
  let trained: ComparedRun;
  let trainedHeldOut: ComparedRun;

  /** Evaluates `modelDir` on `datasetPath` with the real engine, as the extension's worker does, and stores the run like EvaluationStore. */
  async function evaluateRun(id: string, modelDir: string, datasetPath: string, heldOutOnly = false): Promise<ComparedRun> {
    const engine = await Engine.load(modelDir, { executionProviders: ['cpu'] });
    try {
      const predictionsFile = path.join(scratch, `${id}.jsonl`);
      const result = await runEvaluationJob({ datasetPath, predictionsFile, modelDir, heldOutOnly }, engine.model.labels, (texts, signal) => engine.classify(texts, { signal }));
      const record: EvaluationRecord = {
        id,
        datasetPath,
        columns: {},
        model: { name: path.basename(modelDir), dir: modelDir, labels: engine.model.labels },
        executionProvider: 'cpu',
        finishedAt: new Date().toISOString(),
        result,
      };
      return { record, predictionsFile };
    } finally {
      await engine.dispose();
    }
  }

  const readPredictions = (run: ComparedRun): Prediction[] => fs.readFileSync(run.predictionsFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Prediction);

  before(async function () {
    dev = datasetOrSkip(this, 'sst2/dev.tsv');
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-compare-'));
    // A second real model: a linear head on the bundled model's encoder, trained on the first 400 dev rows (its manifest lists them).
    const dataset = await readTrainingDataset({ train: dev });
    if (!('examples' in dataset)) throw new Error('one file gives examples');
    const examples = dataset.examples.slice(0, 400).map((example) => ({ ...example, label: sentimentLabels[example.label as string] }));
    trainedDir = path.join(scratch, 'sst2-linear-head');
    await trainClassifier({ method: 'linear-head', baseModel: bundledModel('sentiment-sst2'), output: trainedDir, dataset: { ...dataset, examples }, seed: 3 });
    bundled = await evaluateRun('bundled', bundledModel('sentiment-sst2'), dev);
    trained = await evaluateRun('trained', trainedDir, dev);
    trainedHeldOut = await evaluateRun('trained-held-out', trainedDir, dev, true);
  });

  after(() => {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('counts the rows whose label differs, and who is right, as both prediction files say; lists the first ones in file order', async () => {
    const comparison = await compareEvaluations(bundled, trained);
    const a = readPredictions(bundled);
    const b = readPredictions(trained);
    assert.equal(a.length, 872);
    assert.deepEqual(a.map((row) => row.line), b.map((row) => row.line), 'both evaluated every row');
    const differing = a.flatMap((row, index) => (row.predicted === b[index].predicted ? [] : [{ row, other: b[index] }]));
    assert.ok(differing.length > 0, 'two different models disagree somewhere');
    const { agreement } = comparison;
    assert.equal(agreement.compared, 872);
    assert.equal(agreement.differ, differing.length);
    assert.equal(agreement.same, 872 - differing.length);
    assert.equal(agreement.onlyARight, differing.filter(({ row }) => row.predicted === row.goldLabel).length);
    assert.equal(agreement.onlyBRight, differing.filter(({ other }) => other.predicted === other.goldLabel).length);
    assert.equal(agreement.onlyARight + agreement.onlyBRight + agreement.bothWrong, agreement.differ);
    assert.deepEqual([agreement.onlyInA, agreement.onlyInB, agreement.textChanged, agreement.goldMappedDifferently], [0, 0, 0, 0]);
    assert.deepEqual(
      comparison.differingRows,
      differing.slice(0, 500).map(({ row, other }) => ({
        line: row.line,
        text: row.text,
        gold: row.gold,
        goldLabel: row.goldLabel,
        a: { label: row.predicted, score: row.confidence },
        b: { label: other.predicted, score: other.confidence },
      })),
    );
    // The difference in accuracy is exactly the rows B fixes minus the rows it breaks.
    const accuracy = comparison.metrics.find((metric) => metric.name === 'accuracy');
    assert.ok(accuracy);
    assert.equal(accuracy.a, bundled.record.result.accuracy);
    assert.equal(accuracy.b, trained.record.result.accuracy);
    assert.equal(Math.round((accuracy.b - accuracy.a) * 872), agreement.onlyBRight - agreement.onlyARight);
    // Rows the trained model was trained on are in this run: the note says so.
    const overlap = trained.record.result.trainingOverlap;
    assert.ok(overlap && overlap.rows > 0, 'the training manifest marks the training rows');
    assert.deepEqual(comparison.notes, [`${overlap.rows} rows were used to train sst2-linear-head: its metrics here are optimistic.`]);
  });

  it('keeps a bounded list of differing rows, with the total count', async () => {
    const comparison = await compareEvaluations(bundled, trained, { maxDifferingRows: 7 });
    const full = await compareEvaluations(bundled, trained);
    assert.equal(comparison.maxDifferingRows, 7);
    assert.deepEqual(comparison.differingRows, full.differingRows.slice(0, 7));
    assert.equal(comparison.agreement.differ, full.agreement.differ);
  });

  it('per-class F1 and both confusion matrices side by side, by label name', async () => {
    const comparison = await compareEvaluations(bundled, trained);
    assert.deepEqual(
      comparison.perClassF1,
      bundled.record.result.perClass.map((row) => ({ label: row.label, a: row.f1, b: trained.record.result.perClass.find((other) => other.label === row.label)?.f1, support: row.support })),
    );
    assert.deepEqual(comparison.a.confusionMatrix, bundled.record.result.confusionMatrix);
    assert.deepEqual(comparison.b.confusionMatrix, trained.record.result.confusionMatrix);
    const ece = comparison.metrics.find((metric) => metric.name === 'calibration error (ECE)');
    assert.equal(ece?.better, 'lower');
  });

  it('a held-out run against an all-rows run: the training rows are only in A, and the note says the metrics are over different rows', async () => {
    const comparison = await compareEvaluations(bundled, trainedHeldOut);
    const overlap = trainedHeldOut.record.result.trainingOverlap;
    assert.ok(overlap?.excluded);
    assert.equal(comparison.agreement.onlyInA, overlap.rows);
    assert.equal(comparison.agreement.onlyInB, 0);
    assert.equal(comparison.agreement.compared, 872 - overlap.rows);
    assert.equal(comparison.b.heldOutOnly, true);
    assert.match(comparison.notes[0], new RegExp(`^The runs evaluated different rows \\(${overlap.rows} rows only sentiment-sst2 evaluated\\)`));
    // The rows both evaluated differ exactly where the all-rows run of the same model differs on them.
    const all = await compareEvaluations(bundled, trained);
    const heldOutLines = new Set(readPredictions(trainedHeldOut).map((row) => row.line));
    assert.deepEqual(comparison.differingRows, all.differingRows.filter((row) => heldOutLines.has(row.line)));
  });

  it('refuses evaluations of different datasets, the same evaluation twice, and a missing predictions file, saying why', async () => {
    const otherFile = { ...trained, record: { ...trained.record, datasetPath: '/elsewhere/dev.tsv' } };
    await assert.rejects(compareEvaluations(bundled, otherFile), /^ComparisonError: evaluations of different datasets cannot be compared: .*dev\.tsv \(sentiment-sst2\) and \/elsewhere\/dev\.tsv \(sst2-linear-head\)$/);
    await assert.rejects(compareEvaluations(bundled, bundled), /both sides are the same evaluation \(sentiment-sst2 on dev\.tsv\)/);
    const gone = { ...trained, record: { ...trained.record, id: 'gone' }, predictionsFile: path.join(scratch, 'gone.jsonl') };
    await assert.rejects(compareEvaluations(bundled, gone), /the predictions of sst2-linear-head on dev\.tsv are missing \(.*gone\.jsonl: ENOENT/);
  });

  it('refuses models with other labels', async () => {
    const topics = { ...trained, record: { ...trained.record, id: 'topics', model: { ...trained.record.model, name: 'news-topic', labels: ['World', 'Sports'] } } };
    await assert.rejects(compareEvaluations(bundled, topics), /sentiment-sst2 \(labels negative, positive\) and news-topic \(labels World, Sports\) predict different labels/);
  });
});

describe('evaluation store: runs to compare', () => {
  let root: string;
  before(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-store-'))));
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('fp32 and another graph of one model directory are two evaluations; fp32 keeps the id it had', () => {
    const fp32 = EvaluationStore.idFor('/data/dev.tsv', '/models/m');
    assert.equal(EvaluationStore.idFor('/data/dev.tsv', '/models/m', 'fp32'), fp32);
    assert.notEqual(EvaluationStore.idFor('/data/dev.tsv', '/models/m', 'quantized'), fp32);
    assert.match(fp32, /^[0-9a-f]{16}-[0-9a-f]{16}$/);
  });

  it('lists the runs of one dataset newest first, and reads a run by id only when it is an id', async () => {
    const store = new EvaluationStore(root);
    const record = (model: string, dataset: string, finishedAt: string) =>
      ({ id: EvaluationStore.idFor(dataset, `/models/${model}`), datasetPath: dataset, model: { name: model, dir: `/models/${model}`, labels: [] }, finishedAt }) as unknown as EvaluationRecord;
    for (const run of [record('a', '/data/dev.tsv', '2026-01-01T00:00:00Z'), record('b', '/data/dev.tsv', '2026-01-02T00:00:00Z'), record('a', '/data/other.tsv', '2026-01-03T00:00:00Z')]) {
      await store.commit(store.startRun(), run);
    }
    assert.deepEqual((await store.list('/data/dev.tsv')).map((run) => run.model.name), ['b', 'a']);
    assert.equal((await store.list()).length, 3);
    const [newest] = await store.list();
    assert.equal((await store.byId(newest.id))?.datasetPath, '/data/other.tsv');
    assert.equal(await store.byId(`../${newest.id}`), undefined, 'a page state naming a path reads nothing');
  });
});
