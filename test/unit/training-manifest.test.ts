// Honest evaluation: the training manifest a trained model carries (which rows of which file it was
// trained on), and an evaluation that recognises those rows, in the same file by index and in any
// other file by text, and measures the held-out rows apart. Real training (linear head on the bundled
// sentiment encoder), the real engine; the bundled models' manifests against the real dataset files.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../../src/engine/engine';
import { evaluate, type EvaluationReport } from '../../src/datasets/evaluate';
import { describeColumns, labelNames, labelWithName } from '../../src/datasets/labelNames';
import { createLabelMapping, LabelMappingError, suggestLabelMap } from '../../src/datasets/labels';
import { computeMetrics } from '../../src/datasets/metrics';
import { fileSha256, readTrainingManifest, textHash, TRAINING_MANIFEST_FILE, TrainingManifestError, type TrainingManifest } from '../../src/datasets/trainingManifest';
import { readTrainingDataset } from '../../src/training/datasetFiles';
import { trainClassifier } from '../../src/training/train';
import { bundledModel, datasetOrSkip } from '../support/paths';

const positive = ['a warm, funny film', 'a moving and tender story', 'a delight from start to finish', 'the best comedy of the year', 'wonderful acting and a clever script', 'a joyful surprise', 'beautifully shot and deeply felt', 'smart, fresh and charming', 'an absolute pleasure', 'a triumph of storytelling'];
const negative = ['a dull, tired film', 'a boring and empty story', 'a chore from start to finish', 'the worst comedy of the year', 'wooden acting and a lazy script', 'a joyless mess', 'ugly to look at and hollow', 'stale, slow and tedious', 'an absolute waste of time', 'a failure of storytelling'];

describe('training manifest: written by the trainer, recognised by the evaluation', function () {
  this.timeout(180_000);
  let dir: string;
  let dataset: string;
  let modelDir: string;
  let manifest: TrainingManifest;
  let engine: Engine;
  const classify = (texts: string[], signal?: AbortSignal) => engine.classify(texts, { signal });

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-manifest-test-'));
    dataset = path.join(dir, 'reviews.csv');
    const rows = positive.flatMap((text, index) => [`"${text}",positive`, `"${negative[index]}",negative`]);
    // Two rows the reader skips (empty texts) still count as rows: they keep the indices of the file.
    fs.writeFileSync(dataset, ['text,label', ...rows.slice(0, 5), '"",positive', ...rows.slice(5), '"  ",negative'].join('\n') + '\n');
    modelDir = path.join(dir, 'model');
    await trainClassifier({ method: 'linear-head', baseModel: bundledModel('sentiment-sst2'), output: modelDir, dataset: await readTrainingDataset({ train: dataset }), linearHead: { l2: 1e-3, classWeights: 'none' } });
    manifest = readTrainingManifest(modelDir)!;
    engine = await Engine.load(modelDir, { executionProviders: ['cpu'] });
  });

  after(async () => {
    await engine?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the linear-head trainer writes training-manifest.json: file name, sha256, row count, the rows of each split by index, the training texts hashed', async () => {
    assert.ok(fs.existsSync(path.join(modelDir, TRAINING_MANIFEST_FILE)));
    assert.ok(!fs.existsSync(path.join(modelDir, 'split.json')), 'one format: no split.json beside it');
    assert.deepEqual(manifest.dataset, { file: 'reviews.csv', sha256: await fileSha256(dataset), rows: 22 });
    const train = manifest.train as number[];
    const all = [...train, ...manifest.validation, ...manifest.test!].sort((a, b) => a - b);
    const usable = Array.from({ length: 22 }, (_, index) => index).filter((index) => index !== 5 && index !== 21);
    assert.deepEqual(all, usable, 'every usable row in exactly one split; the skipped rows 5 and 21 in none');
    assert.equal(Buffer.from(manifest.train_text_hashes!, 'base64').length, 8 * train.length);
    assert.match(fs.readFileSync(path.join(modelDir, 'MODEL_CARD.md'), 'utf8'), /the rows of each split are in training-manifest\.json/);
  });

  it('the same file: its listed training rows are counted, the held-out metrics are those of the other rows', async () => {
    const report = await evaluate(dataset, { labels: engine.model.labels, trainingManifest: manifest }, classify);
    const train = new Set(manifest.train as number[]);
    assert.equal(report.trainingOverlap?.match, 'same file');
    assert.equal(report.trainingOverlap?.rows, train.size);
    assert.equal(report.trainingOverlap?.excluded, false);
    assert.equal(report.evaluated, 20, 'all rows still evaluated');
    // The held-out rows are the validation and test rows; their metrics, computed here from the predictions.
    const heldOutLines = new Set([...manifest.validation, ...manifest.test!].map((index) => index + 2)); // header, 1-based
    const heldOut = report.predictions.filter((row) => heldOutLines.has(row.line));
    const labels = engine.model.labels;
    const expected = computeMetrics(labels, heldOut.map((row) => labels.indexOf(row.goldLabel)), heldOut.map((row) => labels.indexOf(row.predicted)), heldOut.map((row) => row.confidence));
    assert.deepEqual(report.trainingOverlap?.heldOut, { accuracy: expected.accuracy, macroF1: expected.macroF1, evaluated: heldOut.length });

    const only = await evaluate(dataset, { labels, trainingManifest: manifest, heldOutOnly: true }, classify);
    assert.equal(only.evaluated, heldOut.length);
    assert.deepEqual(only.predictions.map((row) => row.line).sort((a, b) => a - b), [...heldOutLines].sort((a, b) => a - b));
    assert.equal(only.accuracy, expected.accuracy);
    assert.deepEqual([only.trainingOverlap?.rows, only.trainingOverlap?.excluded, only.skipped], [train.size, true, 2]);
  });

  it('a copy in another format, shuffled, inside a larger file: the training rows are recognised by their text', async () => {
    const trainTexts = new Set((manifest.train as number[]).map((index) => textHash(rowText(index))));
    const extra = ['an instant classic', 'a tiresome slog'];
    const lines = [...positive, ...negative].reverse().map((text, index) => JSON.stringify({ review: `  ${text.toUpperCase()} `, sentiment: index % 2 ? 'positive' : 'negative' }));
    lines.push(JSON.stringify({ review: extra[0], sentiment: 'positive' }), JSON.stringify({ review: extra[1], sentiment: 'negative' }));
    const superset = path.join(dir, 'superset.jsonl');
    fs.writeFileSync(superset, lines.join('\n') + '\n');
    const report = await evaluate(superset, { labels: engine.model.labels, trainingManifest: manifest }, classify);
    assert.equal(report.trainingOverlap?.match, 'text');
    assert.equal(report.trainingOverlap?.rows, trainTexts.size);
    assert.equal(report.trainingOverlap?.heldOut.evaluated, 22 - trainTexts.size);
  });

  it('a dataset the model never saw: no overlap', async () => {
    const unseen = path.join(dir, 'unseen.csv');
    fs.writeFileSync(unseen, 'text,label\n"an instant classic",positive\n"a tiresome slog",negative\n');
    const report: EvaluationReport = await evaluate(unseen, { labels: engine.model.labels, trainingManifest: manifest }, classify);
    assert.equal(report.trainingOverlap, null);
  });

  /** The text of a data row of reviews.csv as the reader builds it. */
  function rowText(index: number): string {
    const rows = fs.readFileSync(dataset, 'utf8').trim().split('\n').slice(1);
    return /^"(.*)",/.exec(rows[index])![1].trim();
  }
});

describe('training manifest: reading', function () {
  it('a model without one has none; a broken one is named with what is wrong', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-manifest-read-'));
    try {
      assert.equal(readTrainingManifest(dir), null);
      fs.writeFileSync(path.join(dir, TRAINING_MANIFEST_FILE), '{"version": 1, "dataset": {"file": "x.csv"}}');
      assert.throws(() => readTrainingManifest(dir), (error: Error) => error instanceof TrainingManifestError && error.message.includes(TRAINING_MANIFEST_FILE) && /sha256/.test(error.message));
      fs.writeFileSync(path.join(dir, TRAINING_MANIFEST_FILE), '{nope');
      assert.throws(() => readTrainingManifest(dir), /not valid JSON/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('training manifest: the bundled models, against the real dataset files', function () {
  this.timeout(60_000);

  it("news-topic: AG News test.csv's hash and rows, split.json's training rows", async function () {
    const testCsv = datasetOrSkip(this, 'ag_news/test.csv');
    const modelDir = bundledModel('news-topic');
    const manifest = readTrainingManifest(modelDir)!;
    const split = JSON.parse(fs.readFileSync(path.join(modelDir, 'split.json'), 'utf8')) as { rows: number; train: number[]; eval: number[] };
    assert.deepEqual(manifest.dataset, { file: 'test.csv', sha256: await fileSha256(testCsv), rows: split.rows });
    assert.deepEqual(manifest.train, split.train);
    assert.deepEqual(manifest.test, split.eval);
    assert.equal(Buffer.from(manifest.train_text_hashes!, 'base64').length, 8 * 6000);
  });

  it('sentiment-sst2: all of SST-2 train.tsv (the sha256 SOURCE.md lists)', async function () {
    const trainTsv = datasetOrSkip(this, 'sst2/train.tsv');
    const manifest = readTrainingManifest(bundledModel('sentiment-sst2'))!;
    const listed = /\| train\.tsv \|[^\n]*\| ([0-9a-f]{64}) \|/.exec(fs.readFileSync(path.join(path.dirname(trainTsv), 'SOURCE.md'), 'utf8'))![1];
    assert.deepEqual(manifest.dataset, { file: 'train.tsv', sha256: listed, rows: 67_349 });
    assert.equal(await fileSha256(trainTsv), listed);
    assert.equal(manifest.train, 'all');
    assert.equal(Buffer.from(manifest.train_text_hashes!, 'base64').length, 8 * 67_349);
  });
});

describe('label mapping suggestions: only where the names correspond', function () {
  it('prefixes, spelling variants and trailing numbers map; unrelated names do not', () => {
    assert.deepEqual(suggestLabelMap(['negative', 'positive'], ['pos', 'neg']), { pos: 'positive', neg: 'negative' });
    assert.deepEqual(suggestLabelMap(['World', 'Sports', 'Business', 'Sci/Tech'], ['sci-tech', 'world']), { 'sci-tech': 'Sci/Tech', world: 'World' });
    assert.deepEqual(suggestLabelMap(['LABEL_0', 'LABEL_1'], ['1', '0']), { 1: 'LABEL_1', 0: 'LABEL_0' });
    assert.equal(suggestLabelMap(['negative', 'positive'], ['ham', 'spam']), undefined);
    assert.equal(suggestLabelMap(['negative', 'positive'], ['pos', 'spam']), undefined, 'not a half-right mapping');
    assert.equal(suggestLabelMap(['positive', 'postal'], ['pos']), undefined, 'ambiguous');
  });

  it('the mismatch error carries both label sets and the suggestion, or says that no mapping fits', () => {
    const mismatch = (golds: Record<string, number>) => {
      try {
        createLabelMapping(['negative', 'positive'], new Map(Object.entries(golds)));
      } catch (error) {
        assert.ok(error instanceof LabelMappingError);
        return error;
      }
      assert.fail('no error');
    };
    const spam = mismatch({ ham: 3, spam: 2 });
    assert.deepEqual(spam.mismatch, { datasetLabels: [['ham', 3], ['spam', 2]], modelLabels: ['negative', 'positive'], suggestedMap: undefined });
    assert.match(spam.message, /The names do not correspond, so no mapping fits/);
    assert.doesNotMatch(spam.message, /ham=|spam=/);
    const short = mismatch({ pos: 3, neg: 2 });
    assert.deepEqual(short.mismatch?.suggestedMap, { pos: 'positive', neg: 'negative' });
    assert.match(short.message, /give the label mapping pos=positive,neg=negative/);
  });
});

describe('label names for the Datasets view', function () {
  it("ids are named by classes.txt beside the dataset, else by the model's labels through the evaluation's mapping", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-label-names-'));
    try {
      const counts = new Map([['1', 10], ['3', 4], ['2', 6], ['4', 1]]);
      const file = path.join(dir, 'test.csv');
      const model = { labels: ['a', 'b', 'c', 'd'] };
      assert.deepEqual([...labelNames(file, counts, model)], [['1', 'a'], ['3', 'c'], ['2', 'b'], ['4', 'd']], 'one-based, as the evaluation maps them');
      fs.writeFileSync(path.join(dir, 'classes.txt'), 'World\nSports\nBusiness\nSci/Tech\n');
      const names = labelNames(file, counts, model);
      assert.equal(labelWithName('1', names), '1 · World');
      assert.equal(labelWithName('4', names), '4 · Sci/Tech');
      assert.equal(labelNames(file, new Map([['positive', 1]]), { labels: ['negative', 'positive'] }).size, 0, 'names need no name');
      assert.equal(labelNames(path.join(dir, 'x.csv'), new Map([['ham', 1]]), { labels: ['negative', 'positive'] }).size, 0, 'a model whose labels do not fit names nothing');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('columns in plain words', () => {
    assert.equal(describeColumns(['2', '3'], '1', false), 'text from column 2 and column 3, label from column 1');
    assert.equal(describeColumns(['title', 'comment'], 'mood', true), 'text from title and comment, label from mood');
    assert.equal(describeColumns(['sentence'], 'label', true), 'text from sentence, label from label');
  });
});
