// Train Classifier… in a real VS Code, with the real training process, worker and models: the linear
// head on SMS Spam from the bundled sentiment encoder (test accuracy, the report of the new model on the
// test split, Use This Model), PyTorch fine-tuning through the same command, a cancel that leaves
// nothing, and bad datasets that end in a clear message instead of a crash.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { checkPytorch } from '../../../src/training/pytorchCheck';
import type { TrainCommandOptions } from '../../../src/views/training/commands';
import type { TrainingResult } from '../../../src/editor/training';
import { bundledModel, datasetOrSkip } from '../../support/paths';
import { extensionApi, setSetting, workspaceFile } from '../helpers';

const sentiment = bundledModel('sentiment-sst2');

function train(options: TrainCommandOptions): Thenable<TrainingResult | undefined> {
  return vscode.commands.executeCommand<TrainingResult | undefined>('textClassifier.trainClassifier', options);
}

/** The result, or a failure that shows what the user was told. */
async function trained(options: TrainCommandOptions): Promise<TrainingResult> {
  const result = await train(options);
  if (!result) assert.fail(`training ended without a model: ${JSON.stringify((await extensionApi()).training.lastOutcome)}`);
  return result;
}

/** Nothing but `expected` in the folder: no staging or swapped-out copies. */
function assertOnlyEntries(folder: string, expected: string[]): void {
  assert.deepEqual(fs.readdirSync(folder).sort(), expected.sort());
}

describe('Train Classifier…', function () {
  this.timeout(600_000);
  let scratch: string;

  before(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-training-'));
    // Whatever an earlier suite left loaded, start from the bundled default model.
    await vscode.commands.executeCommand('textClassifier.selectModel', sentiment);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // The suites after this one expect the bundled default model.
    await vscode.commands.executeCommand('textClassifier.selectModel', sentiment);
    fs.rmSync(scratch, { recursive: true, force: true });
    fs.rmSync(workspaceFile('training-splits').fsPath, { recursive: true, force: true });
  });

  it('linear head on SMS Spam: a loadable model with test accuracy >= 97 %, its report on the test split, and Use This Model switches to it', async function () {
    const sms = datasetOrSkip(this, 'sms_spam/SMSSpamCollection');
    const api = await extensionApi();
    const output = path.join(scratch, 'sms-linear');
    const started = Date.now();
    const result = await trained({ dataset: sms, method: 'linear-head', baseModel: sentiment, output });
    console.log(`      linear head: test accuracy ${(result.report.test.accuracy * 100).toFixed(2)} % on ${result.report.examples.test} examples; ` +
      `features ${(result.report.featuresMs / 1000).toFixed(1)} s, head ${(result.report.trainingMs / 1000).toFixed(1)} s, command ${((Date.now() - started) / 1000).toFixed(1)} s`);

    assert.equal(result.modelDir, output);
    assert.deepEqual(result.report.labels, ['ham', 'spam']);
    assert.match(result.report.split, /80\/10\/10|stratified/i, 'a seeded split was made');
    assert.ok(result.report.test.accuracy >= 0.97, `test accuracy ${result.report.test.accuracy}`);
    assertOnlyEntries(scratch, ['sms-linear']);
    for (const file of ['config.json', 'tokenizer.json', 'onnx/model.onnx', 'MODEL_CARD.md']) assert.ok(fs.existsSync(path.join(output, file)), file);

    // The report: the written model, loaded by a worker, on the same test examples.
    const { trained: record } = result;
    assert.equal(record.model.dir, output);
    assert.equal(record.result.evaluated, result.report.examples.test);
    assert.equal(record.result.skipped, 0);
    const rowsDifferent = Math.abs(record.result.accuracy - result.report.test.accuracy) * record.result.evaluated;
    assert.ok(rowsDifferent < 1.5, `the written model agrees with the training's own measurement (${record.result.accuracy} vs ${result.report.test.accuracy})`);
    assert.ok(api.reports.panel(record.id), 'the report panel is open');
    assert.equal(result.base, undefined, 'the sentiment base model has other labels');
    assert.match(result.baseNotCompared ?? '', /negative, positive/);
    assert.ok(api.training.trainedModels().includes(output), 'listed for Select Model…');
    assert.equal(api.models.model?.dir, sentiment, 'the editor keeps its model until Use This Model');

    // "Use This Model" runs Select Model…'s command with the new directory.
    await vscode.commands.executeCommand('textClassifier.selectModel', result.modelDir);
    assert.equal(api.models.model?.dir, output);
    const [spam, ham] = await api.client.classify(['WINNER!! You have won a £1000 cash prize. Call 09061701461 now to claim, T&C apply', 'Ok, see you at home for dinner tonight']);
    assert.equal(spam.labels[0].label, 'spam');
    assert.equal(ham.labels[0].label, 'ham');
  });

  it('a base model with the same labels is evaluated on the same test split, side by side', async function () {
    const dev = datasetOrSkip(this, 'sst2/dev.tsv');
    const api = await extensionApi();
    // A small sentiment dataset: the first 300 rows of the SST-2 dev split, with the base model's label names.
    const small = path.join(scratch, 'sentiment-small.tsv');
    const rows = fs.readFileSync(dev, 'utf8').split('\n').slice(1, 301).map((row) => row.replace(/\t0$/, '\tnegative').replace(/\t1$/, '\tpositive'));
    fs.writeFileSync(small, `sentence\tlabel\n${rows.join('\n')}\n`);
    const result = await trained({ dataset: small, method: 'linear-head', baseModel: sentiment, output: path.join(scratch, 'sentiment-small') });
    assert.ok(result.base, `the base model was compared (${result.baseNotCompared})`);
    assert.equal(result.base.model.dir, sentiment);
    assert.equal(result.base.datasetPath, result.trained.datasetPath, 'the same test file');
    assert.equal(result.base.result.evaluated, result.trained.result.evaluated);
    const trainedPanel = api.reports.panel(result.trained.id);
    const basePanel = api.reports.panel(result.base.id);
    assert.ok(trainedPanel && basePanel, 'both reports are open');
    // A panel learns its column from the workbench a moment after it opens.
    for (let waited = 0; waited < 10_000 && (trainedPanel.viewColumn === undefined || basePanel.viewColumn === undefined || trainedPanel.viewColumn === basePanel.viewColumn); waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(trainedPanel.viewColumn !== undefined && basePanel.viewColumn !== undefined && trainedPanel.viewColumn !== basePanel.viewColumn,
      `side by side (columns ${trainedPanel.viewColumn} and ${basePanel.viewColumn})`);
  });

  it('from a group of splits in the Datasets view: its train, validation and test files are used, and the report opens the test file', async function () {
    const sms = datasetOrSkip(this, 'sms_spam/SMSSpamCollection');
    const api = await extensionApi();
    const lines = fs.readFileSync(sms, 'utf8').split('\n').filter(Boolean);
    const folder = workspaceFile('training-splits').fsPath;
    fs.mkdirSync(folder, { recursive: true });
    // Given splits (the first 1,000 messages; validation and test 150 each), and a group whose test split has no spam.
    const splits = { train: lines.slice(0, 700), validation: lines.slice(700, 850), test: lines.slice(850, 1000) };
    for (const [split, rows] of Object.entries(splits)) {
      fs.writeFileSync(path.join(folder, `spam_${split}.tsv`), `${rows.join('\n')}\n`);
      fs.writeFileSync(path.join(folder, `nospam_${split}.tsv`), `${(split === 'test' ? rows.filter((row) => row.startsWith('ham')) : rows).join('\n')}\n`);
    }
    await vscode.commands.executeCommand('textClassifier.refreshDatasets');
    const group = async (name: string) => {
      const node = (await api.datasets.getChildren()).find((entry) => entry.kind === 'group' && entry.group.name === name);
      assert.ok(node, `the Datasets view groups ${name}_train/validation/test`);
      return node;
    };
    const options: TrainCommandOptions = { method: 'linear-head', baseModel: sentiment, openReport: false };

    const result = await vscode.commands.executeCommand<TrainingResult | undefined>('textClassifier.trainClassifier', await group('spam'), { ...options, output: path.join(scratch, 'spam-given-splits') });
    assert.ok(result, `trained (${JSON.stringify(api.training.lastOutcome)})`);
    assert.match(result.report.split, /given splits: 700 train, 150 validation, 150 test/);
    assert.equal(result.trained.datasetPath, path.join(folder, 'spam_test.tsv'), 'the report is on the test file itself');
    assert.equal(result.trained.result.evaluated, 150);

    const missing = await vscode.commands.executeCommand('textClassifier.trainClassifier', await group('nospam'), { ...options, output: path.join(scratch, 'nospam') });
    assert.equal(missing, undefined);
    const outcome = api.training.lastOutcome;
    assert.match(outcome?.status === 'failed' ? outcome.error : '', /the test split has no example of "spam"/);
    assert.ok(!fs.existsSync(path.join(scratch, 'nospam')));
  });

  it('PyTorch fine-tuning on the same split runs end to end through the command and gives a loadable model', async function () {
    const sms = datasetOrSkip(this, 'sms_spam/SMSSpamCollection');
    const availability = await checkPytorch();
    if (!availability.available) {
      console.log(`      (skipped: PyTorch fine-tuning is unavailable: ${availability.reason})`);
      this.skip();
    }
    const output = path.join(scratch, 'sms-pytorch');
    const started = Date.now();
    // One epoch keeps the run to a couple of minutes on a busy 2-core machine.
    const result = await trained({ dataset: sms, method: 'pytorch', baseModel: sentiment, output, pytorch: { overrides: { epochs: 1 } }, openReport: false });
    console.log(`      PyTorch, 1 epoch: test accuracy ${(result.report.test.accuracy * 100).toFixed(2)} %, ${((Date.now() - started) / 1000).toFixed(1)} s`);
    assert.equal(result.report.method, 'pytorch');
    assert.deepEqual(result.report.labels, ['ham', 'spam']);
    // Loaded by a worker for the report: every test example evaluated, well above the 86.6 % of always saying "ham".
    assert.equal(result.trained.model.dir, output);
    assert.equal(result.trained.result.evaluated, result.report.examples.test);
    assert.ok(result.trained.result.accuracy > 0.9, `test accuracy ${result.trained.result.accuracy}`);
  });

  it('PyTorch with a Python that cannot run: a message naming it and the setting, before any work', async () => {
    const api = await extensionApi();
    const file = path.join(scratch, 'two-labels.tsv');
    fs.writeFileSync(file, `${Array.from({ length: 20 }, (_, i) => `${i % 2 ? 'spam' : 'ham'}\tmessage number ${i}`).join('\n')}\n`);
    await setSetting('training.python', '/nonexistent/python3');
    try {
      assert.equal(await train({ dataset: file, method: 'pytorch', baseModel: sentiment, output: path.join(scratch, 'no-python') }), undefined);
      const outcome = api.training.lastOutcome;
      assert.match(outcome?.status === 'failed' ? outcome.error : '', /PyTorch fine-tuning is unavailable: \/nonexistent\/python3 cannot be run .*setting textClassifier\.training\.python/);
      assert.ok(!fs.existsSync(path.join(scratch, 'no-python')));
    } finally {
      await setSetting('training.python', undefined);
    }
  });

  it('cancelling leaves no model and no partial folder behind', async function () {
    const sms = datasetOrSkip(this, 'sms_spam/SMSSpamCollection');
    const api = await extensionApi();
    const folder = path.join(scratch, 'cancelled');
    fs.mkdirSync(folder);
    const cancel = new AbortController();
    const progressed = new Promise<void>((resolve) => setTimeout(resolve, 4_000));
    const running = train({ dataset: sms, method: 'linear-head', baseModel: sentiment, output: path.join(folder, 'model'), signal: cancel.signal });
    await progressed;
    const cancelledAt = Date.now();
    cancel.abort();
    assert.equal(await running, undefined);
    console.log(`      cancelled within ${Date.now() - cancelledAt} ms`);
    assert.deepEqual(api.training.lastOutcome, { status: 'cancelled' });
    assertOnlyEntries(folder, []);
  });

  it('rows with an empty text are skipped and reported with their lines; the rest trains', async function () {
    const sms = datasetOrSkip(this, 'sms_spam/SMSSpamCollection');
    const lines = fs.readFileSync(sms, 'utf8').split('\n').filter(Boolean).slice(0, 400);
    lines.splice(10, 0, 'ham\t', 'spam\t   ');
    const file = path.join(scratch, 'with-empty-texts.tsv');
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    const result = await trained({ dataset: file, method: 'linear-head', baseModel: sentiment, output: path.join(scratch, 'with-empty-texts'), openReport: false });
    assert.deepEqual(result.report.skipped.map((row) => row.line), [11, 12]);
    assert.ok(result.report.skipped.every((row) => row.file === file && /empty/i.test(`${row.reason} ${row.detail}`)), JSON.stringify(result.report.skipped));
    assert.equal(result.report.examples.train + result.report.examples.validation + result.report.examples.test, 400);
  });

  describe('bad datasets: a clear message, no crash', () => {
    const cases: { name: string; rows: string[]; message: RegExp }[] = [
      { name: 'one label only', rows: Array.from({ length: 12 }, (_, i) => `ham\tmessage number ${i}`), message: /every example has the label "ham".*at least two labels/ },
      { name: 'a label with a single example', rows: [...Array.from({ length: 12 }, (_, i) => `ham\tmessage number ${i}`), 'spam\tWIN a prize now'], message: /"spam" has 1 .*line 13/ },
    ];
    for (const { name, rows, message } of cases) {
      it(name, async () => {
        const api = await extensionApi();
        const file = path.join(scratch, `${name.replace(/\W+/g, '-')}.tsv`);
        fs.writeFileSync(file, `${rows.join('\n')}\n`);
        const output = path.join(scratch, `${path.basename(file, '.tsv')}-model`);
        assert.equal(await train({ dataset: file, method: 'linear-head', baseModel: sentiment, output }), undefined);
        const outcome = api.training.lastOutcome;
        assert.equal(outcome?.status, 'failed');
        assert.match(outcome.status === 'failed' ? outcome.error : '', message);
        assert.match(outcome.status === 'failed' ? outcome.error : '', new RegExp(path.basename(file).replace(/[.]/g, '\\.')), 'the message names the file');
        assert.ok(!fs.existsSync(output));
        // The extension still works.
        const [result] = await api.client.classify(['What a wonderful, moving film.']);
        assert.ok(result.labels.length > 0);
      });
    }
  });
});
