// Evaluate Model on Dataset and the report in a real VS Code, with the real worker and models:
// the same accuracy as `textclf evaluate`, every skipped row accounted for, cancellation within a
// second leaving nothing behind, export and copy, and the extension host's event loop during a run.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import * as vscode from 'vscode';
import type { EvaluationRecord } from '../../../src/evaluation/store';
import type { LabelMismatchOutcome } from '../../../src/views/datasets/labelMismatch';
import { bundledModel, datasetOrSkip, repoRoot } from '../../support/paths';
import { extensionApi } from '../helpers';
import { assertEventLoopTurned, copyDatasetFixtures } from './datasets.test';

const run = promisify(execFile);

/** `textclf evaluate --format json` on a file, with the same (bundled) node the extension host runs on. */
async function cliEvaluate(file: string, model = bundledModel('sentiment-sst2')) {
  const { stdout } = await run(process.execPath, [path.join(repoRoot, 'bin', 'textclf.js'), 'evaluate', '--format', 'json', '--model', model, file], {
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout) as { accuracy: number; confusion_matrix: number[][]; evaluated: number; total: number; macro_f1: number };
}

function evaluateCommand(file: string): Thenable<EvaluationRecord | undefined> {
  return vscode.commands.executeCommand<EvaluationRecord | undefined>('textClassifier.evaluateDataset', file, { openReport: false });
}

const sum = (matrix: number[][]) => matrix.flat().reduce((total, cell) => total + cell, 0);

describe('evaluation and report', function () {
  this.timeout(120_000);
  let folder: string;

  before(async () => {
    const api = await extensionApi();
    folder = copyDatasetFixtures();
    await api.models.ensureLoaded();
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('SST-2 dev: the accuracy of textclf evaluate, the matrix sums to the evaluated rows, the result is stored', async function () {
    const dev = datasetOrSkip(this, 'sst2/dev.tsv');
    const api = await extensionApi();
    const [cli, record] = await Promise.all([cliEvaluate(dev), evaluateCommand(dev)]);
    assert.ok(record, 'the evaluation ran (see the error it showed)');
    const { result } = record;
    assert.equal(result.accuracy, cli.accuracy);
    assert.equal(result.macroF1, cli.macro_f1);
    assert.deepEqual(result.confusionMatrix, cli.confusion_matrix);
    assert.equal(result.evaluated, 872);
    assert.equal(sum(result.confusionMatrix), result.evaluated);
    assert.equal(result.evaluated + result.skipped, result.total);
    assert.equal(record.model.name, 'sentiment-sst2');

    const stored = await api.evaluations.store.get(dev, record.model.dir);
    assert.equal(stored?.result.accuracy, cli.accuracy, 'kept in workspace storage');
    const predictions = fs.readFileSync(api.evaluations.store.predictionsFile(record), 'utf8').trim().split('\n');
    assert.equal(predictions.length, 872, 'every evaluated row has its prediction');
    // Cell rows and likely label errors: rows of the right cell, most confident first.
    const [negative, positive] = record.model.labels.map((_, index) => index);
    const cell = result.cellRows[negative][positive];
    assert.equal(cell.length, Math.min(200, result.confusionMatrix[negative][positive]));
    assert.ok(cell.every((row) => row.goldLabel === 'negative' && row.predicted === 'positive'));
    assert.ok(result.likelyErrors.every((row, index) => row.predicted !== row.goldLabel && (index === 0 || result.likelyErrors[index - 1].confidence >= row.confidence)));
    assert.equal(result.confidenceHistogram.reduce((total, count) => total + count, 0), result.evaluated);
  });

  it('a dataset with malformed rows, empty texts, unknown labels and invalid UTF-8 lists each skipped row with its line; totals add up', async () => {
    const record = await evaluateCommand(path.join(folder, 'messy.csv'));
    assert.ok(record);
    const { result } = record;
    assert.deepEqual(
      result.skippedRows.map((row) => [row.line, row.reason]),
      [
        [3, 'malformed'],
        [4, 'empty text'],
        [5, 'label not known to the model'],
        [6, 'invalid UTF-8'],
        [8, 'missing label'],
      ],
    );
    assert.equal(result.total, 9);
    assert.equal(result.evaluated, 4);
    assert.equal(result.evaluated + result.skipped, result.total);
    assert.equal(sum(result.confusionMatrix), result.evaluated);
    assert.deepEqual(result.skippedByReason, { malformed: 1, 'empty text': 1, 'label not known to the model': 1, 'invalid UTF-8': 1, 'missing label': 1 });

    // The dataset node shows the last accuracy.
    const api = await extensionApi();
    api.datasets.refresh();
    const node = (await api.datasets.getChildren()).find((candidate) => candidate.kind === 'dataset' && candidate.file.path === record.datasetPath);
    assert.ok(node);
    api.datasets.getTreeItem(node);
    await api.datasets.summaries.whenIdle(); // the fixtures were copied again: counted anew
    assert.match(String(api.datasets.getTreeItem(node).description), new RegExp(`^9 rows · acc ${(result.accuracy * 100).toFixed(1)} % · text from text, label from label$`));
    assert.equal(api.datasets.getTreeItem(node).contextValue, 'dataset.evaluated');
  });

  it('the report opens in a webview with a strict content security policy and no remote resources', async () => {
    const api = await extensionApi();
    const record = await evaluateCommand(path.join(folder, 'reviews.csv'));
    assert.ok(record);
    await vscode.commands.executeCommand('textClassifier.openReport', path.join(folder, 'reviews.csv'));
    const panel = api.reports.panel(record.id);
    assert.ok(panel, 'a report panel is open');
    assert.equal(panel.title, 'Report: reviews.csv · sentiment-sst2');
    const html = panel.webview.html;
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    assert.ok(csp, 'a CSP meta tag');
    assert.match(csp, /default-src 'none'/);
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce && nonce.length >= 16, 'scripts only with a nonce');
    assert.ok(!/unsafe-inline|unsafe-eval/.test(csp));
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((match) => match[1]);
    assert.ok(scripts.length > 0 && scripts.every((attributes) => attributes.includes(`nonce="${nonce}"`)));
    assert.ok(!/(src|href)="https?:\/\/(?!.*vscode-cdn|.*vscode-resource)/.test(html), 'no remote resources');
    for (const file of ['report.js', 'report.css']) assert.ok(fs.existsSync(path.join(repoRoot, 'media', 'report', file)));
    assert.equal(api.reports.activeRecord?.id, record.id);
  });

  it('exports predictions as CSV and JSONL and copies the metrics as a Markdown table', async () => {
    const file = path.join(folder, 'reviews.csv');
    const record = await evaluateCommand(file);
    assert.ok(record);
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-export-'));
    try {
      const csvFile = path.join(out, 'predictions.csv');
      await vscode.commands.executeCommand('textClassifier.exportPredictions', record, 'csv', vscode.Uri.file(csvFile));
      const rows = parse(fs.readFileSync(csvFile), { columns: true }) as Record<string, string>[];
      assert.equal(rows.length, record.result.evaluated);
      assert.deepEqual(Object.keys(rows[0]), ['line', 'text', 'gold', 'predicted', 'confidence', 'score_negative', 'score_positive']);
      assert.equal(rows[0].text, 'This movie was wonderful,\nfull of heart.', 'a multi-line text survives the CSV round trip');
      assert.ok(Math.abs(Number(rows[0].score_negative) + Number(rows[0].score_positive) - 1) < 1e-5);

      const jsonlFile = path.join(out, 'predictions.jsonl');
      await vscode.commands.executeCommand('textClassifier.exportPredictions', record, 'jsonl', vscode.Uri.file(jsonlFile));
      const lines = fs.readFileSync(jsonlFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
      assert.equal(lines.length, record.result.evaluated);
      assert.deepEqual(Object.keys(lines[2].scores), ['negative', 'positive']);
      assert.equal(lines[2].line, 5);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }

    const markdown = await vscode.commands.executeCommand<string>('textClassifier.copyMetrics', record);
    assert.equal(await vscode.env.clipboard.readText(), markdown);
    assert.match(markdown, /\| label \| precision \| recall \| F1 \| support \|/);
    assert.match(markdown, new RegExp(`accuracy \\*\\*${(record.result.accuracy * 100).toFixed(2)} %\\*\\*`));
    for (const row of record.result.perClass) assert.match(markdown, new RegExp(`\\| ${row.label} \\| .* \\| ${row.support} \\|`));
  });

  it('cancelling the evaluation of a large generated dataset stops it within a second and leaves no result', async () => {
    const api = await extensionApi();
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-cancel-')), 'large.csv');
    const words = ['good', 'bad', 'film', 'plot', 'great', 'awful', 'music', 'story', 'actors', 'boring'];
    const rows = Array.from({ length: 50_000 }, (_, index) => `${Array.from({ length: 12 }, (_, word) => words[(index * 7 + word * 3) % words.length]).join(' ')},${index % 2 ? 'positive' : 'negative'}`);
    fs.writeFileSync(file, `text,label\n${rows.join('\n')}\n`);
    const model = await api.models.ensureLoaded();
    const cancel = new AbortController();
    let rowsAtCancel = 0;
    let cancelledAt = 0;
    const running = api.evaluations.run(file, {}, {
      signal: cancel.signal,
      onProgress: (progress) => {
        if (cancelledAt || progress.evaluated < 1000) return;
        rowsAtCancel = progress.rows;
        cancelledAt = performance.now();
        cancel.abort();
      },
    });
    await assert.rejects(running, /cancelled/);
    const rejectedMs = performance.now() - cancelledAt;
    // The worker stops too: its queue is empty and it answers the next request.
    let status = await api.client.status();
    while (status.workerQueue > 0 && performance.now() - cancelledAt < 5000) status = await api.client.status();
    const stoppedMs = performance.now() - cancelledAt;
    console.log(`      cancelled after ${rowsAtCancel} rows: rejected in ${rejectedMs.toFixed(0)} ms, worker idle after ${stoppedMs.toFixed(0)} ms`);
    assert.ok(rowsAtCancel < rows.length, 'cancelled while running');
    assert.ok(stoppedMs < 1000, `the worker stopped ${stoppedMs.toFixed(0)} ms after the cancel`);
    assert.equal(await api.evaluations.store.get(file, model.dir), undefined, 'no result kept');
    assert.deepEqual(fs.readdirSync(api.evaluations.store.root).filter((name) => name.startsWith('.partial')), [], 'no partial folder left');
    const again = await api.client.classify(['still works']);
    assert.equal(again.length, 1);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  it('a dataset whose labels do not fit the model offers Select Model…, Train on This Dataset… and Choose Columns…, and a mapping only where the names correspond', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-mismatch-'));
    try {
      const spam = path.join(dir, 'sms.tsv');
      fs.writeFileSync(spam, 'label\ttext\nham\tSee you at lunch\nspam\tWIN a free prize now\nham\tOk, call me later\n');
      const outcome = await vscode.commands.executeCommand<LabelMismatchOutcome>('textClassifier.evaluateDataset', spam, { openReport: false });
      assert.deepEqual(outcome.actions, ['Select Model…', 'Train on This Dataset…', 'Choose Columns…']);
      assert.equal(outcome.labelMismatch.suggestedMap, undefined);
      assert.deepEqual(outcome.labelMismatch.modelLabels, ['negative', 'positive']);
      assert.doesNotMatch(outcome.message, /ham=|spam=/, 'no mapping between unrelated names');
      assert.match(outcome.message, /Dataset labels: ham \(2\), spam \(1\)/);

      const short = path.join(dir, 'short.tsv');
      fs.writeFileSync(short, 'label\ttext\npos\tA warm, funny film\nneg\tA dull, tired film\n');
      const named = await vscode.commands.executeCommand<LabelMismatchOutcome>('textClassifier.evaluateDataset', short, { openReport: false });
      assert.deepEqual(named.labelMismatch.suggestedMap, { pos: 'positive', neg: 'negative' });
      assert.deepEqual(named.actions, ['Use Mapping pos=positive,neg=negative', 'Select Model…', 'Train on This Dataset…', 'Choose Columns…']);
    } finally {
      await vscode.commands.executeCommand('notifications.clearAll');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('AG News test with the news-topic model: the extension host event loop during the evaluation; the 6,000 training rows are reported, and the held-out evaluation gives the model card accuracy', async function () {
    const file = datasetOrSkip(this, 'ag_news/test.csv');
    const api = await extensionApi();
    await vscode.commands.executeCommand('textClassifier.selectModel', bundledModel('news-topic'));
    try {
      const lag = monitorEventLoopDelay({ resolution: 10 });
      lag.enable();
      const started = performance.now();
      const record = await evaluateCommand(file);
      const seconds = (performance.now() - started) / 1000;
      lag.disable();
      assert.ok(record);
      const maxStallMs = lag.max / 1e6;
      console.log(`      AG News: ${record.result.evaluated} rows at ${record.result.rowsPerSecond.toFixed(0)} rows/s, accuracy ${(record.result.accuracy * 100).toFixed(2)} %; extension host event loop max delay ${maxStallMs.toFixed(1)} ms, p99 ${(lag.percentile(99) / 1e6).toFixed(1)} ms`);
      assert.equal(record.result.evaluated, 7600);
      assert.equal(sum(record.result.confusionMatrix), 7600);
      assertEventLoopTurned(lag, seconds, 'during the evaluation');

      const overlap = record.result.trainingOverlap;
      assert.ok(overlap, 'test.csv holds the rows news-topic was trained on (its training manifest lists them)');
      assert.equal(overlap.rows, 6000);
      assert.equal(overlap.match, 'same file');
      assert.equal(overlap.excluded, false);
      assert.equal(overlap.heldOut.evaluated, 1600);
      assert.equal(Number(overlap.heldOut.accuracy.toFixed(6)), 0.8625, "the model card's held-out accuracy");
      // The report's "Evaluate Held-Out Rows Only" runs this command.
      const heldOut = await vscode.commands.executeCommand<EvaluationRecord>('textClassifier.evaluateDataset', file, { openReport: false, heldOutOnly: true });
      assert.equal(heldOut.result.evaluated, 1600);
      assert.equal(heldOut.result.accuracy, overlap.heldOut.accuracy);
      assert.equal(heldOut.result.macroF1, overlap.heldOut.macroF1);
      assert.deepEqual({ rows: heldOut.result.trainingOverlap?.rows, excluded: heldOut.result.trainingOverlap?.excluded }, { rows: 6000, excluded: true });
      assert.equal((await api.evaluations.store.get(file, record.model.dir))?.result.trainingOverlap?.excluded, true, 'the stored result says the training rows were left out');
    } finally {
      await vscode.commands.executeCommand('textClassifier.selectModel', bundledModel('sentiment-sst2'));
    }
  });
});
