// Graph surgery on a BERT-family sequence-classification ONNX file: find the final linear layer that
// produces `logits`, expose sentence features (its input, plus poolings of the token states and word
// embeddings) as an extra graph output, or make it a newly trained head on those features. Works on the bundled models and on optimum exports of BERT,
// DistilBERT (pre_classifier + ReLU + classifier: the features are the input of the last linear),
// RoBERTa/XLM-R (dense + tanh + out_proj) and ELECTRA, whether the linear was exported as Gemm or as
// MatMul (+ Add for the bias).
import * as fs from 'node:fs';
import { clone, create, fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  AttributeProto,
  AttributeProto_AttributeType,
  AttributeProtoSchema,
  GraphProto,
  ModelProto,
  ModelProtoSchema,
  NodeProto,
  NodeProtoSchema,
  TensorProto,
  TensorProto_DataLocation,
  TensorProto_DataType,
  TensorProtoSchema,
  TensorShapeProto_Dimension,
  TensorShapeProto_DimensionSchema,
  TensorShapeProtoSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  ValueInfoProto,
  ValueInfoProtoSchema,
} from 'onnx-buf';
import { errorMessage } from '../classifier/errors';

const LOGITS = 'logits';
export const SENTENCE_FEATURES = 'sentence_features';

export class OnnxHeadError extends Error {
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'OnnxHeadError';
  }
}

/**
 * How the classifier's weight matrix is stored: MatMul and Gemm without transB hold [hidden, labels];
 * Gemm with transB=1 (PyTorch's nn.Linear layout) holds [labels, hidden].
 */
export type WeightLayout = 'hidden_by_labels' | 'labels_by_hidden';

/**
 * What the sentence features are: the classifier's own input (BERT: the tanh-pooled [CLS] vector;
 * DistilBERT: ReLU(pre_classifier([CLS]))), then optionally, concatenated in this order:
 * - `mean`: the attention-masked mean of the encoder's last hidden states;
 * - `max`: their attention-masked maximum over the tokens;
 * - `embeddings`: the attention-masked mean of the word embeddings (the rows the embedding Gather takes
 *   for `input_ids`): a bag of words, which keeps lexical cues ("free", "txt", digits) the encoder's
 *   task may have ignored.
 * The pooled vector of a model fine-tuned for one task mostly encodes that task; the token states and
 * words keep what the text is about, so a head for a new task learns far more from them.
 */
export const POOLINGS = [
  'classifier-input+mean+max+embeddings',
  'classifier-input+mean+embeddings',
  'classifier-input+mean+max',
  'classifier-input+mean',
  'classifier-input+embeddings',
  'classifier-input',
] as const;
export type FeaturePooling = (typeof POOLINGS)[number];
export const DEFAULT_POOLING: FeaturePooling = 'classifier-input+mean+max+embeddings';
type PoolingPart = 'classifier-input' | 'mean' | 'max' | 'embeddings';

function poolingParts(pooling: FeaturePooling): PoolingPart[] {
  return pooling.split('+') as PoolingPart[];
}

/** The richest pooling whose tensors this graph has (token states for mean/max, the word-embedding Gather). */
export function bestPooling(layer: ClassifierLayer): FeaturePooling {
  return POOLINGS.find((pooling) => poolingParts(pooling).every((part) => partAvailable(layer, part)))!;
}

function partAvailable(layer: ClassifierLayer, part: PoolingPart): boolean {
  if (part === 'mean' || part === 'max') return layer.sequenceOutput !== null;
  if (part === 'embeddings') return layer.wordEmbeddings !== null;
  return true;
}

/** The final linear layer of a classification graph, found structurally. */
export interface ClassifierLayer {
  /** Tensor that feeds the classifier. */
  classifierInput: string;
  classifierInputSize: number;
  numLabels: number;
  weightLayout: WeightLayout;
  /** 'Gemm', or 'MatMul' (with a separate Add when there is a bias). */
  opType: 'Gemm' | 'MatMul';
  weightName: string;
  biasName: string | null;
  /** The encoder's last hidden states [batch, tokens, hidden]: where the [CLS] vector is taken from; null if not found. */
  sequenceOutput: string | null;
  /** Their hidden size, when the graph states it (the final LayerNorm's parameters). */
  sequenceWidth: number | null;
  /** The word embeddings [batch, tokens, width] gathered for `input_ids`; null if not found. */
  wordEmbeddings: string | null;
  wordEmbeddingWidth: number | null;
}

interface Located extends ClassifierLayer {
  linear: NodeProto;
  biasAdd: NodeProto | null;
  /** Tensors between the linear node and `logits` (excluded): their recorded shapes go stale. */
  intermediates: string[];
}

function readModel(modelPath: string): ModelProto {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(modelPath);
  } catch (error) {
    throw new OnnxHeadError(modelPath, `cannot read the ONNX file (${errorMessage(error)})`);
  }
  try {
    return fromBinary(ModelProtoSchema, bytes);
  } catch (error) {
    throw new OnnxHeadError(modelPath, `not a valid ONNX model (${errorMessage(error)})`);
  }
}

function serialize(model: ModelProto): Buffer {
  const bytes = toBinary(ModelProtoSchema, model);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Describes the classifier layer of an ONNX file without changing anything. */
export function inspectClassifier(modelPath: string): ClassifierLayer {
  const { linear: _linear, biasAdd: _biasAdd, intermediates: _intermediates, ...layer } = locate(readModel(modelPath), modelPath);
  return layer;
}

/** Width of the sentence features for a pooling, or null when the graph does not state a part's width. */
export function featureWidth(layer: ClassifierLayer, pooling: FeaturePooling): number | null {
  let width = 0;
  for (const part of poolingParts(pooling)) {
    const partWidth = part === 'classifier-input' ? layer.classifierInputSize : part === 'embeddings' ? layer.wordEmbeddingWidth : layer.sequenceWidth;
    if (partWidth === null) return null;
    width += partWidth;
  }
  return width;
}

/**
 * A copy of the model that also outputs the sentence features as the float tensor `sentence_features`
 * [batch, width]; `logits` stays as it was.
 */
export function exposeSentenceFeatures(modelPath: string, pooling: FeaturePooling = DEFAULT_POOLING): Buffer {
  const model = readModel(modelPath);
  const graph = requireGraph(model, modelPath);
  const located = locate(model, modelPath);
  if (graph.output.some((output) => output.name === SENTENCE_FEATURES)) {
    throw new OnnxHeadError(modelPath, `the graph already has an output named "${SENTENCE_FEATURES}"`);
  }
  const features = addFeatureNodes(model, located, pooling, modelPath);
  graph.node.push(create(NodeProtoSchema, { name: 'textclf_sentence_features', opType: 'Identity', input: [features], output: [SENTENCE_FEATURES] }));
  graph.output.push(floatTensorInfo(SENTENCE_FEATURES, batchDimension(graph), featureWidth(located, pooling)));
  return serialize(model);
}

/**
 * A copy of the model whose classifier computes `logits = features · weightsᵀ + bias` with the given
 * head, on the features of `pooling` (the graph computes them as exposeSentenceFeatures does).
 * `weights` is row-major [numLabels, width] (PyTorch's nn.Linear layout) whatever the graph stores; it
 * is transposed when the graph wants [width, labels].
 */
export function writeHead(
  modelPath: string,
  weights: Float32Array,
  bias: Float32Array,
  numLabels: number,
  pooling: FeaturePooling = DEFAULT_POOLING,
): Buffer {
  const model = readModel(modelPath);
  const graph = requireGraph(model, modelPath);
  const located = locate(model, modelPath);
  if (!Number.isInteger(numLabels) || numLabels < 1) {
    throw new OnnxHeadError(modelPath, `a head needs at least one label, got ${numLabels}`);
  }
  if (bias.length !== numLabels) {
    throw new OnnxHeadError(modelPath, `head bias has ${bias.length} values; ${numLabels} labels need ${numLabels}`);
  }
  const width = weights.length / numLabels;
  const expected = featureWidth(located, pooling);
  const plausible = expected === null ? Number.isInteger(width) && width > located.classifierInputSize : width === expected;
  if (!plausible) {
    const need = expected === null ? `more than ${located.classifierInputSize}` : String(expected);
    throw new OnnxHeadError(modelPath, `head weights have ${weights.length} values for ${numLabels} labels; "${pooling}" features of this graph are ${need} wide`);
  }

  located.linear.input[0] = addFeatureNodes(model, located, pooling, modelPath);
  const stored = located.weightLayout === 'labels_by_hidden' ? weights : transpose(weights, numLabels, width);
  const weightDims = located.weightLayout === 'labels_by_hidden' ? [numLabels, width] : [width, numLabels];
  replaceTensor(graph, located.weightName, floatTensor(located.weightName, weightDims, stored));

  if (located.biasName !== null) {
    replaceTensor(graph, located.biasName, floatTensor(located.biasName, [numLabels], bias));
  } else {
    addBias(graph, located, bias);
  }
  if (located.opType === 'Gemm') {
    // The trained head already includes any scaling: make alpha and beta 1 explicitly.
    setFloatAttribute(located.linear, 'alpha', 1);
    setFloatAttribute(located.linear, 'beta', 1);
  }

  // Shapes recorded for the old width are wrong now: drop intermediate ones, fix `logits`.
  const stale = new Set(located.intermediates);
  graph.valueInfo = graph.valueInfo.filter((info) => !stale.has(info.name) && info.name !== LOGITS);
  const logits = graph.output.find((output) => output.name === LOGITS)!;
  const dims = logits.type?.value.case === 'tensorType' ? logits.type.value.value.shape?.dim : undefined;
  if (dims && dims.length > 0) {
    dims[dims.length - 1] = create(TensorShapeProto_DimensionSchema, { value: { case: 'dimValue', value: BigInt(numLabels) } });
  }
  return serialize(model);
}

/**
 * Adds the nodes that compute the features of `pooling`; returns the name of the features tensor.
 * With an attention mask m (1 for tokens, 0 for padding) over token vectors h:
 * mean = Σ m·h / max(Σ m, ε); max = ReduceMax(h + (m − 1)·10⁴); the parts are then concatenated.
 */
function addFeatureNodes(model: ModelProto, located: Located, pooling: FeaturePooling, file: string): string {
  if (pooling === 'classifier-input') return located.classifierInput;
  const graph = model.graph!;
  const opset = Number(model.opsetImport.find((entry) => entry.domain === '' || entry.domain === 'ai.onnx')?.version ?? 0n);
  const name = (suffix: string) => `textclf_pool_${suffix}`;
  const nodes: NodeProto[] = [];
  const node = (opType: string, input: string[], output: string, attributes: AttributeProto[] = []) =>
    nodes.push(create(NodeProtoSchema, { name: output, opType, input, output: [output], attribute: attributes }));
  // Since opset 13 ReduceSum and Unsqueeze take their axes as an input, since 18 ReduceMean and
  // ReduceMax too; before, as an attribute.
  const reduceOverTokens = (opType: 'Unsqueeze' | 'ReduceSum' | 'ReduceMean' | 'ReduceMax', input: string, axis: number, output: string) => {
    const attributes = opType === 'Unsqueeze' ? [] : [intAttributeProto('keepdims', 0)];
    if (opset >= (opType === 'Unsqueeze' || opType === 'ReduceSum' ? 13 : 18)) {
      const axes = name(`${output}_axes`);
      graph.initializer.push(int64Tensor(axes, [axis]));
      node(opType, [input, axes], output, attributes);
    } else {
      node(opType, [input], output, [...attributes, intsAttribute('axes', [axis])]);
    }
  };
  const maskInput = graph.input.find((input) => input.name === 'attention_mask');
  if (maskInput) {
    node('Cast', [maskInput.name], name('mask'), [intAttributeProto('to', TensorProto_DataType.FLOAT)]);
    reduceOverTokens('Unsqueeze', name('mask'), 2, name('mask3d'));
    reduceOverTokens('ReduceSum', name('mask3d'), 1, name('count'));
    graph.initializer.push(floatTensor(name('min_count'), [], Float32Array.of(1e-9)));
    node('Max', [name('count'), name('min_count')], name('safe_count'));
  }
  const maskedMean = (tokens: string, prefix: string) => {
    if (!maskInput) {
      // No mask input: every position is a token.
      reduceOverTokens('ReduceMean', tokens, 1, name(`${prefix}_mean`));
      return name(`${prefix}_mean`);
    }
    node('Mul', [tokens, name('mask3d')], name(`${prefix}_masked`));
    reduceOverTokens('ReduceSum', name(`${prefix}_masked`), 1, name(`${prefix}_sum`));
    node('Div', [name(`${prefix}_sum`), name('safe_count')], name(`${prefix}_mean`));
    return name(`${prefix}_mean`);
  };
  const maskedMax = (tokens: string, prefix: string) => {
    if (maskInput) {
      graph.initializer.push(floatTensor(name('one'), [], Float32Array.of(1)), floatTensor(name('padding_penalty'), [], Float32Array.of(1e4)));
      node('Sub', [name('mask3d'), name('one')], name('padding'));
      node('Mul', [name('padding'), name('padding_penalty')], name('penalty'));
      node('Add', [tokens, name('penalty')], name(`${prefix}_penalized`));
    }
    reduceOverTokens('ReduceMax', maskInput ? name(`${prefix}_penalized`) : tokens, 1, name(`${prefix}_max`));
    return name(`${prefix}_max`);
  };

  const parts = poolingParts(pooling).map((part) => {
    if (!partAvailable(located, part)) {
      const missing = part === 'embeddings' ? 'the word-embedding lookup of input_ids' : "the encoder's token states (the tensor the [CLS] vector is gathered from)";
      throw new OnnxHeadError(file, `cannot find ${missing} for "${part}" pooling; this graph supports pooling "${bestPooling(located)}"`);
    }
    if (part === 'classifier-input') return located.classifierInput;
    if (part === 'mean') return maskedMean(located.sequenceOutput!, 'tokens');
    if (part === 'max') return maskedMax(located.sequenceOutput!, 'tokens');
    return maskedMean(located.wordEmbeddings!, 'embeddings');
  });
  node('Concat', parts, name('features'), [intAttributeProto('axis', 1)]);
  // Insert right before the classifier so the node list stays topologically sorted.
  graph.node.splice(graph.node.indexOf(located.linear), 0, ...nodes);
  return name('features');
}

function requireGraph(model: ModelProto, file: string): GraphProto {
  if (!model.graph) throw new OnnxHeadError(file, 'the ONNX model has no graph');
  return model.graph;
}

// Nodes that pass a tensor through unchanged between the classifier and `logits` in some exports.
const PASS_THROUGH = new Set(['Identity', 'Reshape', 'Squeeze', 'Flatten']);

function locate(model: ModelProto, file: string): Located {
  const graph = requireGraph(model, file);
  if (!graph.output.some((output) => output.name === LOGITS)) {
    const names = graph.output.map((output) => output.name).join(', ') || 'none';
    throw new OnnxHeadError(file, `the graph has no output named "${LOGITS}" (outputs: ${names}); not a sequence-classification model`);
  }
  const producer = new Map<string, NodeProto>();
  for (const node of graph.node) for (const output of node.output) producer.set(output, node);
  const constants = constantTensors(graph);

  const intermediates: string[] = [];
  let tensor = LOGITS;
  let node = producer.get(tensor);
  while (node && PASS_THROUGH.has(node.opType)) {
    tensor = node.input[0];
    intermediates.push(tensor);
    node = producer.get(tensor);
  }
  if (!node) throw new OnnxHeadError(file, `no node produces "${LOGITS}"`);

  let biasAdd: NodeProto | null = null;
  let biasName: string | null = null;
  if (node.opType === 'Add') {
    const [a, b] = node.input;
    const [linearInput, biasInput] = constants.has(b) ? [a, b] : constants.has(a) ? [b, a] : [null, null];
    const linear = linearInput === null ? undefined : producer.get(linearInput);
    if (linearInput === null || biasInput === null || !linear || linear.opType !== 'MatMul') {
      throw unsupported(file, node);
    }
    biasAdd = node;
    biasName = biasInput;
    intermediates.push(linearInput);
    node = linear;
  }

  if (node.opType === 'Gemm') {
    if (intAttribute(node, 'transA') === 1) throw new OnnxHeadError(file, `classifier Gemm "${node.name}" has transA=1; not supported`);
    const transB = intAttribute(node, 'transB') === 1;
    const weight = requireConstant(constants, node.input[1], file, node);
    const [rows, cols] = matrixDims(weight, node.input[1], file);
    const bias = node.input[2] ? requireConstant(constants, node.input[2], file, node) : null;
    return {
      classifierInput: node.input[0],
      classifierInputSize: transB ? cols : rows,
      ...findSequenceOutput(graph, node.input[0], producer, constants),
      ...findWordEmbeddings(graph, constants),
      numLabels: transB ? rows : cols,
      weightLayout: transB ? 'labels_by_hidden' : 'hidden_by_labels',
      opType: 'Gemm',
      weightName: node.input[1],
      biasName: bias ? node.input[2] : null,
      linear: node,
      biasAdd: null,
      intermediates,
    };
  }
  if (node.opType === 'MatMul') {
    const weight = requireConstant(constants, node.input[1], file, node);
    const [rows, cols] = matrixDims(weight, node.input[1], file);
    if (biasName !== null) requireConstant(constants, biasName, file, biasAdd!);
    return {
      classifierInput: node.input[0],
      classifierInputSize: rows,
      ...findSequenceOutput(graph, node.input[0], producer, constants),
      ...findWordEmbeddings(graph, constants),
      numLabels: cols,
      weightLayout: 'hidden_by_labels',
      opType: 'MatMul',
      weightName: node.input[1],
      biasName,
      linear: node,
      biasAdd,
      intermediates,
    };
  }
  throw unsupported(file, node);
}

/**
 * Walks back from the classifier's input to the node that takes the [CLS] position out of the token
 * states: a Gather on axis 1 with a constant index, or a Slice on axis 1. Its data input is the
 * encoder's output; its hidden size is read from the 1-D parameters of the node producing it (the final
 * LayerNorm's scale or bias).
 */
function findSequenceOutput(
  graph: GraphProto,
  classifierInput: string,
  producer: Map<string, NodeProto>,
  constants: Map<string, TensorProto>,
): { sequenceOutput: string | null; sequenceWidth: number | null } {
  const seen = new Set<string>();
  const queue = [classifierInput];
  while (queue.length > 0 && seen.size < 64) {
    const tensor = queue.shift()!;
    if (seen.has(tensor)) continue;
    seen.add(tensor);
    const node = producer.get(tensor);
    if (!node) continue;
    const takesCls =
      (node.opType === 'Gather' && (intAttribute(node, 'axis') ?? 0) === 1 && constants.has(node.input[1])) ||
      (node.opType === 'Slice' && node.input[3] !== undefined && constants.has(node.input[3]) && sameValues(int64Values(constants.get(node.input[3])!), [1]));
    if (takesCls) {
      const sequenceOutput = node.input[0];
      const parameters = producer.get(sequenceOutput)?.input.map((input) => constants.get(input)).filter((t) => t && t.dims.length === 1) ?? [];
      const sequenceWidth = parameters.length > 0 ? Number(parameters[0]!.dims[0]) : null;
      return { sequenceOutput, sequenceWidth };
    }
    for (const input of node.input) if (input && !constants.has(input)) queue.push(input);
  }
  return { sequenceOutput: null, sequenceWidth: null };
}

/**
 * The lookup of the word embeddings: a Gather of rows of a constant 2-D table by `input_ids`. Position
 * and token-type embeddings are added after it, so its output is the plain bag of words.
 */
function findWordEmbeddings(graph: GraphProto, constants: Map<string, TensorProto>): { wordEmbeddings: string | null; wordEmbeddingWidth: number | null } {
  for (const node of graph.node) {
    const table = node.opType === 'Gather' && node.input[1] === 'input_ids' ? constants.get(node.input[0]) : undefined;
    if (table && table.dims.length === 2 && table.dataType === TensorProto_DataType.FLOAT && (intAttribute(node, 'axis') ?? 0) === 0) {
      return { wordEmbeddings: node.output[0], wordEmbeddingWidth: Number(table.dims[1]) };
    }
  }
  return { wordEmbeddings: null, wordEmbeddingWidth: null };
}

function sameValues(a: bigint[], b: number[]): boolean {
  return a.length === b.length && a.every((value, i) => Number(value) === b[i]);
}

function int64Values(tensor: TensorProto): bigint[] {
  if (tensor.rawData.length > 0) {
    const view = new DataView(tensor.rawData.buffer, tensor.rawData.byteOffset, tensor.rawData.byteLength);
    return Array.from({ length: tensor.rawData.byteLength / 8 }, (_, i) => view.getBigInt64(i * 8, true));
  }
  return tensor.int64Data;
}

function unsupported(file: string, node: NodeProto): OnnxHeadError {
  return new OnnxHeadError(
    file,
    `"${LOGITS}" comes from a ${node.opType} node ("${node.name}"), not from a linear classifier (Gemm, or MatMul with an optional Add); ` +
      'this graph is not a supported sequence-classification head',
  );
}

/** Initializers by name, plus tensors that Constant nodes produce (some exporters fold weights that way). */
function constantTensors(graph: GraphProto): Map<string, TensorProto> {
  const tensors = new Map<string, TensorProto>();
  for (const initializer of graph.initializer) tensors.set(initializer.name, initializer);
  for (const node of graph.node) {
    if (node.opType !== 'Constant') continue;
    const value = node.attribute.find((attribute) => attribute.name === 'value')?.t;
    if (value) tensors.set(node.output[0], value);
  }
  return tensors;
}

function requireConstant(constants: Map<string, TensorProto>, name: string, file: string, node: NodeProto): TensorProto {
  const tensor = constants.get(name);
  if (!tensor) throw new OnnxHeadError(file, `classifier ${node.opType} "${node.name}": input "${name}" is not a constant weight`);
  if (tensor.dataType !== TensorProto_DataType.FLOAT) {
    throw new OnnxHeadError(file, `classifier weight "${name}" has ONNX data type ${TensorProto_DataType[tensor.dataType] ?? tensor.dataType}; only float32 heads are supported (use the unquantized model.onnx)`);
  }
  return tensor;
}

function matrixDims(tensor: TensorProto, name: string, file: string): [number, number] {
  if (tensor.dims.length !== 2) throw new OnnxHeadError(file, `classifier weight "${name}" has ${tensor.dims.length} dimensions; expected 2`);
  return [Number(tensor.dims[0]), Number(tensor.dims[1])];
}

function intAttribute(node: NodeProto, name: string): number | undefined {
  const attribute = node.attribute.find((candidate) => candidate.name === name);
  return attribute ? Number(attribute.i) : undefined;
}

function intAttributeProto(name: string, value: number): AttributeProto {
  return create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.INT, i: BigInt(value) });
}

function intsAttribute(name: string, values: number[]): AttributeProto {
  return create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.INTS, ints: values.map(BigInt) });
}

function setFloatAttribute(node: NodeProto, name: string, value: number): void {
  node.attribute = node.attribute.filter((attribute) => attribute.name !== name);
  node.attribute.push(create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.FLOAT, f: value }));
}

/** Puts `tensor` where the old one lived: the initializer list, or the Constant node that made it. */
function replaceTensor(graph: GraphProto, name: string, tensor: TensorProto): void {
  const index = graph.initializer.findIndex((initializer) => initializer.name === name);
  if (index >= 0) {
    graph.initializer[index] = tensor;
    return;
  }
  const constant = graph.node.find((node) => node.opType === 'Constant' && node.output[0] === name)!;
  const value = constant.attribute.find((attribute) => attribute.name === 'value')!;
  value.t = create(TensorProtoSchema, { ...tensor, name: '' });
}

/** A MatMul classifier without bias gets one: MatMul -> (renamed output) -> Add(bias) -> old output. */
function addBias(graph: GraphProto, located: Located, bias: Float32Array): void {
  const biasName = `${located.weightName}_textclf_bias`;
  const original = located.linear.output[0];
  const renamed = `${original}_textclf_without_bias`;
  located.linear.output[0] = renamed;
  graph.initializer.push(floatTensor(biasName, [bias.length], bias));
  const at = graph.node.indexOf(located.linear) + 1;
  graph.node.splice(at, 0, create(NodeProtoSchema, { name: 'textclf_classifier_bias', opType: 'Add', input: [renamed, biasName], output: [original] }));
}

function floatTensor(name: string, dims: number[], values: Float32Array): TensorProto {
  // raw_data is little-endian by the ONNX spec, whatever the host's byte order.
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  values.forEach((value, i) => view.setFloat32(i * 4, value, true));
  return create(TensorProtoSchema, {
    name,
    dims: dims.map(BigInt),
    dataType: TensorProto_DataType.FLOAT,
    rawData: raw,
    dataLocation: TensorProto_DataLocation.DEFAULT,
  });
}

function int64Tensor(name: string, values: number[]): TensorProto {
  const raw = new Uint8Array(values.length * 8);
  const view = new DataView(raw.buffer);
  values.forEach((value, i) => view.setBigInt64(i * 8, BigInt(value), true));
  return create(TensorProtoSchema, { name, dims: [BigInt(values.length)], dataType: TensorProto_DataType.INT64, rawData: raw });
}

function transpose(matrix: Float32Array, rows: number, cols: number): Float32Array {
  const result = new Float32Array(matrix.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) result[c * rows + r] = matrix[r * cols + c];
  return result;
}

/** The batch dimension as the graph names it (from its first input), so the new output shares it. */
function batchDimension(graph: GraphProto): TensorShapeProto_Dimension {
  const first = graph.input[0]?.type;
  const dim = first?.value.case === 'tensorType' ? first.value.value.shape?.dim[0] : undefined;
  return dim ? clone(TensorShapeProto_DimensionSchema, dim) : create(TensorShapeProto_DimensionSchema, { value: { case: 'dimParam', value: 'batch_size' } });
}

function floatTensorInfo(name: string, batch: TensorShapeProto_Dimension, width: number | null): ValueInfoProto {
  return create(ValueInfoProtoSchema, {
    name,
    type: create(TypeProtoSchema, {
      value: {
        case: 'tensorType',
        value: create(TypeProto_TensorSchema, {
          elemType: TensorProto_DataType.FLOAT,
          shape: create(TensorShapeProtoSchema, {
            dim: [
              batch,
              create(TensorShapeProto_DimensionSchema, {
                value: width === null ? { case: 'dimParam', value: 'feature_width' } : { case: 'dimValue', value: BigInt(width) },
              }),
            ],
          }),
        }),
      },
    }),
  });
}
