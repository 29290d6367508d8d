// Compare Evaluations… in a real VS Code, with the real training process, worker and models: a linear head
// trained from the bundled sentiment model on 2,000 SST-2 rows is evaluated with its base model on the same
// test split (as Train Classifier… does), and the two evaluations open side by side in the comparison page.
// What the page got is checked against both runs' stored predictions, counted again here.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Prediction } from '../../../src/datasets/evaluate';
import type { TrainingResult } from '../../../src/editor/training';
import type { Comparison } from '../../../src/evaluation/compare';
import type { EvaluationRecord } from '../../../src/evaluation/store';
import { bundledModel, datasetOrSkip, repoRoot } from '../../support/paths';
import { extensionApi, workspaceFile } from '../helpers';

const sentiment = bundledModel('sentiment-sst2');

function compareCommand(a: EvaluationRecord, b: EvaluationRecord): Thenable<Comparison | undefined> {
  return vscode.commands.executeCommand<Comparison | undefined>('textClassifier.compareEvaluations', a, b);
}

describe('Compare Evaluations…', function () {
  this.timeout(600_000);
  let scratch: string;
  let training: TrainingResult;

  before(async function () {
    const sst2Train = datasetOrSkip(this, 'sst2/train.tsv');
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-compare-'));
    await vscode.commands.executeCommand('textClassifier.selectModel', sentiment);
    // 2,000 SST-2 training rows with the base model's label names: a seeded 80/10/10 split, 200 test rows.
    const file = path.join(scratch, 'sentiment-2000.tsv');
    const rows = fs.readFileSync(sst2Train, 'utf8').split('\n').slice(1, 2001).map((row) => row.replace(/\t0$/, '\tnegative').replace(/\t1$/, '\tpositive'));
    fs.writeFileSync(file, `sentence\tlabel\n${rows.join('\n')}\n`);
    const result = await vscode.commands.executeCommand<TrainingResult | undefined>('textClassifier.trainClassifier', {
      dataset: file, method: 'linear-head', baseModel: sentiment, output: path.join(scratch, 'sentiment-head'), openReport: false,
    });
    assert.ok(result?.base, `trained, and the base model evaluated on the test split (${JSON.stringify((await extensionApi()).training.lastOutcome)})`);
    training = result;
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
    fs.rmSync(workspaceFile('training-splits').fsPath, { recursive: true, force: true });
  });

  it('base model vs trained model on the test split: the page gets the metrics, both matrices and the differing rows of the stored predictions', async () => {
    const api = await extensionApi();
    const { base, trained } = training as Required<TrainingResult>;
    const comparison = await compareCommand(base, trained);
    assert.ok(comparison, 'the comparison opened (see the error it showed)');

    const panel = api.comparisons.panel(base, trained);
    assert.ok(panel, 'a comparison panel is open');
    assert.equal(panel.title, `Compare: ${path.basename(base.datasetPath)} · sentiment-sst2 vs sentiment-head`);
    const html = panel.webview.html;
    const nonce = /script-src 'nonce-([^']+)'/.exec(html)?.[1];
    assert.ok(nonce, 'scripts only with a nonce');
    assert.deepEqual([...html.matchAll(/<script nonce="([^"]+)" src="[^"]*\/media\/report\/([a-z]+\.js)"/g)].map((match) => [match[1], match[2]]), [[nonce, 'common.js'], [nonce, 'compare.js']]);
    for (const file of ['common.js', 'compare.js', 'compare.css']) assert.ok(fs.existsSync(path.join(repoRoot, 'media', 'report', file)));

    // Counted again from the two stored predictions files.
    const read = (record: EvaluationRecord): Prediction[] => fs.readFileSync(api.evaluations.store.predictionsFile(record), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Prediction);
    const [a, b] = [read(base), read(trained)];
    assert.equal(a.length, base.result.evaluated);
    assert.deepEqual(a.map((row) => row.line), b.map((row) => row.line));
    const differing = a.flatMap((row, index) => (row.predicted === b[index].predicted ? [] : [{ row, other: b[index] }]));
    console.log(`      ${differing.length} of ${a.length} test rows differ: accuracy ${(base.result.accuracy * 100).toFixed(2)} % -> ${(trained.result.accuracy * 100).toFixed(2)} %`);
    assert.equal(comparison.agreement.compared, a.length);
    assert.equal(comparison.agreement.differ, differing.length);
    assert.equal(comparison.agreement.onlyBRight, differing.filter(({ other }) => other.predicted === other.goldLabel).length);
    assert.deepEqual(comparison.differingRows.map((row) => [row.line, row.a.label, row.b.label, row.b.score]), differing.map(({ row, other }) => [row.line, row.predicted, other.predicted, other.confidence]));
    assert.deepEqual(comparison.metrics.find((metric) => metric.name === 'accuracy'), { name: 'accuracy', a: base.result.accuracy, b: trained.result.accuracy, format: 'percent', better: 'higher' });
    assert.deepEqual(comparison.a.confusionMatrix, base.result.confusionMatrix);
    assert.deepEqual(comparison.b.confusionMatrix, trained.result.confusionMatrix);
    // The bundled model was trained on SST-2's training file, which these rows come from: its manifest tells, and the page says so.
    const overlap = base.result.trainingOverlap;
    assert.ok(overlap && !overlap.excluded, 'the base model\'s training manifest matches the rows');
    assert.deepEqual(comparison.notes, [`${overlap.rows} rows were used to train sentiment-sst2: its metrics here are optimistic.`]);

    // Asked again, the open panel comes to the front with the same comparison.
    assert.deepEqual(await compareCommand(base, trained), comparison);
  });

  it('refuses the same evaluation on both sides with a message, and opens nothing', async () => {
    const api = await extensionApi();
    const { trained } = training;
    assert.equal(await compareCommand(trained, trained), undefined);
    assert.equal(api.comparisons.panel(trained, trained), undefined);
  });

  it('lists every stored evaluation of the dataset for the second pick, the one given first left out', async () => {
    const api = await extensionApi();
    const { base, trained } = training as Required<TrainingResult>;
    const ofDataset = await api.evaluations.store.list(base.datasetPath);
    assert.deepEqual(ofDataset.map((record) => record.id).sort(), [base.id, trained.id].sort());
    assert.ok((await api.evaluations.store.list()).length >= 2);
  });
});
