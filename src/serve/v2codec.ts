// The Open Inference Protocol (KServe v2) tensor format: an infer request's tensors checked
// against the model's signature and turned into int64 feeds; outputs turned back into tensors.
// Data comes as JSON (flat or nested) or, with the binary tensor data extension Triton's clients
// use by default, as raw little-endian bytes after the JSON (parameters.binary_data_size).
// Every malformed request becomes a 400 that names the tensor and what is wrong with it.
import type { ModelSignature, TensorSpec } from '../classifier/types';
import { bytesTensor, classify } from './classification';
import { badRequest } from './errors';

export interface Int64Tensor {
  data: BigInt64Array;
  dims: number[];
}
export interface Float32Tensor {
  data: Float32Array;
  dims: number[];
}

export interface DecodedInferRequest {
  id?: string;
  feeds: Record<string, Int64Tensor>;
  /** Output names to return, in the order asked; all outputs when the request names none. */
  outputNames: string[];
  /** Outputs to return as raw bytes after the JSON rather than as JSON numbers. */
  binaryOutputs: Set<string>;
  /** Outputs asked for as top-K classes (Triton's classification extension), by name. */
  classification: Map<string, number>;
  batchSize: number;
}

export interface ResponseTensor {
  name: string;
  datatype: string;
  shape: number[];
  data?: number[] | string[];
  parameters?: { binary_data_size: number };
}

const maxInt64 = 2n ** 63n - 1n;
const minInt64 = -(2n ** 63n);

export function decodeInferRequest(
  body: unknown,
  binary: Buffer | undefined,
  modelName: string,
  signature: ModelSignature,
  maxBatchSize: number,
): DecodedInferRequest {
  if (!isObject(body)) throw badRequest('the infer request body must be a JSON object with an "inputs" array');
  const id = body.id;
  if (id !== undefined && typeof id !== 'string') throw badRequest('"id" must be a string');
  if (!Array.isArray(body.inputs)) throw badRequest('the infer request needs an "inputs" array of tensors');

  const feeds: Record<string, Int64Tensor> = {};
  const bytes = { buffer: binary, offset: 0 };
  body.inputs.forEach((tensor: unknown, index: number) => {
    const decoded = decodeInput(tensor, index, modelName, signature, bytes);
    if (feeds[decoded.name]) throw badRequest(`input '${decoded.name}' is given twice`);
    feeds[decoded.name] = decoded.tensor;
  });
  if (binary && bytes.offset !== binary.length) {
    throw badRequest(`the binary part has ${binary.length} bytes but the inputs' binary_data_size add up to ${bytes.offset}`);
  }
  const missing = signature.inputs.filter((spec) => !feeds[spec.name]).map((spec) => `'${spec.name}'`);
  if (missing.length > 0) {
    throw badRequest(`model '${modelName}' expects ${signature.inputs.length} inputs; missing ${missing.join(', ')}`);
  }

  const batchSize = checkSharedDims(feeds, signature);
  if (batchSize > maxBatchSize) {
    throw badRequest(`batch size ${batchSize} exceeds the limit of ${maxBatchSize} for model '${modelName}' (--max-batch)`);
  }
  const binaryByDefault = isObject(body.parameters) && body.parameters.binary_data_output === true;
  const { outputNames, binaryOutputs, classification } = decodeOutputSelection(body.outputs, binaryByDefault, modelName, signature);
  return { id, feeds, outputNames, binaryOutputs, classification, batchSize };
}

function decodeInput(
  tensor: unknown,
  index: number,
  modelName: string,
  signature: ModelSignature,
  bytes: { buffer?: Buffer; offset: number },
): { name: string; tensor: Int64Tensor } {
  if (!isObject(tensor)) throw badRequest(`inputs[${index}] must be an object with name, shape, datatype and data`);
  const { name, shape, datatype, data } = tensor;
  if (typeof name !== 'string') throw badRequest(`inputs[${index}] needs a string "name"`);
  const spec = signature.inputs.find((input) => input.name === name);
  if (!spec) {
    const known = signature.inputs.map((input) => `'${input.name}'`).join(', ');
    throw badRequest(`unexpected input '${name}' for model '${modelName}'; its inputs are ${known}`);
  }
  if (datatype !== spec.datatype) {
    throw badRequest(`input '${name}' has datatype ${JSON.stringify(datatype)}; model '${modelName}' expects ${spec.datatype}`);
  }
  const dims = decodeShape(shape, spec);
  const expected = dims.reduce((product, dim) => product * dim, 1);
  const binarySize = isObject(tensor.parameters) ? tensor.parameters.binary_data_size : undefined;
  if (binarySize !== undefined) return { name, tensor: { data: takeBinary(name, binarySize, expected, bytes), dims } };
  if (!Array.isArray(data)) throw badRequest(`input '${name}' needs "data": an array of ${spec.datatype} values, flat or nested`);
  // Leaves first (their number is bounded by the body size), so a huge declared shape allocates nothing.
  const leaves: unknown[] = [];
  const visit = (value: unknown[], depth: number): void => {
    if (depth > dims.length) throw badRequest(`input '${name}' data is nested deeper than its shape [${dims.join(',')}]`);
    for (const item of value) {
      if (Array.isArray(item)) visit(item, depth + 1);
      else leaves.push(item);
    }
  };
  visit(data, 1);
  if (leaves.length !== expected) {
    throw badRequest(`input '${name}' has ${leaves.length} values but shape [${dims.join(',')}] needs ${expected}`);
  }
  const values = new BigInt64Array(expected);
  leaves.forEach((value, index) => (values[index] = toInt64(value, name, index)));
  return { name, tensor: { data: values, dims } };
}

/** An input's raw int64 values (little-endian) from the binary part, copied so they are aligned. */
function takeBinary(name: string, size: unknown, elements: number, bytes: { buffer?: Buffer; offset: number }): BigInt64Array {
  if (!bytes.buffer) throw badRequest(`input '${name}' has binary_data_size but the request has no Inference-Header-Content-Length header`);
  if (!Number.isSafeInteger(size) || (size as number) < 0) throw badRequest(`input '${name}' has binary_data_size ${JSON.stringify(size)}`);
  if (size !== elements * 8) throw badRequest(`input '${name}' has binary_data_size ${size} but its shape needs ${elements * 8} bytes of INT64`);
  if (bytes.offset + elements * 8 > bytes.buffer.length) {
    throw badRequest(`input '${name}' needs ${elements * 8} bytes of binary data but only ${bytes.buffer.length - bytes.offset} are left`);
  }
  const start = bytes.buffer.byteOffset + bytes.offset;
  bytes.offset += elements * 8;
  return new BigInt64Array(bytes.buffer.buffer.slice(start, start + elements * 8));
}

function decodeShape(shape: unknown, spec: TensorSpec): number[] {
  if (!Array.isArray(shape) || !shape.every((dim) => Number.isSafeInteger(dim) && dim >= 0)) {
    throw badRequest(`input '${spec.name}' needs "shape": an array of non-negative integers`);
  }
  if (shape.length !== spec.shape.length) {
    throw badRequest(`input '${spec.name}' has shape [${shape.join(',')}]; the model expects rank ${spec.shape.length} ([${spec.shape.join(',')}])`);
  }
  shape.forEach((dim, axis) => {
    if (spec.shape[axis] !== -1 && spec.shape[axis] !== dim) {
      throw badRequest(`input '${spec.name}' has shape [${shape.join(',')}]; the model expects [${spec.shape.join(',')}] (dim ${axis} must be ${spec.shape[axis]})`);
    }
  });
  if (shape[0] === 0) throw badRequest(`input '${spec.name}' has an empty batch`);
  return shape as number[];
}

function toInt64(value: unknown, name: string, index: number): bigint {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw badRequest(`input '${name}' element ${index} is ${JSON.stringify(value)}, not an INT64 value`);
  }
  const big = BigInt(value);
  if (big > maxInt64 || big < minInt64) throw badRequest(`input '${name}' element ${index} is outside the INT64 range`);
  return big;
}

/**
 * Dims the graph names alike must agree across inputs (BERT's input_ids, attention_mask and
 * token_type_ids all are [batch, sequence]); the first dim is the batch. Returns the batch size.
 */
function checkSharedDims(feeds: Record<string, Int64Tensor>, signature: ModelSignature): number {
  const first = signature.inputs[0];
  const batchSize = feeds[first.name].dims[0];
  const seen = new Map<string, { input: string; size: number }>();
  for (const spec of signature.inputs) {
    const dims = feeds[spec.name].dims;
    if (dims[0] !== batchSize) {
      throw badRequest(`inputs disagree on the batch size: '${first.name}' has ${batchSize}, '${spec.name}' has ${dims[0]}`);
    }
    spec.dimNames?.forEach((dimName, axis) => {
      if (!dimName) return;
      const earlier = seen.get(dimName);
      if (!earlier) seen.set(dimName, { input: spec.name, size: dims[axis] });
      else if (earlier.size !== dims[axis]) {
        throw badRequest(`inputs disagree on dim '${dimName}': '${earlier.input}' has ${earlier.size}, '${spec.name}' has ${dims[axis]}`);
      }
    });
  }
  return batchSize;
}

/** Which outputs, in which order, and which of them as binary (an output's binary_data overrides binary_data_output). */
function decodeOutputSelection(
  outputs: unknown,
  binaryByDefault: boolean,
  modelName: string,
  signature: ModelSignature,
): { outputNames: string[]; binaryOutputs: Set<string>; classification: Map<string, number> } {
  const classification = new Map<string, number>();
  if (outputs === undefined) {
    const outputNames = signature.outputs.map((output) => output.name);
    return { outputNames, binaryOutputs: new Set(binaryByDefault ? outputNames : []), classification };
  }
  if (!Array.isArray(outputs)) throw badRequest('"outputs" must be an array of {"name": ...}');
  const binaryOutputs = new Set<string>();
  const outputNames = outputs.map((output: unknown, index: number) => {
    if (!isObject(output) || typeof output.name !== 'string') throw badRequest(`outputs[${index}] needs a string "name"`);
    if (!signature.outputs.some((spec) => spec.name === output.name)) {
      const known = signature.outputs.map((spec) => `'${spec.name}'`).join(', ');
      throw badRequest(`unexpected output '${output.name}' for model '${modelName}'; its outputs are ${known}`);
    }
    const binary = isObject(output.parameters) && typeof output.parameters.binary_data === 'boolean' ? output.parameters.binary_data : binaryByDefault;
    if (binary) binaryOutputs.add(output.name);
    const k = isObject(output.parameters) ? output.parameters.classification : undefined;
    if (k !== undefined) {
      if (typeof k !== 'number' || !Number.isSafeInteger(k) || k < 1) throw badRequest(`output '${output.name}' has classification ${JSON.stringify(k)}; it must be a positive integer`);
      if (signature.outputs.find((spec) => spec.name === output.name)!.shape.length !== 2) {
        throw badRequest(`output '${output.name}' is not [batch, classes]; classification needs one`);
      }
      classification.set(output.name, k);
    }
    return output.name as string;
  });
  if (new Set(outputNames).size !== outputNames.length) throw badRequest('"outputs" names an output twice');
  return { outputNames, binaryOutputs, classification };
}

/**
 * The response tensors, and the raw bytes of the binary ones in the same order. `labels` name the
 * classes of `labelledOutput` (the logits) for the classification extension.
 */
export function encodeOutputs(
  outputs: Record<string, Float32Tensor>,
  request: Pick<DecodedInferRequest, 'outputNames' | 'binaryOutputs' | 'classification'>,
  signature: ModelSignature,
  labelled?: { output: string; labels: string[] },
): { tensors: ResponseTensor[]; binary: Buffer[] } {
  const binary: Buffer[] = [];
  const tensors = request.outputNames.map((name): ResponseTensor => {
    const tensor = outputs[name];
    if (!tensor) throw new Error(`the engine returned no output '${name}'`);
    const k = request.classification.get(name);
    if (k !== undefined) {
      const classes = classify(tensor, k, labelled?.output === name ? labelled.labels : undefined);
      if (!request.binaryOutputs.has(name)) return { name, datatype: 'BYTES', shape: classes.shape, data: classes.data };
      const bytes = bytesTensor(classes.data);
      binary.push(bytes);
      return { name, datatype: 'BYTES', shape: classes.shape, parameters: { binary_data_size: bytes.length } };
    }
    const datatype = signature.outputs.find((spec) => spec.name === name)?.datatype ?? 'FP32';
    if (request.binaryOutputs.has(name)) {
      const bytes = Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
      binary.push(bytes);
      return { name, datatype, shape: tensor.dims, parameters: { binary_data_size: bytes.length } };
    }
    // Float32 -> double is exact and JSON prints the shortest double that reads back the same, so
    // a client that parses the number and rounds it to float32 gets the engine's value bit for bit.
    return { name, datatype, shape: tensor.dims, data: Array.from(tensor.data) };
  });
  return { tensors, binary };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
