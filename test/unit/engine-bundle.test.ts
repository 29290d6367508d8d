// Model-directory validation: every broken directory gives one BundleError naming the bad file.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BundleError, readBundle } from '../../src/engine/bundle';
import { Engine } from '../../src/engine/engine';
import { bundledModel, repoRoot } from '../support/paths';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS script outside the compiled tree, loaded by its path
const { classifierModel } = require(path.join(repoRoot, 'scripts', 'bench', 'onnx-graph.cjs'));

const model = bundledModel('sentiment-sst2');

/** A copy of the bundled model in a fresh temporary folder, for breaking. */
function copyOfModel(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-bundle-'));
  fs.cpSync(model, dir, { recursive: true });
  return dir;
}

async function loadError(dir: string): Promise<BundleError> {
  try {
    await Engine.load(dir, { executionProviders: ['cpu'] });
  } catch (error) {
    assert.ok(error instanceof BundleError, `expected a BundleError, got ${(error as Error).stack}`);
    return error;
  }
  assert.fail(`loading ${dir} should have failed`);
}

describe('model bundle validation', () => {
  const made: string[] = [];
  const copy = () => {
    const dir = copyOfModel();
    made.push(dir);
    return dir;
  };
  after(() => made.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

  it('reads the bundled model: labels, graph file, window size, fingerprint', () => {
    const bundle = readBundle(model);
    assert.deepEqual(bundle.labels, ['negative', 'positive']);
    assert.equal(bundle.problemType, 'single_label_classification');
    assert.equal(bundle.onnxFile, path.join(model, 'onnx', 'model.onnx'));
    const config = JSON.parse(fs.readFileSync(path.join(model, 'config.json'), 'utf8'));
    const tokenizerConfig = JSON.parse(fs.readFileSync(path.join(model, 'tokenizer_config.json'), 'utf8'));
    assert.equal(bundle.maxTokens, Math.min(config.max_position_embeddings, tokenizerConfig.model_max_length));
    assert.match(bundle.fingerprint, /^[0-9a-f]{16}$/);
    assert.equal(readBundle(model).fingerprint, bundle.fingerprint);
  });

  it('names a missing config.json, tokenizer.json or graph', () => {
    for (const file of ['config.json', 'tokenizer.json', path.join('onnx', 'model.onnx')]) {
      const dir = copy();
      fs.rmSync(path.join(dir, file));
      assert.throws(() => readBundle(dir), (error: unknown) => {
        assert.ok(error instanceof BundleError);
        assert.ok(error.message.includes(path.join(dir, file === 'config.json' || file === 'tokenizer.json' ? file : 'model.onnx')), error.message);
        assert.match(error.message, /missing/);
        return true;
      });
    }
  });

  it('names a config.json that is not JSON, with the parser message', () => {
    const dir = copy();
    fs.writeFileSync(path.join(dir, 'config.json'), '{"id2label": {"0": "negative",');
    assert.throws(() => readBundle(dir), (error: unknown) => error instanceof BundleError && error.file === path.join(dir, 'config.json') && /not valid JSON/.test(error.message));
  });

  it('rejects id2label with gaps or not an object; without id2label the labels are LABEL_i as in transformers', () => {
    const dir = copy();
    const configFile = path.join(dir, 'config.json');
    const config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
    fs.writeFileSync(configFile, JSON.stringify({ ...config, id2label: { 0: 'negative', 2: 'positive' } }));
    assert.throws(() => readBundle(dir), /id2label" keys must be 0\.\.1, found "2"/);
    fs.writeFileSync(configFile, JSON.stringify({ ...config, id2label: ['negative', 'positive'] }));
    assert.throws(() => readBundle(dir), (error: unknown) => error instanceof BundleError && error.file === configFile && /"id2label" must be an object/.test(error.message));
    fs.writeFileSync(configFile, JSON.stringify({ ...config, id2label: undefined }));
    assert.deepEqual(readBundle(dir).labels, ['LABEL_0', 'LABEL_1']);
    fs.writeFileSync(configFile, JSON.stringify({ ...config, id2label: undefined, num_labels: 3 }));
    assert.deepEqual(readBundle(dir).labels, ['LABEL_0', 'LABEL_1', 'LABEL_2']);
  });

  it('names a corrupt model.onnx', async () => {
    const dir = copy();
    const onnxFile = path.join(dir, 'onnx', 'model.onnx');
    fs.writeFileSync(onnxFile, Buffer.from('this is not an onnx graph, just some bytes'.repeat(20)));
    const error = await loadError(dir);
    assert.equal(error.file, onnxFile);
    assert.match(error.message, /not a loadable ONNX model/);
  });

  it('names a tokenizer.json the tokenizer library cannot load', async () => {
    const dir = copy();
    fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify({ model: { type: 'NoSuchModel' } }));
    const error = await loadError(dir);
    assert.equal(error.file, path.join(dir, 'tokenizer.json'));
    assert.match(error.message, /cannot load the tokenizer/);
  });

  it('reports an id2label that does not match the logits width', async () => {
    const dir = copy();
    const configFile = path.join(dir, 'config.json');
    const config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
    fs.writeFileSync(configFile, JSON.stringify({ ...config, id2label: { 0: 'negative', 1: 'neutral', 2: 'positive' } }));
    const error = await loadError(dir);
    assert.equal(error.file, configFile);
    assert.match(error.message, /"id2label" has 3 labels but the model's logits have width 2/);
  });

  it('reports a graph input the engine cannot feed', async () => {
    const dir = copy();
    const onnxFile = path.join(dir, 'onnx', 'model.onnx');
    fs.writeFileSync(onnxFile, classifierModel({ width: 2, weights: [0.1, -0.1], bias: [0, 0], inputs: ['attention_mask', 'pixel_values'] }));
    const error = await loadError(dir);
    assert.equal(error.file, onnxFile);
    assert.match(error.message, /unknown graph input "pixel_values"/);
  });

  it('loads fp32 model.onnx by default; model_quantized.onnx when the variant or preferQuantized asks for it', () => {
    const dir = copy();
    fs.copyFileSync(path.join(dir, 'onnx', 'model.onnx'), path.join(dir, 'onnx', 'model_quantized.onnx'));
    assert.equal(readBundle(dir).onnxFile, path.join(dir, 'onnx', 'model.onnx'));
    assert.equal(readBundle(dir, { variant: 'quantized' }).onnxFile, path.join(dir, 'onnx', 'model_quantized.onnx'));
    assert.equal(readBundle(dir, { preferQuantized: true }).onnxFile, path.join(dir, 'onnx', 'model_quantized.onnx'));
    fs.rmSync(path.join(dir, 'onnx', 'model.onnx'));
    assert.equal(readBundle(dir).variant, 'quantized', 'the variant present when there is no fp32');
  });

  it('names a directory that does not exist', () => {
    assert.throws(() => readBundle(path.join(os.tmpdir(), 'no-such-model-dir')), /no-such-model-dir: model directory not found/);
  });
});
