// Classifier-head surgery on the real bundled model and on small graphs with the head layouts other
// exporters produce (optimum's DistilBERT: MatMul + Add with pre_classifier + ReLU; Gemm without transB;
// a MatMul without bias; [CLS] taken with Slice + Squeeze; opset 12 attribute forms). Every modified
// graph is run in onnxruntime-node and compared with the same arithmetic done here.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { create, toBinary } from '@bufbuild/protobuf';
import * as ort from 'onnxruntime-node';
import {
  AttributeProto_AttributeType,
  AttributeProtoSchema,
  GraphProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  TensorProto_DataType,
  TensorProtoSchema,
  TensorShapeProto_DimensionSchema,
  TensorShapeProtoSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  ValueInfoProtoSchema,
  type NodeProto,
  type TensorProto,
} from 'onnx-buf';
import { TextTokenizer } from '../../src/engine/tokenize';
import { bestPooling, exposeSentenceFeatures, featureWidth, inspectClassifier, OnnxHeadError, writeHead, SENTENCE_FEATURES } from '../../src/training/onnxHead';
import { bundledModel } from '../support/paths';

const VOCAB = 10;
const HIDDEN = 4;

/** Deterministic, distinct values. */
function values(count: number, seed: number): Float32Array {
  return Float32Array.from({ length: count }, (_, i) => Math.sin(seed * 100 + i * 1.7) * 0.8);
}

function floatInit(name: string, dims: number[], data: Float32Array): TensorProto {
  return create(TensorProtoSchema, { name, dims: dims.map(BigInt), dataType: TensorProto_DataType.FLOAT, floatData: Array.from(data) });
}

function intInit(name: string, dims: number[], data: number[]): TensorProto {
  return create(TensorProtoSchema, { name, dims: dims.map(BigInt), dataType: TensorProto_DataType.INT64, int64Data: data.map(BigInt) });
}

function node(opType: string, input: string[], output: string, attributes: Record<string, number | number[]> = {}): NodeProto {
  return create(NodeProtoSchema, {
    name: output,
    opType,
    input,
    output: [output],
    attribute: Object.entries(attributes).map(([name, value]) =>
      Array.isArray(value)
        ? create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.INTS, ints: value.map(BigInt) })
        : create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.INT, i: BigInt(value) }),
    ),
  });
}

function tensorInfo(name: string, elemType: number, dims: (number | string)[]) {
  return create(ValueInfoProtoSchema, {
    name,
    type: create(TypeProtoSchema, {
      value: {
        case: 'tensorType',
        value: create(TypeProto_TensorSchema, {
          elemType,
          shape: create(TensorShapeProtoSchema, {
            dim: dims.map((dim) =>
              create(TensorShapeProto_DimensionSchema, { value: typeof dim === 'number' ? { case: 'dimValue', value: BigInt(dim) } : { case: 'dimParam', value: dim } }),
            ),
          }),
        }),
      },
    }),
  });
}

type HeadKind = 'distilbert-matmul' | 'gemm-no-transB' | 'matmul-no-bias';

/**
 * A tiny encoder (token embedding + LayerNorm-like Add of a [hidden] bias) and a classification head
 * of the given kind producing `logits` [batch, 2].
 */
function tinyModel(kind: HeadKind, options: { opset?: number; clsBySlice?: boolean; meanPooled?: boolean } = {}): { file: string; embedding: Float32Array; tokenBias: Float32Array } {
  const opset = options.opset ?? 14;
  const embedding = values(VOCAB * HIDDEN, 1);
  const tokenBias = values(HIDDEN, 2);
  const initializers = [floatInit('embedding', [VOCAB, HIDDEN], embedding), floatInit('final_norm.bias', [HIDDEN], tokenBias)];
  const nodes = [node('Gather', ['embedding', 'input_ids'], 'embedded'), node('Add', ['embedded', 'final_norm.bias'], 'last_hidden_state')];
  if (options.meanPooled) {
    // Sentence-transformers style: no [CLS] vector, the mean of the token states feeds the head.
    nodes.push(node('ReduceMean', ['last_hidden_state'], 'cls', { axes: [1], keepdims: 0 }));
  } else if (options.clsBySlice) {
    initializers.push(intInit('zero', [1], [0]), intInit('one', [1], [1]));
    nodes.push(node('Slice', ['last_hidden_state', 'zero', 'one', 'one'], 'cls3d'));
    if (opset >= 13) nodes.push(node('Squeeze', ['cls3d', 'one'], 'cls'));
    else nodes.push(node('Squeeze', ['cls3d'], 'cls', { axes: [1] }));
  } else {
    initializers.push(intInit('cls_index', [], [0]));
    nodes.push(node('Gather', ['last_hidden_state', 'cls_index'], 'cls', { axis: 1 }));
  }
  if (kind === 'distilbert-matmul') {
    initializers.push(floatInit('pre.weight', [HIDDEN, HIDDEN], values(HIDDEN * HIDDEN, 3)), floatInit('pre.bias', [HIDDEN], values(HIDDEN, 4)));
    initializers.push(floatInit('classifier.weight', [HIDDEN, 2], values(HIDDEN * 2, 5)), floatInit('classifier.bias', [2], values(2, 6)));
    nodes.push(
      node('MatMul', ['cls', 'pre.weight'], 'pre_mm'),
      node('Add', ['pre_mm', 'pre.bias'], 'pre_out'),
      node('Relu', ['pre_out'], 'pooled'),
      node('MatMul', ['pooled', 'classifier.weight'], 'classifier_mm'),
      node('Add', ['classifier.bias', 'classifier_mm'], 'logits'),
    );
  } else if (kind === 'gemm-no-transB') {
    initializers.push(floatInit('dense.weight', [HIDDEN, HIDDEN], values(HIDDEN * HIDDEN, 7)));
    initializers.push(floatInit('out_proj.weight', [HIDDEN, 2], values(HIDDEN * 2, 8)), floatInit('out_proj.bias', [2], values(2, 9)));
    nodes.push(node('MatMul', ['cls', 'dense.weight'], 'dense'), node('Tanh', ['dense'], 'pooled'), node('Gemm', ['pooled', 'out_proj.weight', 'out_proj.bias'], 'logits'));
  } else {
    initializers.push(floatInit('classifier.weight', [HIDDEN, 2], values(HIDDEN * 2, 10)));
    nodes.push(node('Tanh', ['cls'], 'pooled'), node('MatMul', ['pooled', 'classifier.weight'], 'logits'));
  }
  const model = create(ModelProtoSchema, {
    irVersion: 7n,
    opsetImport: [create(OperatorSetIdProtoSchema, { domain: '', version: BigInt(opset) })],
    producerName: 'textclf-test',
    graph: create(GraphProtoSchema, {
      name: kind,
      node: nodes,
      initializer: initializers,
      input: [tensorInfo('input_ids', TensorProto_DataType.INT64, ['batch', 'sequence']), tensorInfo('attention_mask', TensorProto_DataType.INT64, ['batch', 'sequence'])],
      output: [tensorInfo('logits', TensorProto_DataType.FLOAT, ['batch', 2])],
    }),
  });
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-onnx-test-')), 'model.onnx');
  fs.writeFileSync(file, toBinary(ModelProtoSchema, model));
  return { file, embedding, tokenBias };
}

const BATCH = { ids: [[1, 4, 7, 2], [1, 5, 2, 0]], mask: [[1, 1, 1, 1], [1, 1, 1, 0]] };

async function run(graph: Buffer | string, outputs: string[]): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(graph as never);
  try {
    const dims = [BATCH.ids.length, BATCH.ids[0].length];
    return await session.run(
      {
        input_ids: new ort.Tensor('int64', BigInt64Array.from(BATCH.ids.flat(), BigInt), dims),
        attention_mask: new ort.Tensor('int64', BigInt64Array.from(BATCH.mask.flat(), BigInt), dims),
      },
      outputs,
    );
  } finally {
    await session.release();
  }
}

/** A masked reduction over the tokens of each row of BATCH, of the vectors `vector(id)`, computed here. */
function overTokens(vector: (id: number, j: number) => number, reduce: 'mean' | 'max'): number[][] {
  return BATCH.ids.map((ids, row) => {
    const tokens = ids.filter((_, i) => BATCH.mask[row][i] === 1);
    return Array.from({ length: HIDDEN }, (_, j) => {
      const columns = tokens.map((id) => vector(id, j));
      return reduce === 'max' ? Math.max(...columns) : columns.reduce((sum, value) => sum + value, 0) / columns.length;
    });
  });
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

/** logits = W·x + b with W row-major [labels, width]. */
function linear(features: Float32Array, width: number, weights: Float32Array, bias: Float32Array): number[] {
  const labels = bias.length;
  const rows = features.length / width;
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < labels; k++) {
      let z = bias[k];
      for (let j = 0; j < width; j++) z += weights[k * width + j] * features[r * width + j];
      out.push(z);
    }
  }
  return out;
}

describe('training: classifier-head surgery', function () {
  const cases: { kind: HeadKind; opset?: number; clsBySlice?: boolean; layout: string; op: string }[] = [
    { kind: 'distilbert-matmul', layout: 'hidden_by_labels', op: 'MatMul' },
    { kind: 'gemm-no-transB', layout: 'hidden_by_labels', op: 'Gemm', clsBySlice: true },
    { kind: 'matmul-no-bias', layout: 'hidden_by_labels', op: 'MatMul', opset: 12 },
    { kind: 'distilbert-matmul', layout: 'hidden_by_labels', op: 'MatMul', opset: 12, clsBySlice: true },
    { kind: 'gemm-no-transB', layout: 'hidden_by_labels', op: 'Gemm', opset: 18 },
  ];
  for (const testCase of cases) {
    const title = `${testCase.kind}${testCase.opset ? `, opset ${testCase.opset}` : ''}${testCase.clsBySlice ? ', [CLS] by Slice' : ''}`;

    it(`${title}: finds the head, exposes [classifier input, masked mean and max of the token states, masked mean of the word embeddings], writes a 3-label head`, async function () {
      const { file, embedding, tokenBias } = tinyModel(testCase.kind, testCase);
      try {
        const layer = inspectClassifier(file);
        assert.equal(layer.opType, testCase.op);
        assert.equal(layer.weightLayout, testCase.layout);
        assert.equal(layer.classifierInput, 'pooled');
        assert.equal(layer.classifierInputSize, HIDDEN);
        assert.equal(layer.numLabels, 2);
        assert.equal(layer.sequenceOutput, 'last_hidden_state');
        assert.equal(layer.sequenceWidth, HIDDEN);
        assert.equal(layer.wordEmbeddings, 'embedded');
        assert.equal(layer.wordEmbeddingWidth, HIDDEN);
        assert.equal(bestPooling(layer), 'classifier-input+mean+max+embeddings');
        assert.equal(featureWidth(layer, 'classifier-input+mean+max+embeddings'), 4 * HIDDEN);

        const original = await run(file, ['logits']);
        const onlyPooled = await run(exposeSentenceFeatures(file, 'classifier-input'), ['logits', SENTENCE_FEATURES]);
        const pooled = onlyPooled[SENTENCE_FEATURES].data as Float32Array;
        assert.deepEqual(onlyPooled[SENTENCE_FEATURES].dims, [2, HIDDEN]);
        // The classifier input really is what the head multiplies: the original logits follow from it.
        const exposed = await run(exposeSentenceFeatures(file), ['logits', SENTENCE_FEATURES]);
        assertClose(exposed.logits.data as Float32Array, original.logits.data as Float32Array, 0, 'logits unchanged');
        // Token states are embedding + bias; the second row's last position is padding (id 0), which
        // must count neither in the means nor in the max.
        const tokenState = (id: number, j: number) => embedding[id * HIDDEN + j] + tokenBias[j];
        const mean = overTokens(tokenState, 'mean');
        const max = overTokens(tokenState, 'max');
        const words = overTokens((id, j) => embedding[id * HIDDEN + j], 'mean');
        const expectedFeatures = BATCH.ids.flatMap((_, row) => [...pooled.subarray(row * HIDDEN, (row + 1) * HIDDEN), ...mean[row], ...max[row], ...words[row]]);
        assert.deepEqual(exposed[SENTENCE_FEATURES].dims, [2, 4 * HIDDEN]);
        assertClose(exposed[SENTENCE_FEATURES].data as Float32Array, expectedFeatures, 1e-5, 'features');

        assertClose((exposed[SENTENCE_FEATURES].data as Float32Array).subarray(0, HIDDEN), pooled.subarray(0, HIDDEN), 0, 'pooled part');

        const weights = values(3 * 4 * HIDDEN, 11);
        const bias = Float32Array.of(0.5, -0.25, 0.125);
        const written = await run(writeHead(file, weights, bias, 3), ['logits']);
        assert.deepEqual(written.logits.dims, [2, 3]);
        assertClose(written.logits.data as Float32Array, linear(Float32Array.from(expectedFeatures), 4 * HIDDEN, weights, bias), 1e-5, 'new logits');

        const withMean = await run(writeHead(file, values(2 * 2 * HIDDEN, 15), Float32Array.of(1, 2), 2, 'classifier-input+mean'), ['logits']);
        const meanFeatures = BATCH.ids.flatMap((_, row) => [...pooled.subarray(row * HIDDEN, (row + 1) * HIDDEN), ...mean[row]]);
        assertClose(withMean.logits.data as Float32Array, linear(Float32Array.from(meanFeatures), 2 * HIDDEN, values(2 * 2 * HIDDEN, 15), Float32Array.of(1, 2)), 1e-5, 'classifier-input+mean head');

        const narrow = await run(writeHead(file, values(4 * HIDDEN, 12), Float32Array.of(1, 2, 3, 4), 4, 'classifier-input'), ['logits']);
        assertClose(narrow.logits.data as Float32Array, linear(pooled, HIDDEN, values(4 * HIDDEN, 12), Float32Array.of(1, 2, 3, 4)), 1e-5, 'classifier-input head');
      } finally {
        fs.rmSync(path.dirname(file), { recursive: true, force: true });
      }
    });
  }

  it('rejects head weights of the wrong width, naming the file and the width it needs', function () {
    const { file } = tinyModel('distilbert-matmul');
    try {
      assert.throws(() => writeHead(file, new Float32Array(3 * HIDDEN), new Float32Array(3), 3), (error: Error) => {
        assert.ok(error instanceof OnnxHeadError);
        assert.match(error.message, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
        assert.match(error.message, /features of this graph are 16 wide/);
        return true;
      });
      assert.throws(() => writeHead(file, new Float32Array(3 * 2 * HIDDEN), new Float32Array(2), 3), /head bias has 2 values; 3 labels need 3/);
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  });

  it('a head on mean-pooled token states: no [CLS] gather, so the classifier input and the word embeddings, with a clear message otherwise', async function () {
    const { file } = tinyModel('distilbert-matmul', { meanPooled: true });
    try {
      const layer = inspectClassifier(file);
      assert.equal(layer.sequenceOutput, null);
      assert.equal(bestPooling(layer), 'classifier-input+embeddings');
      assert.throws(() => exposeSentenceFeatures(file), /cannot find the encoder's token states .* for "mean" pooling; this graph supports pooling "classifier-input\+embeddings"/);
      const exposed = await run(exposeSentenceFeatures(file, 'classifier-input+embeddings'), [SENTENCE_FEATURES]);
      assert.deepEqual(exposed[SENTENCE_FEATURES].dims, [2, 2 * HIDDEN]);
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  });

  it('explains what is wrong with a graph that has no linear classifier head', function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-onnx-test-'));
    const file = path.join(dir, 'model.onnx');
    const model = create(ModelProtoSchema, {
      irVersion: 7n,
      opsetImport: [create(OperatorSetIdProtoSchema, { domain: '', version: 14n })],
      graph: create(GraphProtoSchema, {
        node: [node('Softmax', ['x'], 'logits')],
        input: [tensorInfo('x', TensorProto_DataType.FLOAT, ['batch', 2])],
        output: [tensorInfo('logits', TensorProto_DataType.FLOAT, ['batch', 2])],
      }),
    });
    fs.writeFileSync(file, toBinary(ModelProtoSchema, model));
    try {
      assert.throws(() => inspectClassifier(file), /"logits" comes from a Softmax node .* not from a linear classifier/);
      fs.writeFileSync(file, 'not a model');
      assert.throws(() => inspectClassifier(file), /not a valid ONNX model/);
      assert.throws(() => inspectClassifier(path.join(dir, 'missing.onnx')), /missing\.onnx: cannot read the ONNX file/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('on the bundled sentiment model', function () {
    const model = bundledModel('sentiment-sst2');
    const onnxFile = path.join(model, 'onnx', 'model.onnx');

    it('finds the pooler → classifier Gemm and the encoder output', function () {
      const layer = inspectClassifier(onnxFile);
      assert.equal(layer.opType, 'Gemm');
      assert.equal(layer.weightLayout, 'labels_by_hidden');
      assert.equal(layer.numLabels, 2);
      assert.ok(layer.sequenceOutput, 'sequence output found');
      assert.equal(layer.sequenceWidth, layer.classifierInputSize);
      assert.ok(layer.wordEmbeddings, 'word-embedding lookup found');
      assert.equal(bestPooling(layer), 'classifier-input+mean+max+embeddings');
    });

    it('a written head computes exactly W·features + b on real sentences', async function () {
      const config = JSON.parse(fs.readFileSync(path.join(model, 'config.json'), 'utf8'));
      const tokenizer = new TextTokenizer(path.join(model, 'tokenizer.json'), config.max_position_embeddings, 0);
      const sentences = ['a gorgeous, witty, seductive movie.', 'the plot is nothing but boilerplate clichés from start to finish,'];
      const encoded = await tokenizer.encodeBatch(sentences);
      const session = async (graph: Buffer) => {
        const s = await ort.InferenceSession.create(graph);
        const width = Math.max(...encoded.map((e) => e.windows[0].ids.length));
        const ids = new BigInt64Array(sentences.length * width);
        const mask = new BigInt64Array(sentences.length * width);
        encoded.forEach((e, r) => e.windows[0].ids.forEach((id, c) => ((ids[r * width + c] = BigInt(id)), (mask[r * width + c] = 1n))));
        const dims = [sentences.length, width];
        const feeds: Record<string, ort.Tensor> = { input_ids: new ort.Tensor('int64', ids, dims), attention_mask: new ort.Tensor('int64', mask, dims) };
        for (const name of s.inputNames) if (!(name in feeds)) feeds[name] = new ort.Tensor('int64', new BigInt64Array(ids.length), dims);
        const out = await s.run(feeds);
        await s.release();
        return out;
      };
      const features = (await session(exposeSentenceFeatures(onnxFile)))[SENTENCE_FEATURES];
      const width = features.dims[1];
      const weights = values(5 * width, 13);
      const bias = values(5, 14);
      const logits = (await session(writeHead(onnxFile, weights, bias, 5))).logits;
      assert.deepEqual(logits.dims, [2, 5]);
      assertClose(logits.data as Float32Array, linear(features.data as Float32Array, width, weights, bias), 1e-4, 'logits');
    });
  });
});
