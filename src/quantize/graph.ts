// Dynamic int8 quantization of an ONNX graph, in place. Weights become int8 with one scale per output
// channel (symmetric, zero point 0); activations are quantized while the model runs (DynamicQuantizeLinear:
// uint8 with a scale and zero point per tensor), so no calibration data is needed. Two graph forms:
// - 'integer': DynamicQuantizeLinear -> MatMulInteger (per-column b_zero_point) -> Cast -> Mul by
//   a_scale*b_scale (-> Add bias), the pattern onnxruntime fuses into MatMulIntegerToFloat /
//   DynamicQuantizeMatMul (onnxruntime's own quantize_dynamic writes it);
// - 'qdq': DynamicQuantizeLinear -> DequantizeLinear, and DequantizeLinear(int8 weight, per axis) -> MatMul.
// Embedding tables (a Gather of rows of a constant matrix) are stored as int8 with one scale per row and
// dequantized after the Gather, which is most of a small model's file.
import { create } from '@bufbuild/protobuf';
import {
  AttributeProto,
  AttributeProto_AttributeType,
  AttributeProtoSchema,
  GraphProto,
  ModelProto,
  NodeProto,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  TensorProto,
  TensorProto_DataType,
  TensorProtoSchema,
} from 'onnx-buf';
import { floatValues, QuantizedMatrix, quantizePerColumn, quantizePerRow, transpose } from './int8';
import { QuantizeError } from './onnxFile';

export const GRAPH_FORMS = ['integer', 'qdq'] as const;
export type GraphForm = (typeof GRAPH_FORMS)[number];

/** The form that measured faster under onnxruntime-node on an AVX-512 VNNI CPU (see README, Quantize). */
export const DEFAULT_GRAPH_FORM: GraphForm = 'integer';

/** Embedding tables smaller than this stay float (token-type embeddings: a few hundred values). */
const MIN_EMBEDDING_ELEMENTS = 4096;
const MS_DOMAIN = 'com.microsoft';

export interface QuantizeGraphOptions {
  form?: GraphForm;
  /** Called after each quantized node with how many of how many are done. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface QuantizeGraphResult {
  form: GraphForm;
  /** MatMul and Gemm nodes whose constant weight is now int8. */
  matMuls: number;
  /** Gathers of embedding tables now stored as int8. */
  embeddings: number;
  /** Parameters (weight values) now stored as int8, and those still float. */
  int8Parameters: number;
  floatParameters: number;
}

interface Planned {
  node: NodeProto;
  kind: 'matmul' | 'gemm' | 'gather';
}

/** Quantizes `model` in place; `file` names the graph in errors. */
export async function quantizeGraph(model: ModelProto, file: string, options: QuantizeGraphOptions = {}): Promise<QuantizeGraphResult> {
  const form = options.form ?? DEFAULT_GRAPH_FORM;
  const graph = model.graph!;
  const opset = Number(model.opsetImport.find((entry) => entry.domain === '' || entry.domain === 'ai.onnx')?.version ?? 0n);
  if (opset < 11) throw new QuantizeError(file, `the graph uses ONNX opset ${opset}; dynamic quantization needs opset 11 or later (DynamicQuantizeLinear)`);
  const builder = new GraphBuilder(graph, form, opset);

  const planned = plan(graph, builder.constants);
  if (planned.filter((step) => step.kind !== 'gather').length === 0) {
    const already = graph.node.some((node) => node.opType === 'MatMulInteger' || node.opType === 'DynamicQuantizeLinear' || node.opType === 'MatMulIntegerToFloat');
    throw new QuantizeError(file, already ? 'the graph is already quantized' : 'the graph has no MatMul or Gemm with a constant float weight to quantize');
  }
  if (form === 'qdq' && opset < 13 && !model.opsetImport.some((entry) => entry.domain === MS_DOMAIN)) {
    // Per-axis DequantizeLinear is in the ONNX domain from opset 13; onnxruntime's own domain has it before.
    model.opsetImport.push(create(OperatorSetIdProtoSchema, { domain: MS_DOMAIN, version: 1n }));
  }

  const replacements = new Map<NodeProto, NodeProto[]>();
  let done = 0;
  for (const step of planned) {
    options.signal?.throwIfAborted();
    const nodes = step.kind === 'gather' ? builder.gather(step.node) : builder.linear(step.node, step.kind === 'gemm');
    replacements.set(step.node, nodes);
    options.onProgress?.(++done, planned.length);
    // Large weights take a while: let the event loop answer a cancel or a signal in between.
    await new Promise((resolve) => setImmediate(resolve));
  }
  graph.node = graph.node.flatMap((node) => replacements.get(node) ?? [node]);
  builder.addInitializers();
  removeUnused(graph);

  const count = (type: TensorProto_DataType) =>
    graph.initializer.filter((tensor) => tensor.dataType === type).reduce((sum, tensor) => sum + tensor.dims.reduce((n, dim) => n * Number(dim), 1), 0);
  return {
    form,
    matMuls: planned.filter((step) => step.kind !== 'gather').length,
    embeddings: planned.filter((step) => step.kind === 'gather').length,
    int8Parameters: count(TensorProto_DataType.INT8),
    floatParameters: count(TensorProto_DataType.FLOAT),
  };
}

/** The nodes to quantize: MatMul / Gemm with a constant 2-D float weight, Gathers of embedding tables. */
function plan(graph: GraphProto, constants: Map<string, TensorProto>): Planned[] {
  const floatMatrix = (name: string | undefined) => {
    const tensor = name === undefined ? undefined : constants.get(name);
    return tensor !== undefined && tensor.dataType === TensorProto_DataType.FLOAT && tensor.dims.length === 2 ? tensor : undefined;
  };
  const steps: Planned[] = [];
  for (const node of graph.node) {
    if (node.domain !== '' && node.domain !== 'ai.onnx') continue;
    if (node.opType === 'MatMul' && floatMatrix(node.input[1]) && !constants.has(node.input[0])) steps.push({ node, kind: 'matmul' });
    else if (node.opType === 'Gemm' && floatMatrix(node.input[1]) && !constants.has(node.input[0]) && intAttribute(node, 'transA', 0) === 0) {
      const bias = node.input[2];
      // A computed bias scaled by beta would need its own Mul; such graphs keep that Gemm in float.
      if (!bias || constants.has(bias) || floatAttribute(node, 'beta', 1) === 1) steps.push({ node, kind: 'gemm' });
    } else if (node.opType === 'Gather' && intAttribute(node, 'axis', 0) === 0) {
      const table = floatMatrix(node.input[0]);
      if (table && Number(table.dims[0]) * Number(table.dims[1]) >= MIN_EMBEDDING_ELEMENTS) steps.push({ node, kind: 'gather' });
    }
  }
  return steps;
}

interface QuantizedActivation {
  values: string;
  scale: string;
  zeroPoint: string;
  /** The float tensor dequantized again ('qdq' form), made on first use. */
  dequantized?: string;
}

interface QuantizedWeight {
  values: string;
  scales: string;
  zeroPoints: string;
  /** The dequantized weight ('qdq' form), made on first use. */
  dequantized?: string;
}

/** Makes the replacement nodes and the new initializers, with names that clash with nothing in the graph. */
class GraphBuilder {
  readonly constants = new Map<string, TensorProto>();
  private readonly names = new Set<string>();
  private readonly initializers: TensorProto[] = [];
  private readonly activations = new Map<string, QuantizedActivation>();
  private readonly weights = new Map<string, QuantizedWeight>();
  private readonly embeddingTables = new Map<string, { values: string; scales: string }>();

  constructor(
    private readonly graph: GraphProto,
    private readonly form: GraphForm,
    private readonly opset: number,
  ) {
    // An initializer that is also a graph input can be overridden at run time: not a constant.
    const inputs = new Set(graph.input.map((input) => input.name));
    for (const tensor of graph.initializer) if (!inputs.has(tensor.name)) this.constants.set(tensor.name, tensor);
    for (const node of graph.node) {
      const value = node.opType === 'Constant' ? node.attribute.find((attribute) => attribute.name === 'value')?.t : undefined;
      if (value) this.constants.set(node.output[0], value);
      for (const name of [...node.input, ...node.output, node.name]) this.names.add(name);
    }
    for (const tensor of graph.initializer) this.names.add(tensor.name);
    for (const info of [...graph.input, ...graph.output, ...graph.valueInfo]) this.names.add(info.name);
  }

  /** MatMul(x, W) or Gemm(x, W, C): the same product on int8 weights; writes the node's own output. */
  linear(node: NodeProto, gemm: boolean): NodeProto[] {
    const nodes: NodeProto[] = [];
    const transB = gemm && intAttribute(node, 'transB', 0) === 1;
    const alpha = gemm ? floatAttribute(node, 'alpha', 1) : 1;
    const weight = this.weight(node.input[1], transB, alpha);
    const activation = this.activation(node.input[0], nodes);
    const bias = gemm && node.input[2] ? this.gemmBias(node) : undefined;
    const output = node.output[0];
    const product = bias === undefined ? output : this.name(`${output}_without_bias`);
    const base = node.name || output;

    if (this.form === 'integer') {
      const integer = this.name(`${base}_integer`);
      const scale = this.name(`${base}_scale`);
      const asFloat = this.name(`${base}_float`);
      nodes.push(
        this.node('MatMulInteger', [activation.values, weight.values, activation.zeroPoint, weight.zeroPoints], integer, `${base}_MatMulInteger`),
        this.node('Mul', [activation.scale, weight.scales], scale, `${base}_scales`),
        this.node('Cast', [integer], asFloat, `${base}_cast`, [intAttributeProto('to', TensorProto_DataType.FLOAT)]),
        this.node('Mul', [asFloat, scale], product, `${base}_rescale`),
      );
    } else {
      if (!activation.dequantized) {
        activation.dequantized = this.name(`${node.input[0]}_dequantized`);
        nodes.push(this.dequantize([activation.values, activation.scale, activation.zeroPoint], activation.dequantized));
      }
      if (!weight.dequantized) {
        weight.dequantized = this.name(`${node.input[1]}_dequantized`);
        nodes.push(this.dequantize([weight.values, weight.scales, weight.zeroPoints], weight.dequantized, 1));
      }
      nodes.push(this.node('MatMul', [activation.dequantized, weight.dequantized], product, `${base}_MatMul`));
    }
    if (bias !== undefined) nodes.push(this.node('Add', [product, bias], output, `${base}_bias`));
    return nodes;
  }

  /** Gather(table, indices) on an int8 table, times the picked rows' scales. */
  gather(node: NodeProto): NodeProto[] {
    const tableName = node.input[0];
    let table = this.embeddingTables.get(tableName);
    if (!table) {
      const tensor = this.constants.get(tableName)!;
      const [rows, cols] = tensor.dims.map(Number);
      const quantized = quantizePerRow(floatValues(tensor)!, rows, cols);
      table = {
        values: this.initializer(`${tableName}_quantized`, [rows, cols], TensorProto_DataType.INT8, quantized.values),
        scales: this.initializer(`${tableName}_scale`, [rows, 1], TensorProto_DataType.FLOAT, quantized.scales),
      };
      this.embeddingTables.set(tableName, table);
    }
    const output = node.output[0];
    const base = node.name || output;
    const [picked, asFloat, scales] = [`${output}_quantized`, `${output}_float`, `${output}_scale`].map((name) => this.name(name));
    return [
      this.node('Gather', [table.values, node.input[1]], picked, `${base}_quantized`, [intAttributeProto('axis', 0)]),
      this.node('Cast', [picked], asFloat, `${base}_cast`, [intAttributeProto('to', TensorProto_DataType.FLOAT)]),
      this.node('Gather', [table.scales, node.input[1]], scales, `${base}_scales`, [intAttributeProto('axis', 0)]),
      this.node('Mul', [asFloat, scales], output, `${base}_rescale`),
    ];
  }

  addInitializers(): void {
    this.graph.initializer.push(...this.initializers);
  }

  /** DynamicQuantizeLinear of an activation, once per tensor however many products read it. */
  private activation(input: string, nodes: NodeProto[]): QuantizedActivation {
    let quantized = this.activations.get(input);
    if (!quantized) {
      quantized = { values: this.name(`${input}_quantized`), scale: this.name(`${input}_scale`), zeroPoint: this.name(`${input}_zero_point`) };
      nodes.push(create(NodeProtoSchema, { name: this.name(`${input}_DynamicQuantizeLinear`), opType: 'DynamicQuantizeLinear', input: [input], output: [quantized.values, quantized.scale, quantized.zeroPoint] }));
      this.activations.set(input, quantized);
    }
    return quantized;
  }

  /** The int8 weight in MatMul layout [K, N] with per-column scales (times a Gemm's alpha). */
  private weight(name: string, transposed: boolean, alpha: number): QuantizedWeight {
    const key = `${name}|${transposed}|${alpha}`;
    let quantized = this.weights.get(key);
    if (!quantized) {
      const tensor = this.constants.get(name)!;
      const [rows, cols] = tensor.dims.map(Number);
      const values = floatValues(tensor)!;
      const [k, n] = transposed ? [cols, rows] : [rows, cols];
      const matrix: QuantizedMatrix = quantizePerColumn(transposed ? transpose(values, rows, cols) : values, k, n);
      if (alpha !== 1) matrix.scales.forEach((scale, i) => (matrix.scales[i] = scale * alpha));
      quantized = {
        values: this.initializer(`${name}_quantized`, [k, n], TensorProto_DataType.INT8, matrix.values),
        scales: this.initializer(`${name}_scale`, [n], TensorProto_DataType.FLOAT, matrix.scales),
        zeroPoints: this.initializer(`${name}_zero_point`, [n], TensorProto_DataType.INT8, new Int8Array(n)),
      };
      this.weights.set(key, quantized);
    }
    return quantized;
  }

  /** A Gemm's bias C times beta: a new constant, or C itself (beta 1). */
  private gemmBias(node: NodeProto): string {
    const name = node.input[2];
    const beta = floatAttribute(node, 'beta', 1);
    const tensor = this.constants.get(name);
    if (beta === 1 || !tensor) return name;
    const values = floatValues(tensor)!.map((value) => value * beta);
    return this.initializer(`${name}_times_beta`, tensor.dims.map(Number), TensorProto_DataType.FLOAT, values);
  }

  private dequantize(input: string[], output: string, axis?: number): NodeProto {
    const attributes = axis === undefined ? [] : [intAttributeProto('axis', axis)];
    // Per-axis DequantizeLinear is in the ONNX domain from opset 13; onnxruntime's own domain has it before.
    const domain = axis !== undefined && this.opset < 13 ? MS_DOMAIN : '';
    return create(NodeProtoSchema, { name: this.name(`${output}_DequantizeLinear`), opType: 'DequantizeLinear', domain, input, output: [output], attribute: attributes });
  }

  private node(opType: string, input: string[], output: string, name: string, attribute: AttributeProto[] = []): NodeProto {
    return create(NodeProtoSchema, { name: this.name(name), opType, input, output: [output], attribute });
  }

  private initializer(name: string, dims: number[], dataType: TensorProto_DataType, values: Int8Array | Float32Array): string {
    const unique = this.name(name);
    const rawData = new Uint8Array(values.buffer as ArrayBuffer, values.byteOffset, values.byteLength);
    this.initializers.push(create(TensorProtoSchema, { name: unique, dims: dims.map(BigInt), dataType, rawData }));
    return unique;
  }

  private name(wanted: string): string {
    let name = wanted;
    for (let i = 1; this.names.has(name); i++) name = `${wanted}_${i}`;
    this.names.add(name);
    return name;
  }
}

/** Drops the initializers and Constant nodes nothing reads any more (the float weights replaced). */
function removeUnused(graph: GraphProto): void {
  const read = new Set<string>([...graph.output.map((output) => output.name)]);
  for (const node of graph.node) for (const input of node.input) read.add(input);
  // Subgraphs (If/Loop bodies) may read outer tensors by name.
  for (const node of graph.node) for (const attribute of node.attribute) for (const sub of [attribute.g, ...attribute.graphs]) if (sub) for (const inner of sub.node) for (const input of inner.input) read.add(input);
  graph.node = graph.node.filter((node) => node.opType !== 'Constant' || node.output.some((output) => read.has(output)));
  graph.initializer = graph.initializer.filter((tensor) => read.has(tensor.name));
  const produced = new Set(graph.node.flatMap((node) => node.output));
  graph.valueInfo = graph.valueInfo.filter((info) => produced.has(info.name));
}

function intAttribute(node: NodeProto, name: string, fallback: number): number {
  const attribute = node.attribute.find((candidate) => candidate.name === name);
  return attribute ? Number(attribute.i) : fallback;
}

function floatAttribute(node: NodeProto, name: string, fallback: number): number {
  const attribute = node.attribute.find((candidate) => candidate.name === name);
  return attribute ? attribute.f : fallback;
}

function intAttributeProto(name: string, value: number): AttributeProto {
  return create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.INT, i: BigInt(value) });
}
