// The worker side of Evaluate Model on Dataset (src/engine/evaluationJob.ts) with the real engine, and the
// report's plain parts: predictions export, Markdown metrics, the progress line.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { Engine } from '../../src/engine/engine';
import { likelyLabelErrors, Prediction } from '../../src/datasets/evaluate';
import { runEvaluationJob } from '../../src/engine/evaluationJob';
import type { EvaluationJobResult } from '../../src/evaluation/types';
import { describeProgress, formatDuration } from '../../src/evaluation/progress';
import type { EvaluationRecord } from '../../src/evaluation/store';
import { exportPredictions } from '../../src/evaluation/exportPredictions';
import { metricsMarkdown } from '../../src/views/report/markdown';
import { bundledModel, datasetOrSkip, repoRoot } from '../support/paths';

const fixture = (name: string) => path.join(repoRoot, 'test', 'integration', 'fixtures', 'datasets', name);

describe('evaluation job (worker side) with the real engine', function () {
  let engine: Engine;
  let scratch: string;
  const classify = (texts: string[], signal?: AbortSignal) => engine.classify(texts, { signal });

  before(async () => {
    engine = await Engine.load(bundledModel('sentiment-sst2'));
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-evaluation-'));
  });
  after(async () => {
    await engine?.dispose();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  const readPredictions = (file: string): Prediction[] => fs.readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Prediction);

  it('SST-2 dev in small batches: bounded cell rows and likely label errors equal those of all predictions', async function () {
    const dev = datasetOrSkip(this, 'sst2/dev.tsv');
    const predictionsFile = path.join(scratch, 'dev.jsonl');
    const result = await runEvaluationJob({ datasetPath: dev, predictionsFile, batchSize: 100, rowsPerCell: 5, likelyErrors: 10 }, engine.model.labels, classify);
    const all = readPredictions(predictionsFile);
    assert.equal(all.length, 872);
    assert.equal(result.evaluated, 872);
    assert.deepEqual(result.likelyErrors, likelyLabelErrors(all, 10), 'the same ranking as over every prediction at once');
    engine.model.labels.forEach((gold, goldIndex) =>
      engine.model.labels.forEach((predicted, predictedIndex) => {
        const expected = all
          .filter((row) => row.goldLabel === gold && row.predicted === predicted)
          .sort((a, b) => b.confidence - a.confidence || a.line - b.line)
          .slice(0, 5);
        assert.deepEqual(result.cellRows[goldIndex][predictedIndex], expected, `cell ${gold} -> ${predicted}`);
      }),
    );
    assert.equal(result.confidenceHistogram.reduce((sum, count) => sum + count, 0), 872);
    const confident = all.filter((row) => row.confidence > 0.95).length;
    assert.equal(result.confidenceHistogram[19], confident, 'the last of 20 bins holds confidences in (0.95, 1]');
    assert.ok(!('predictions' in result), 'predictions go to the file, not the result');
  });

  it('a file with bad rows: every row evaluated or skipped, predictions for the evaluated ones only', async () => {
    const predictionsFile = path.join(scratch, 'messy.jsonl');
    const result = await runEvaluationJob({ datasetPath: fixture('messy.csv'), predictionsFile }, engine.model.labels, classify);
    assert.deepEqual([result.total, result.evaluated, result.skipped], [9, 4, 5]);
    assert.deepEqual(readPredictions(predictionsFile).map((row) => row.line), [2, 7, 9, 10]);
  });

  it('stops when cancelled and closes its predictions file', async () => {
    const file = path.join(scratch, 'many.csv');
    fs.writeFileSync(file, `text,label\n${Array.from({ length: 3000 }, (_, index) => `sentence number ${index} is fine,positive`).join('\n')}\n`);
    const cancel = new AbortController();
    const running = runEvaluationJob({ datasetPath: file, predictionsFile: path.join(scratch, 'many.jsonl'), batchSize: 200 }, engine.model.labels, classify, {
      signal: cancel.signal,
      onProgress: (progress) => progress.evaluated >= 200 && cancel.abort(),
    });
    await assert.rejects(running, (error: Error) => error.name === 'AbortError');
    fs.rmSync(path.join(scratch, 'many.jsonl')); // closed: removable on every platform
  });
});

describe('report: export, Markdown, progress line', () => {
  let scratch: string;
  const labels = ['negative', 'positive'];
  const rows: Prediction[] = [
    { line: 2, text: 'Great, "really" great\nfilm', gold: '1', goldLabel: 'positive', predicted: 'positive', confidence: 0.9, scores: [0.1, 0.9] },
    { line: 4, text: 'Dull', gold: '0', goldLabel: 'negative', predicted: 'positive', confidence: 0.6, scores: [0.4, 0.6] },
  ];

  before(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-report-'));
    fs.writeFileSync(path.join(scratch, 'predictions.jsonl'), rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
  });
  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it('exports CSV with one score column per label; quotes, commas and line breaks survive', async () => {
    const target = path.join(scratch, 'out.csv');
    assert.equal(await exportPredictions(path.join(scratch, 'predictions.jsonl'), labels, target, 'csv'), 2);
    const parsed = parse(fs.readFileSync(target), { columns: true }) as Record<string, string>[];
    assert.deepEqual(parsed[0], { line: '2', text: 'Great, "really" great\nfilm', gold: '1', predicted: 'positive', confidence: '0.9', score_negative: '0.1', score_positive: '0.9' });
    assert.equal(parsed[1].predicted, 'positive');
  });

  it('exports JSONL with scores by label name', async () => {
    const target = path.join(scratch, 'out.jsonl');
    await exportPredictions(path.join(scratch, 'predictions.jsonl'), labels, target, 'jsonl');
    const lines = fs.readFileSync(target, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    assert.deepEqual(lines[1], { line: 4, text: 'Dull', gold: '0', predicted: 'positive', confidence: 0.6, scores: { negative: 0.4, positive: 0.6 } });
  });

  it('a failed export leaves neither the target nor a partial file', async () => {
    const target = path.join(scratch, 'failed.csv');
    await assert.rejects(exportPredictions(path.join(scratch, 'missing.jsonl'), labels, target, 'csv'), /ENOENT/);
    assert.deepEqual(fs.readdirSync(scratch).filter((name) => name.includes('failed')), []);
  });

  it('writes the metrics as a Markdown table', () => {
    const result = {
      labels,
      accuracy: 0.5,
      macroF1: 0.3333,
      weightedF1: 0.3333,
      macroPrecision: 0.25,
      macroRecall: 0.5,
      expectedCalibrationError: 0.25,
      evaluated: 2,
      total: 3,
      skipped: 1,
      perClass: [
        { label: 'negative', precision: 0, recall: 0, f1: 0, support: 1 },
        { label: 'pos|itive', precision: 0.5, recall: 1, f1: 0.6667, support: 1 },
      ],
    } as unknown as EvaluationJobResult;
    const record = { datasetPath: '/data/reviews.csv', model: { name: 'sentiment-sst2', dir: '/m', labels }, result } as EvaluationRecord;
    const markdown = metricsMarkdown(record);
    assert.match(markdown, /^\*\*sentiment-sst2\*\* on `reviews.csv`: 2 of 3 rows evaluated \(1 skipped\), accuracy \*\*50.00 %\*\*/);
    assert.match(markdown, /\n\| label \| precision \| recall \| F1 \| support \|\n\| --- \| ---: \| ---: \| ---: \| ---: \|\n/);
    assert.match(markdown, /\| pos\\\|itive \| 50.00 % \| 100.00 % \| 66.67 % \| 1 \|/);
    assert.match(markdown, /\| macro avg \| 25.00 % \| 50.00 % \| 33.33 % \| 2 \|/);
  });

  it('the progress line has rows, rows/s and the time left', () => {
    const line = describeProgress({ rows: 1500, evaluated: 1490, skipped: 10, rowsPerSecond: 750.4, bytesRead: 250, totalBytes: 1000, elapsedSeconds: 2 });
    assert.equal(line, '1,500 rows · 750 rows/s · about 6 s left · 10 skipped');
    assert.equal(formatDuration(125), '2 min 5 s');
    assert.equal(formatDuration(7300), '2 h 1 min');
  });
});
