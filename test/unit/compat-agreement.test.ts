// Any Hugging Face text-classification directory works unchanged: for every model family, problem
// type, graph signature and file variant (tiny seeded models from scripts/compat), the engine's labels
// and scores equal Transformers.js's text-classification pipeline on the same directory within 1e-4,
// on 60 texts in many scripts (CJK, Arabic, Hebrew, Hindi, Thai, emoji, accents, zero-width and RTL
// marks). Where Transformers.js cannot load a directory (int32 inputs, a position_ids input) or scores
// it differently (regression, a single logit), the reference is the direct onnxruntime + tokenizers run
// of test/support/compatReference.ts; each test's title says which.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { Engine } from '../../src/engine/engine';
import type { ModelVariant } from '../../src/classifier/types';
import { COMPAT_FAMILIES as FAMILIES, compatModelsOrSkip, compatTexts } from '../support/compatModels';
import { directScores, largestDifference, transformersJsScores, type TransformersJsOptions } from '../support/compatReference';

const TOLERANCE = 1e-4;

async function engineScores(dir: string, texts: string[], modelVariant?: ModelVariant, batchSize = 16) {
  // batchSize 16: the 60 texts run in padded batches of mixed lengths, the references one by one or all at once.
  const engine = await Engine.load(dir, { executionProviders: ['cpu'], threads: 1, cacheSize: 0, batchSize, modelVariant });
  try {
    return { results: await engine.classify(texts), model: engine.model };
  } finally {
    await engine.dispose();
  }
}

describe('compat: engine agrees with Transformers.js and a direct reference', function () {
  this.timeout(120_000);
  let root: string;
  before(function () {
    this.timeout(180_000);
    root = compatModelsOrSkip(this);
    assert.ok(compatTexts.length >= 50);
  });

  async function agreesWithTransformersJs(name: string, options: TransformersJsOptions & { variant?: ModelVariant } = {}) {
    const dir = path.join(root, name);
    const { results } = await engineScores(dir, compatTexts, options.variant, options.oneByOne ? 1 : undefined);
    const theirs = await transformersJsScores(dir, compatTexts, options);
    const largest = largestDifference(compatTexts, results, theirs);
    assert.ok(largest <= TOLERANCE, `${name}: largest score difference ${largest}`);
  }

  async function agreesWithDirectReference(name: string, variant?: ModelVariant) {
    const dir = path.join(root, name);
    const { results, model } = await engineScores(dir, compatTexts, variant);
    const theirs = await directScores(dir, model.onnxFile, compatTexts);
    const largest = largestDifference(compatTexts, results, theirs);
    assert.ok(largest <= TOLERANCE, `${name}: largest score difference ${largest}`);
    return results;
  }

  describe('families (Transformers.js)', function () {
    for (const family of FAMILIES) {
      it(`family ${family}: same labels and scores as Transformers.js on ${compatTexts.length} texts`, async () => agreesWithTransformersJs(family));
    }
  });

  describe('problem types and outputs', function () {
    it('multi-label (sigmoid): same as Transformers.js', async () => agreesWithTransformersJs('bert-multi-label'));
    it('no id2label: LABEL_i, same as Transformers.js', async () => {
      await agreesWithTransformersJs('bert-no-id2label');
      const { model } = await engineScores(path.join(root, 'bert-no-id2label'), ['x']);
      assert.deepEqual(model.labels, ['LABEL_0', 'LABEL_1', 'LABEL_2']);
    });
    it('several graph outputs: reads "logits", same as Transformers.js', async () => agreesWithTransformersJs('bert-several-outputs'));
    it('regression: the value itself, same as the direct reference (Transformers.js applies softmax)', async () => {
      const results = await agreesWithDirectReference('bert-regression');
      assert.ok(results.some((r) => r.labels[0].score < 0 || r.labels[0].score > 1), 'regression values are not squashed into probabilities');
    });
    it('single logit as binary (sigmoid): same as the direct reference (Transformers.js applies softmax)', async () => agreesWithDirectReference('bert-single-logit'));
  });

  describe('graph inputs', function () {
    it('int32 inputs: same as the direct reference (Transformers.js feeds int64 only)', async () => agreesWithDirectReference('bert-int32'));
    it('position_ids input, BERT numbering 0..n-1: same as the direct reference (Transformers.js does not feed it)', async () => agreesWithDirectReference('bert-position-ids'));
    it('position_ids input, RoBERTa numbering from pad id + 1: same as the direct reference', async () => agreesWithDirectReference('roberta-position-ids'));
  });

  describe('file variants', function () {
    const variants: [ModelVariant, string][] = [['fp32', 'fp32'], ['q4', 'q4'], ['bnb4', 'bnb4']];
    for (const [variant, dtype] of variants) {
      it(`variant ${variant}: modelVariant "${variant}" = Transformers.js dtype "${dtype}"`, async () => agreesWithTransformersJs('bert-variants', { variant, dtype }));
    }
    // Dynamically quantized graphs (DynamicQuantizeLinear) quantize activations per tensor, padding and the
    // other texts of the batch included: a text's score depends on its batch (here by up to 0.014) in this
    // engine and in Transformers.js alike. So both run one text at a time.
    const dynamic: [ModelVariant, string][] = [['quantized', 'q8'], ['int8', 'int8'], ['uint8', 'uint8']];
    for (const [variant, dtype] of dynamic) {
      it(`variant ${variant} (dynamic quantization, one text per run): modelVariant "${variant}" = Transformers.js dtype "${dtype}"`, async () =>
        agreesWithTransformersJs('bert-variants', { variant, dtype, oneByOne: true }));
    }
    // Transformers.js 4.3's pipeline cannot score fp16 logits in Node without Float16Array (it builds a float32 Tensor from Uint16 data).
    it('variant fp16 (fp16 logits): same as the direct reference (Transformers.js fails on fp16 logits in Node 20)', async () => {
      await agreesWithDirectReference('bert-variants', 'fp16');
      await agreesWithDirectReference('bert-fp16-only');
    });
    it('model.onnx at the directory root: same as Transformers.js', async () => agreesWithTransformersJs('bert-root', { subfolder: '' }));
    it('external data (model.onnx_data): same as Transformers.js', async () => agreesWithTransformersJs('bert-external-data', { useExternalData: true }));
    it('auto picks fp32 when present, else the variant present; preferQuantized still picks model_quantized', async () => {
      const load = (name: string, options: { modelVariant?: ModelVariant; preferQuantized?: boolean } = {}) => Engine.load(path.join(root, name), { executionProviders: ['cpu'], threads: 1, ...options });
      for (const [name, options, variant, file] of [
        ['bert-variants', {}, 'fp32', 'onnx/model.onnx'],
        ['bert-variants', { preferQuantized: true }, 'quantized', 'onnx/model_quantized.onnx'],
        ['bert-fp16-only', {}, 'fp16', 'onnx/model_fp16.onnx'],
        ['roberta-quantized-only', {}, 'quantized', 'onnx/model_quantized.onnx'],
      ] as const) {
        const engine = await load(name, options);
        assert.equal(engine.model.variant, variant, name);
        assert.equal(path.relative(engine.model.dir, engine.model.onnxFile), file);
        await engine.dispose();
      }
      await assert.rejects(load('bert-fp16-only', { modelVariant: 'q4' }), /variant "q4" is missing; this model has fp16/);
    });
  });

  describe('refused with one sentence', function () {
    for (const [name, pattern] of [
      ['bert-token-classification', /model\.onnx: this is a token-classification graph \(output "logits" is \[batch, sequence, labels\]\), not a text-classification model$/],
      ['bart-seq2seq', /model\.onnx: this is an encoder-decoder \(seq2seq\) graph \(it takes "decoder_input_ids"\), not a text-classification model$/],
    ] as const) {
      it(`${name}`, async () => {
        await assert.rejects(Engine.load(path.join(root, name), { executionProviders: ['cpu'], threads: 1 }), (error: Error) => {
          assert.match(error.message, pattern);
          assert.ok(!error.message.includes('\n'), 'one line');
          return true;
        });
      });
    }
  });
});
