// Quantize Model… in a real VS Code, with the real quantize process and worker: the bundled sentiment
// model quantized into a temporary folder (with the accuracy before and after on SST-2 dev where the
// dataset is present), then Use This Model's command makes it the model in use and it classifies; a
// cancel leaves no directory.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { QuantizeJobResult } from '../../../src/quantize/job';
import type { QuantizeCommandOptions } from '../../../src/views/quantizeModel';
import { bundledModel, datasetsDir } from '../../support/paths';
import { extensionApi, nextEvent } from '../helpers';

const sentiment = bundledModel('sentiment-sst2');

function quantize(options: QuantizeCommandOptions): Thenable<QuantizeJobResult | undefined> {
  return vscode.commands.executeCommand<QuantizeJobResult | undefined>('textClassifier.quantizeModel', options);
}

describe('Quantize Model…', function () {
  this.timeout(300_000);
  let scratch: string;

  before(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-quantize-'));
    await vscode.commands.executeCommand('textClassifier.selectModel', sentiment);
  });

  after(async () => {
    // The suites after this one expect the bundled default model.
    await vscode.commands.executeCommand('textClassifier.selectModel', sentiment);
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('quantizes the bundled sentiment model into a new folder that the editor then uses', async () => {
    const api = await extensionApi();
    const output = path.join(scratch, 'sentiment-int8');
    const dev = path.join(datasetsDir, 'sst2', 'dev.tsv');
    const dataset = fs.existsSync(dev) ? dev : null;
    if (!dataset) console.log(`      (no accuracy comparison: ${dev} not found)`);
    const result = await quantize({ model: sentiment, output, dataset });
    assert.ok(result, 'the command returned the result');
    assert.equal(result.outDir, output);
    assert.ok(fs.statSync(path.join(output, 'onnx', 'model_quantized.onnx')).size < 0.4 * fs.statSync(path.join(sentiment, 'onnx', 'model.onnx')).size);
    assert.deepEqual(fs.readdirSync(scratch), ['sentiment-int8']);
    if (dataset) {
      const { comparison } = result;
      assert.ok(comparison);
      console.log(`      SST-2 dev: fp32 ${(comparison.before.accuracy * 100).toFixed(2)} %, int8 ${(comparison.after.accuracy * 100).toFixed(2)} %, ${comparison.changedLabels} labels changed`);
      assert.equal(comparison.evaluated, 872);
      assert.ok(Math.abs(comparison.after.accuracy - comparison.before.accuracy) <= 0.005);
    }
    assert.equal(api.models.model?.dir, sentiment, 'the editor keeps its model until Use This Model');

    // "Use This Model" runs Select Model…'s command with the new directory.
    await vscode.commands.executeCommand('textClassifier.selectModel', output);
    assert.equal(api.models.model?.dir, output);
    assert.equal(api.models.model?.variant, 'quantized');
    const [positive, negative] = await api.client.classify(['A gorgeous, witty and deeply moving film.', 'Dull, lifeless and far too long.']);
    assert.equal(positive.labels[0].label, 'positive');
    assert.equal(negative.labels[0].label, 'negative');
  });

  it('a cancel stops the process and leaves no directory', async () => {
    const api = await extensionApi();
    const output = path.join(scratch, 'cancelled');
    const cancel = new AbortController();
    const ended = nextEvent(api.quantize.onDidEnd);
    // The process is still loading when the cancel comes (it has onnxruntime to load before it reads the model).
    setTimeout(() => cancel.abort(), 50);
    const result = await quantize({ model: bundledModel('news-topic'), output, dataset: null, signal: cancel.signal });
    assert.equal(result, undefined);
    assert.deepEqual(await ended, { status: 'cancelled' });
    assert.ok(!fs.existsSync(output));
    assert.deepEqual(fs.readdirSync(scratch).filter((name) => name !== 'sentiment-int8'), []);
  });
});
