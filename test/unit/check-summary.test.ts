// The one-line form of `textclf models --check` that Select Model… and the download confirmation show,
// and the download's summary (family, labels, size), made from real checks of the compat models.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeCheck } from '../../src/classifier/checkSummary';
import type { ModelVariant } from '../../src/classifier/types';
import { Engine } from '../../src/engine/engine';
import { checkModel } from '../../src/engine/inspect';
import { summarizeDownload } from '../../src/hub/downloadSummary';
import { compatModelsOrSkip, compatTexts } from '../support/compatModels';

describe('model check in one line, and the download summary', function () {
  this.timeout(60_000);
  let root: string;
  before(function () {
    this.timeout(180_000);
    root = compatModelsOrSkip(this);
  });

  it('a supported model: family, tokenizer model, labels, variant and window', async () => {
    assert.equal(describeCheck(await checkModel(path.join(root, 'bert'))), 'bert · WordPiece · 2 labels · fp32 · window 512');
    assert.equal(describeCheck(await checkModel(path.join(root, 'xlm-roberta'))), 'xlm-roberta · Unigram · 3 labels · fp32 · window 512');
    assert.equal(describeCheck(await checkModel(path.join(root, 'roberta-quantized-only'))), 'roberta · BPE · 3 labels · quantized · window 512');
    assert.match(describeCheck(await checkModel(path.join(root, 'bert-multi-label'))), /^bert · WordPiece · \d+ labels, multi-label · fp32 · window 512$/);
    assert.equal(describeCheck(await checkModel(path.join(root, 'bert-regression'))), 'bert · WordPiece · regression (a value) · fp32 · window 512');
  });

  it('a model the engine cannot run: its one sentence', async () => {
    const check = await checkModel(path.join(root, 'bert-token-classification'));
    assert.equal(check.supported, false);
    assert.equal(describeCheck(check), `not supported: ${check.problems[0].replace(`${check.dir}${path.sep}`, '')}`);
    assert.match(describeCheck(check), /^not supported: onnx\/model\.onnx: this is a token-classification graph/);
  });

  it('the download summary: family, labels, MB on disk and, for fp32, parameters from the weight bytes', async () => {
    const dir = path.join(root, 'bert');
    const summary = summarizeDownload('owner/bert', dir, await checkModel(dir));
    const onnxBytes = fs.statSync(path.join(dir, 'onnx', 'model.onnx')).size;
    assert.equal(summary.family, 'bert');
    assert.deepEqual(summary.labels, Object.values(JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')).id2label));
    assert.equal(summary.parameters, Math.round(onnxBytes / 4));
    assert.ok(summary.bytesOnDisk > onnxBytes);
    assert.match(summary.text, /^Family: bert · WordPiece · 2 labels · fp32 · window 512\nLabels: .+\nSize: \d+\.\d MB on disk, about \d+ k parameters$/);
  });

  it('counts external data in the parameters, and gives none for a quantized graph', async () => {
    const external = path.join(root, 'bert-external-data');
    const check = await checkModel(external);
    assert.ok(check.external_data.length > 0);
    const weightBytes = [check.variant!.file, ...check.external_data].reduce((sum, file) => sum + fs.statSync(path.join(external, file)).size, 0);
    assert.equal(summarizeDownload('owner/external', external, check).parameters, Math.round(weightBytes / 4));
    const quantized = path.join(root, 'roberta-quantized-only');
    const summary = summarizeDownload('owner/quantized', quantized, await checkModel(quantized));
    assert.equal(summary.parameters, undefined);
    assert.match(summary.text, /\nSize: \d+\.\d MB on disk$/);
  });

  it('notes batch-dependent scores for dynamically quantized graphs only, and the scores do depend on the batch', async () => {
    const dir = path.join(root, 'bert-variants');
    /** The largest score change between classifying the texts in batches of 32 and one at a time. */
    const batchEffect = async (variant: ModelVariant) => {
      const engine = await Engine.load(dir, { modelVariant: variant, cacheSize: 0, threads: 1, batchSize: 32 });
      try {
        const together = await engine.classify(compatTexts);
        let largest = 0;
        for (const [i, text] of compatTexts.entries()) {
          const [alone] = await engine.classify([text]);
          for (const { label, score } of alone.labels) largest = Math.max(largest, Math.abs(score - together[i].labels.find((other) => other.label === label)!.score));
        }
        return largest;
      } finally {
        await engine.dispose();
      }
    };
    for (const variant of ['quantized', 'int8', 'uint8'] as const) {
      const check = await checkModel(dir, { variant });
      assert.equal(check.notes.length, 1, variant);
      assert.match(check.notes[0], /DynamicQuantizeLinear.*vary slightly.*same batch/);
    }
    for (const variant of ['fp32', 'fp16', 'q4', 'bnb4'] as const) assert.deepEqual((await checkModel(dir, { variant })).notes, [], variant);
    const quantized = await batchEffect('quantized');
    const fp32 = await batchEffect('fp32');
    assert.ok(quantized > 1e-3 && quantized < 0.02, `quantized: ${quantized}`);
    assert.ok(fp32 < 1e-6, `fp32: ${fp32}`);
  });
});
