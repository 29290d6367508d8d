// textclf quantize and the quantizer under it, on the real bundled models: the graph is int8 where it
// should be, the engine loads and runs the result, accuracy stays within half a point of fp32 on held-out
// data, and the output directory appears whole or not at all.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fromBinary, toBinary, create } from '@bufbuild/protobuf';
import { ModelProtoSchema, StringStringEntryProtoSchema, TensorProto_DataLocation, TensorProto_DataType, type ModelProto } from 'onnx-buf';
import { BundleError } from '../../src/engine/bundle';
import { Engine } from '../../src/engine/engine';
import { runQuantizeJob } from '../../src/engine/quantizeJob';
import { OutputExistsError, QUANTIZED_FILE, quantizeModelDirectory } from '../../src/quantize/directory';
import { QuantizeError } from '../../src/quantize/onnxFile';
import { QuantizeCancelledError, runQuantize } from '../../src/quantize/runner';
import { transformersJsScores } from '../support/compatReference';
import { bundledModel, datasetOrSkip, repoRoot } from '../support/paths';

const models = ['sentiment-sst2', 'news-topic'] as const;
const processScript = path.join(__dirname, '..', '..', 'src', 'engine', 'quantizeProcess.js');

function readModel(file: string): ModelProto {
  return fromBinary(ModelProtoSchema, fs.readFileSync(file));
}

/** MatMul / Gemm nodes whose second input is a constant float matrix (an initializer). */
function floatProducts(model: ModelProto): string[] {
  const floats = new Set(model.graph!.initializer.filter((tensor) => tensor.dataType === TensorProto_DataType.FLOAT && tensor.dims.length === 2).map((tensor) => tensor.name));
  return model.graph!.node.filter((node) => (node.opType === 'MatMul' || node.opType === 'Gemm') && floats.has(node.input[1])).map((node) => node.name);
}

function copyModel(name: (typeof models)[number], into: string): string {
  const dir = path.join(into, name);
  fs.cpSync(bundledModel(name), dir, { recursive: true });
  return dir;
}

describe('quantize (int8, bundled models)', function () {
  this.timeout(180_000);
  let tmp: string;
  beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-quantize-'))));
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  for (const name of models) {
    it(`${name}: every MatMul/Gemm with a constant weight becomes integer, the file is < 40 % of fp32, the engine runs it`, async () => {
      const source = path.join(bundledModel(name), 'onnx', 'model.onnx');
      const fp32 = readModel(source);
      const products = floatProducts(fp32);
      assert.ok(products.length >= 14, `the fp32 graph has ${products.length} products`);

      const outDir = path.join(tmp, `${name}-int8`);
      const result = await quantizeModelDirectory({ modelDir: bundledModel(name), outDir });
      assert.equal(result.quantizedFile, path.join(outDir, QUANTIZED_FILE));
      const int8 = readModel(result.quantizedFile);
      assert.deepEqual(floatProducts(int8), []);
      assert.equal(int8.graph!.node.filter((node) => node.opType === 'MatMulInteger').length, products.length);
      assert.equal(result.graph.matMuls, products.length);
      const size = fs.statSync(result.quantizedFile).size;
      assert.ok(size < 0.4 * fs.statSync(source).size, `${size} bytes is not under 40 % of ${fs.statSync(source).size}`);

      // The other files are copied; no fp32 graph comes along.
      for (const file of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'MODEL_CARD.md', 'training-manifest.json']) {
        assert.deepEqual(fs.readFileSync(path.join(outDir, file)), fs.readFileSync(path.join(bundledModel(name), file)), file);
      }
      assert.deepEqual(fs.readdirSync(path.join(outDir, 'onnx')), ['model_quantized.onnx']);
      assert.deepEqual(fs.readdirSync(tmp), [`${name}-int8`], 'no staging directory is left');

      const texts = ['An absolutely wonderful, moving film.', 'Dull, tedious and far too long.', 'Stocks fell sharply as oil prices rose.', 'The team won the championship final.'];
      const [original, quantized] = await Promise.all([Engine.load(bundledModel(name), { threads: 1 }), Engine.load(outDir, { threads: 1 })]);
      try {
        assert.equal(quantized.model.variant, 'quantized');
        const [before, after] = await Promise.all([original.classify(texts), quantized.classify(texts)]);
        for (let i = 0; i < texts.length; i++) {
          assert.equal(after[i].labels[0].label, before[i].labels[0].label, texts[i]);
          assert.ok(Math.abs(after[i].labels[0].score - before[i].labels[0].score) < 0.05, `${texts[i]}: ${after[i].labels[0].score} vs ${before[i].labels[0].score}`);
        }
      } finally {
        await Promise.all([original.dispose(), quantized.dispose()]);
      }
    });
  }

  it('sentiment-sst2 on SST-2 dev: int8 accuracy within 0.5 points of fp32', async function () {
    const dev = datasetOrSkip(this, 'sst2/dev.tsv');
    const { comparison } = await runQuantizeJob({ modelDir: bundledModel('sentiment-sst2'), outDir: path.join(tmp, 'int8'), dataset: { path: dev } });
    assert.ok(comparison);
    assert.equal(comparison.evaluated, 872);
    assert.ok(Math.abs(comparison.after.accuracy - comparison.before.accuracy) <= 0.005, `fp32 ${comparison.before.accuracy}, int8 ${comparison.after.accuracy}`);
    assert.ok(comparison.before.accuracy > 0.8, `fp32 accuracy ${comparison.before.accuracy}`);
    assert.ok(comparison.changedLabels < 0.02 * comparison.evaluated, `${comparison.changedLabels} labels changed`);
  });

  it('news-topic on the held-out AG News rows: int8 accuracy within 0.5 points of fp32', async function () {
    const test = datasetOrSkip(this, 'ag_news/test.csv');
    const { comparison } = await runQuantizeJob({ modelDir: bundledModel('news-topic'), outDir: path.join(tmp, 'int8'), dataset: { path: test, heldOut: true } });
    assert.ok(comparison);
    assert.equal(comparison.evaluated, 1600);
    assert.ok(Math.abs(comparison.after.accuracy - comparison.before.accuracy) <= 0.005, `fp32 ${comparison.before.accuracy}, int8 ${comparison.after.accuracy}`);
  });

  it('Transformers.js loads the result with dtype q8 and agrees with the engine on the same file', async function () {
    const dev = datasetOrSkip(this, 'sst2/dev.tsv');
    const texts = fs.readFileSync(dev, 'utf8').split('\n').slice(1, 201).map((line) => line.split('\t')[0]);
    const outDir = path.join(tmp, 'sentiment-int8');
    await quantizeModelDirectory({ modelDir: bundledModel('sentiment-sst2'), outDir });
    const theirs = await transformersJsScores(outDir, texts, { dtype: 'q8' });
    const engine = await Engine.load(outDir, { threads: 1 });
    try {
      const ours = await engine.classify(texts);
      // Activations are quantized per tensor, over the whole padded batch: batch mates move the scale a
      // little, so a row near the decision boundary may differ; the count is reported.
      const mismatches = texts.filter((_, i) => ours[i].labels[0].label !== theirs[i][0].label).length;
      console.log(`      label mismatches with Transformers.js q8: ${mismatches} of ${texts.length}`);
      assert.ok(mismatches <= 2, `${mismatches} of ${texts.length} labels differ`);
    } finally {
      await engine.dispose();
    }
  });

  it('the QDQ form quantizes every product too and gives the same labels', async () => {
    const outDir = path.join(tmp, 'qdq');
    const result = await quantizeModelDirectory({ modelDir: bundledModel('sentiment-sst2'), outDir, form: 'qdq' });
    const graph = readModel(result.quantizedFile);
    assert.deepEqual(floatProducts(graph), []);
    assert.ok(graph.graph!.node.some((node) => node.opType === 'DequantizeLinear' && node.domain === 'com.microsoft'), 'per-axis DequantizeLinear before opset 13');
    const [original, quantized] = await Promise.all([Engine.load(bundledModel('sentiment-sst2'), { threads: 1 }), Engine.load(outDir, { threads: 1 })]);
    try {
      const texts = ['a gorgeous, witty, seductive movie.', 'the plot is nothing but boilerplate clichés.'];
      const [before, after] = await Promise.all([original.classify(texts), quantized.classify(texts)]);
      assert.deepEqual(after.map((r) => r.labels[0].label), before.map((r) => r.labels[0].label));
    } finally {
      await Promise.all([original.dispose(), quantized.dispose()]);
    }
  });

  it('weights in external data (model.onnx_data) give the same quantized graph as inline weights', async () => {
    const modelDir = copyModel('sentiment-sst2', tmp);
    const graphFile = path.join(modelDir, 'onnx', 'model.onnx');
    const model = readModel(graphFile);
    let offset = 0;
    const data: Buffer[] = [];
    for (const tensor of model.graph!.initializer.filter((t) => t.rawData.byteLength >= 1024)) {
      data.push(Buffer.from(tensor.rawData));
      tensor.externalData = [
        create(StringStringEntryProtoSchema, { key: 'location', value: 'model.onnx_data' }),
        create(StringStringEntryProtoSchema, { key: 'offset', value: String(offset) }),
        create(StringStringEntryProtoSchema, { key: 'length', value: String(tensor.rawData.byteLength) }),
      ];
      offset += tensor.rawData.byteLength;
      tensor.rawData = new Uint8Array(0);
      tensor.dataLocation = TensorProto_DataLocation.EXTERNAL;
    }
    fs.writeFileSync(graphFile, toBinary(ModelProtoSchema, model));
    fs.writeFileSync(path.join(modelDir, 'onnx', 'model.onnx_data'), Buffer.concat(data));
    assert.ok(fs.statSync(graphFile).size < 100_000, 'the weights are outside the graph file');

    const external = await quantizeModelDirectory({ modelDir, outDir: path.join(tmp, 'from-external') });
    const inline = await quantizeModelDirectory({ modelDir: bundledModel('sentiment-sst2'), outDir: path.join(tmp, 'from-inline') });
    assert.deepEqual(fs.readFileSync(external.quantizedFile), fs.readFileSync(inline.quantizedFile));
    assert.ok(!fs.existsSync(path.join(tmp, 'from-external', 'onnx', 'model.onnx_data')), 'the fp32 weights are not copied');

    fs.truncateSync(path.join(modelDir, 'onnx', 'model.onnx_data'), 1000);
    await assert.rejects(quantizeModelDirectory({ modelDir, outDir: path.join(tmp, 'truncated') }), (error: Error) => {
      assert.ok(error instanceof QuantizeError);
      assert.match(error.message, /model\.onnx_data: tensor ".*" needs \d+ bytes at offset \d+/);
      return true;
    });
  });

  it('refuses to overwrite an existing directory unless asked, and then replaces it whole', async () => {
    const outDir = path.join(tmp, 'existing');
    fs.mkdirSync(outDir);
    fs.writeFileSync(path.join(outDir, 'keep.txt'), 'mine');
    await assert.rejects(quantizeModelDirectory({ modelDir: bundledModel('sentiment-sst2'), outDir }), (error: Error) => {
      assert.ok(error instanceof OutputExistsError);
      assert.ok(error.message.startsWith(`${outDir}: already exists`), error.message);
      return true;
    });
    assert.deepEqual(fs.readdirSync(outDir), ['keep.txt']);

    await quantizeModelDirectory({ modelDir: bundledModel('sentiment-sst2'), outDir, overwrite: true });
    assert.ok(!fs.existsSync(path.join(outDir, 'keep.txt')));
    assert.ok(fs.existsSync(path.join(outDir, QUANTIZED_FILE)));
    assert.deepEqual(fs.readdirSync(tmp), ['existing']);

    await assert.rejects(quantizeModelDirectory({ modelDir: bundledModel('sentiment-sst2'), outDir: path.join(bundledModel('sentiment-sst2'), 'int8'), overwrite: true }), /must not be the model directory .* or inside it/);
  });

  it('a failure part-way leaves the old output as it was and no partial directory', async () => {
    const outDir = path.join(tmp, 'out');
    await quantizeModelDirectory({ modelDir: bundledModel('news-topic'), outDir });
    const before = fs.readFileSync(path.join(outDir, QUANTIZED_FILE));
    const cancel = new AbortController();
    await assert.rejects(
      quantizeModelDirectory({ modelDir: bundledModel('sentiment-sst2'), outDir, overwrite: true, signal: cancel.signal, onProgress: (p) => p.done === 3 && cancel.abort(new Error('stopped at node 3')) }),
      /stopped at node 3/,
    );
    assert.deepEqual(fs.readdirSync(tmp), ['out']);
    assert.deepEqual(fs.readFileSync(path.join(outDir, QUANTIZED_FILE)), before);
    assert.equal(JSON.parse(fs.readFileSync(path.join(outDir, 'config.json'), 'utf8')).id2label['0'], JSON.parse(fs.readFileSync(path.join(bundledModel('news-topic'), 'config.json'), 'utf8')).id2label['0']);
  });

  it('a corrupt or missing model.onnx is an error naming the file, and nothing is written', async () => {
    const modelDir = copyModel('sentiment-sst2', tmp);
    const graphFile = path.join(modelDir, 'onnx', 'model.onnx');
    fs.writeFileSync(graphFile, Buffer.from('this is not a protobuf \xff\xff\xff\xff\xff\xff'));
    await assert.rejects(quantizeModelDirectory({ modelDir, outDir: path.join(tmp, 'corrupt') }), (error: Error) => {
      assert.ok(error instanceof QuantizeError);
      assert.ok(error.message.startsWith(`${graphFile}: not a valid ONNX model`), error.message);
      return true;
    });
    fs.rmSync(graphFile);
    await assert.rejects(quantizeModelDirectory({ modelDir, outDir: path.join(tmp, 'missing') }), (error: Error) => {
      assert.ok(error instanceof BundleError);
      assert.match(error.message, /model\.onnx: file is missing/);
      return true;
    });
    assert.deepEqual(fs.readdirSync(tmp), ['sentiment-sst2']);
  });

  it('an already quantized graph is refused with the reason', async () => {
    const first = await quantizeModelDirectory({ modelDir: bundledModel('sentiment-sst2'), outDir: path.join(tmp, 'once') });
    await assert.rejects(quantizeModelDirectory({ modelDir: path.join(tmp, 'once'), outDir: path.join(tmp, 'twice') }), new RegExp(`${first.quantizedFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the graph is already quantized`));
  });

  it('in its own process: progress and result; a cancel kills it and leaves no directory', async () => {
    const progress: string[] = [];
    const result = await runQuantize({ modelDir: bundledModel('sentiment-sst2'), outDir: path.join(tmp, 'done') }, { script: processScript, onProgress: (p) => progress.push(p.stage) });
    assert.ok(fs.existsSync(result.quantizedFile));
    assert.deepEqual([...new Set(progress)], ['reading', 'quantizing', 'writing']);

    const cancel = new AbortController();
    await assert.rejects(
      runQuantize({ modelDir: bundledModel('news-topic'), outDir: path.join(tmp, 'cancelled') }, { script: processScript, signal: cancel.signal, onProgress: (p) => p.stage === 'quantizing' && cancel.abort() }),
      QuantizeCancelledError,
    );
    assert.deepEqual(fs.readdirSync(tmp), ['done']);
  });
});

describe('textclf quantize (child process, bundled)', function () {
  this.timeout(180_000);
  const bin = path.join(repoRoot, 'bin', 'textclf.js');
  const textclf = (args: string[]) => spawnSync(process.execPath, [bin, 'quantize', ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  let tmp: string;
  before(function () {
    if (!fs.existsSync(path.join(repoRoot, 'dist', 'cli.js'))) this.skip();
  });
  beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-quantize-cli-'))));
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('writes the directory, prints JSON; refuses to overwrite without --overwrite', () => {
    const outDir = path.join(tmp, 'int8');
    const first = textclf([bundledModel('sentiment-sst2'), '--out', outDir, '--format', 'json']);
    assert.equal(first.status, 0, first.stderr);
    const json = JSON.parse(first.stdout);
    assert.equal(json.quantized_file, path.join(outDir, 'onnx', 'model_quantized.onnx'));
    assert.ok(json.size_ratio < 0.4);
    assert.equal(json.comparison, null);

    const again = textclf([bundledModel('sentiment-sst2'), '--out', outDir]);
    assert.equal(again.status, 1);
    assert.equal(again.stderr.trim(), `textclf quantize: ${outDir}: already exists (pass --overwrite to replace it)`);
    assert.equal(textclf([bundledModel('sentiment-sst2'), '--out', outDir, '--overwrite']).status, 0);

    const missing = textclf([bundledModel('sentiment-sst2')]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /--out DIR is required/);
  });
});
