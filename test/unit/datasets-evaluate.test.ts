import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../../src/engine/engine';
import { evaluate, EvaluationProgress, likelyLabelErrors, rowsInCell } from '../../src/datasets/evaluate';
import { LabelMappingError } from '../../src/datasets/labels';
import { computeMetrics } from '../../src/datasets/metrics';
import { bundledModel, datasetOrSkip, repoRoot } from '../support/paths';

const fixture = (name: string) => path.join(repoRoot, 'test', 'fixtures', 'datasets', name);

/** The accuracy the model card states (its machine-readable JSON block). */
function modelCardAccuracy(modelDir: string): number {
  const card = fs.readFileSync(path.join(modelDir, 'MODEL_CARD.md'), 'utf8');
  const json = /```json\n([\s\S]*?)\n```/.exec(card);
  if (!json) throw new Error(`${modelDir}/MODEL_CARD.md has no json block`);
  return JSON.parse(json[1]).accuracy;
}

describe('datasets: evaluate with the real engine and the bundled sentiment model', function () {
  let engine: Engine;
  const classify = (texts: string[], signal?: AbortSignal) => engine.classify(texts, { signal });

  before(async () => (engine = await Engine.load(bundledModel('sentiment-sst2'))));
  after(async () => engine?.dispose());

  it('scores every row of a CSV; the metrics agree with the per-row predictions', async () => {
    const report = await evaluate(fixture('reviews.csv'), { labels: engine.model.labels }, classify);
    assert.deepEqual([report.total, report.evaluated, report.skipped], [5, 5, 0]);
    assert.deepEqual(report.predictions.map((row) => row.line), [2, 3, 7, 8, 9]);
    assert.equal(report.labelMapping, 'name');
    for (const row of report.predictions) {
      assert.equal(row.scores.length, 2);
      assert.ok(Math.abs(row.scores[0] + row.scores[1] - 1) < 1e-5, 'softmax scores sum to 1');
      assert.equal(row.confidence, Math.max(...row.scores));
      assert.equal(row.predicted, engine.model.labels[row.scores.indexOf(row.confidence)]);
    }
    const recomputed = computeMetrics(
      report.labels,
      report.predictions.map((row) => report.labels.indexOf(row.goldLabel)),
      report.predictions.map((row) => report.labels.indexOf(row.predicted)),
      report.predictions.map((row) => row.confidence),
    );
    assert.deepEqual({ ...report, dataset: undefined }, { ...report, ...recomputed, dataset: undefined });
    assert.equal(report.confusionMatrix.flat().reduce((sum, cell) => sum + cell, 0), report.evaluated);
    report.labels.forEach((gold, row) => report.labels.forEach((predicted, column) => assert.equal(rowsInCell(report.predictions, gold, predicted).length, report.confusionMatrix[row][column])));
  });

  it('ranks likely label errors: rows the model contradicts, most confident first', async () => {
    // With the gold labels inverted by the mapping, the rows the model gets right become the label errors.
    const truthful = await evaluate(fixture('sst2-layout.tsv'), { labels: engine.model.labels }, classify);
    const inverted = await evaluate(fixture('sst2-layout.tsv'), { labels: engine.model.labels, labelMap: { '0': 'positive', '1': 'negative' } }, classify);
    const errors = likelyLabelErrors(inverted.predictions);
    const rightBefore = truthful.predictions.filter((row) => row.predicted === row.goldLabel);
    assert.ok(rightBefore.length >= 4, 'the model gets most of these six SST-2-style sentences right');
    assert.deepEqual(errors.map((row) => row.line).sort(), rightBefore.map((row) => row.line).sort());
    for (let index = 1; index < errors.length; index++) assert.ok(errors[index - 1].confidence >= errors[index].confidence);
  });

  it('accounts for every row of a bad file: evaluated + skipped == total, skipped rows with line and reason', async () => {
    const report = await evaluate(fixture('bad.csv'), { labels: engine.model.labels }, classify);
    assert.equal(report.total, 10);
    assert.equal(report.evaluated + report.skipped, report.total);
    assert.deepEqual(report.predictions.map((row) => row.line), [2, 8, 11, 12]);
    assert.deepEqual(
      report.skippedRows.map(({ line, reason }) => [line, reason]),
      [[3, 'malformed'], [4, 'empty text'], [5, 'label not known to the model'], [6, 'invalid UTF-8'], [10, 'missing label'], [13, 'malformed']],
    );
    assert.deepEqual(report.skippedByReason, { malformed: 2, 'empty text': 1, 'label not known to the model': 1, 'invalid UTF-8': 1, 'missing label': 1 });
  });

  it('refuses a dataset whose labels do not fit the model, listing the model labels', async () => {
    await assert.rejects(evaluate(fixture('spam-collection'), { labels: engine.model.labels }, classify), (error: Error) => {
      assert.ok(error instanceof LabelMappingError);
      assert.match(error.message, /the model's labels are: negative, positive/);
      return true;
    });
    const mapped = await evaluate(fixture('spam-collection'), { labels: engine.model.labels, labelMap: { ham: 'positive', spam: 'negative' } }, classify);
    assert.deepEqual([mapped.evaluated, mapped.labelMapping], [5, 'explicit']);
  });

  it('reports progress per batch and stops when cancelled, without classifying the rest', async () => {
    const controller = new AbortController();
    const seen: EvaluationProgress[] = [];
    let classified = 0;
    await assert.rejects(
      evaluate(
        fixture('sst2-layout.tsv'),
        {
          labels: engine.model.labels,
          batchSize: 2,
          signal: controller.signal,
          onProgress: (progress) => {
            seen.push(progress);
            controller.abort(new Error('cancelled by the test'));
          },
        },
        async (texts, signal) => {
          classified += texts.length;
          return classify(texts, signal);
        },
      ),
      /cancelled by the test/,
    );
    assert.equal(seen.length, 1);
    assert.equal(seen[0].evaluated, 2);
    assert.ok(classified <= 4, `classified ${classified} of 6 rows after cancelling`);
  });

  it('progress within a large batch follows the engine, never the reader running ahead', async function () {
    const dev = datasetOrSkip(this, 'sst2/dev.tsv');
    const seen: EvaluationProgress[] = [];
    let classified = 0;
    const report = await evaluate(dev, { labels: engine.model.labels, batchSize: 4096, keepPredictions: false, onProgress: (progress) => seen.push(progress) }, async (texts, signal, onProgress) => {
      const before = classified;
      const results = await engine.classify(texts, {
        signal,
        onProgress: (done, total) => {
          onProgress?.(done, total);
          if (done < total) assert.equal(seen.at(-1)?.evaluated, before + done, 'reported as the engine finishes texts');
        },
      });
      classified += texts.length;
      return results;
    });
    assert.equal(report.evaluated, 872);
    assert.equal(classified, 872);
    assert.ok(seen.length > 10, `${seen.length} progress reports in two calls (256 texts, then 616)`);
    for (let index = 1; index < seen.length; index++) {
      assert.ok(seen[index].evaluated >= seen[index - 1].evaluated && seen[index].bytesRead >= seen[index - 1].bytesRead);
    }
    for (const progress of seen) assert.equal(progress.rows, progress.evaluated, 'no skipped rows: rows done == rows evaluated');
    assert.ok(seen[0].bytesRead < seen[0].totalBytes, 'bytes pro rata, not the whole file read ahead');
    assert.deepEqual([seen.at(-1)!.rows, seen.at(-1)!.evaluated, seen.at(-1)!.bytesRead], [872, 872, seen.at(-1)!.totalBytes]);
  });

  it('SST-2 dev: 872 rows, accuracy exactly as the model card states', async function () {
    const dev = datasetOrSkip(this, 'sst2/dev.tsv');
    const report = await evaluate(dev, { labels: engine.model.labels, keepPredictions: false }, classify);
    assert.deepEqual([report.total, report.evaluated, report.skipped], [872, 872, 0]);
    assert.equal(report.labelMapping, 'zero-based index');
    assert.equal(Number(report.accuracy.toFixed(6)), modelCardAccuracy(bundledModel('sentiment-sst2')));
    assert.equal(report.predictions.length, 0);
  });
});

describe('datasets: evaluate AG News with the bundled news-topic model', function () {
  it("the model card's held-out rows (split.json) give exactly the card's accuracy and macro-F1", async function () {
    const testCsv = datasetOrSkip(this, 'ag_news/test.csv');
    const modelDir = bundledModel('news-topic');
    const split = JSON.parse(fs.readFileSync(path.join(modelDir, 'split.json'), 'utf8')) as { eval: number[] };
    // test.csv has one record per line, so the held-out rows are these lines.
    const lines = fs.readFileSync(testCsv, 'utf8').split('\n');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-agnews-'));
    const heldOut = path.join(dir, 'eval.csv');
    fs.writeFileSync(heldOut, split.eval.map((index) => `${lines[index]}\n`).join(''));
    const engine = await Engine.load(modelDir);
    try {
      const report = await evaluate(heldOut, { labels: engine.model.labels, keepPredictions: false }, (texts, signal) => engine.classify(texts, { signal }));
      const card = JSON.parse(/```json\n([\s\S]*?)\n```/.exec(fs.readFileSync(path.join(modelDir, 'MODEL_CARD.md'), 'utf8'))![1]);
      assert.deepEqual([report.total, report.evaluated, report.labelMapping, report.dataset.textColumns], [card.rows, card.rows, 'one-based index', ['2', '3']]);
      assert.equal(Number(report.accuracy.toFixed(6)), card.accuracy);
      assert.equal(Number(report.macroF1.toFixed(6)), card.macro_f1);
    } finally {
      await engine.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
