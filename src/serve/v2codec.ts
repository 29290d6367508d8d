// The Open Inference Protocol (KServe v2) JSON tensor format: an infer request's tensors checked
// against the model's signature and turned into int64 feeds; outputs turned back into JSON tensors.
// Every malformed request becomes a 400 that names the tensor and what is wrong with it.
import type { ModelSignature, TensorSpec } from '../classifier/types';
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
  batchSize: number;
}

export interface JsonTensor {
  name: string;
  datatype: string;
  shape: number[];
  data: number[];
}

const maxInt64 = 2n ** 63n - 1n;
const minInt64 = -(2n ** 63n);

export function decodeInferRequest(body: unknown, modelName: string, signature: ModelSignature, maxBatchSize: number): DecodedInferRequest {
  if (!isObject(body)) throw badRequest('the infer request body must be a JSON object with an "inputs" array');
  const id = body.id;
  if (id !== undefined && typeof id !== 'string') throw badRequest('"id" must be a string');
  if (!Array.isArray(body.inputs)) throw badRequest('the infer request needs an "inputs" array of tensors');

  const feeds: Record<string, Int64Tensor> = {};
  body.inputs.forEach((tensor: unknown, index: number) => {
    const decoded = decodeInput(tensor, index, modelName, signature);
    if (feeds[decoded.name]) throw badRequest(`input '${decoded.name}' is given twice`);
    feeds[decoded.name] = decoded.tensor;
  });
  const missing = signature.inputs.filter((spec) => !feeds[spec.name]).map((spec) => `'${spec.name}'`);
  if (missing.length > 0) {
    throw badRequest(`model '${modelName}' expects ${signature.inputs.length} inputs; missing ${missing.join(', ')}`);
  }

  const batchSize = checkSharedDims(feeds, signature);
  if (batchSize > maxBatchSize) {
    throw badRequest(`batch size ${batchSize} exceeds the limit of ${maxBatchSize} for model '${modelName}' (--max-batch)`);
  }
  return { id, feeds, outputNames: decodeOutputSelection(body.outputs, modelName, signature), batchSize };
}

function decodeInput(tensor: unknown, index: number, modelName: string, signature: ModelSignature): { name: string; tensor: Int64Tensor } {
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
  if (spec.datatype !== 'INT64') throw badRequest(`input '${name}' is ${spec.datatype}; only INT64 inputs can be served`);
  const dims = decodeShape(shape, spec);
  if (!Array.isArray(data)) throw badRequest(`input '${name}' needs "data": an array of ${spec.datatype} values, flat or nested`);
  const expected = dims.reduce((product, dim) => product * dim, 1);
  const values = new BigInt64Array(expected);
  let count = 0;
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (count >= expected) {
      count++;
      return;
    }
    values[count] = toInt64(value, name, count);
    count++;
  };
  visit(data);
  if (count !== expected) {
    throw badRequest(`input '${name}' has ${count} values but shape [${dims.join(',')}] needs ${expected}`);
  }
  return { name, tensor: { data: values, dims } };
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

function decodeOutputSelection(outputs: unknown, modelName: string, signature: ModelSignature): string[] {
  if (outputs === undefined) return signature.outputs.map((output) => output.name);
  if (!Array.isArray(outputs)) throw badRequest('"outputs" must be an array of {"name": ...}');
  const names = outputs.map((output: unknown, index: number) => {
    if (!isObject(output) || typeof output.name !== 'string') throw badRequest(`outputs[${index}] needs a string "name"`);
    if (isObject(output.parameters) && output.parameters.binary_data === true) {
      throw badRequest(`output '${output.name}' asks for binary_data; this server answers in JSON only`);
    }
    if (!signature.outputs.some((spec) => spec.name === output.name)) {
      const known = signature.outputs.map((spec) => `'${spec.name}'`).join(', ');
      throw badRequest(`unexpected output '${output.name}' for model '${modelName}'; its outputs are ${known}`);
    }
    return output.name;
  });
  if (new Set(names).size !== names.length) throw badRequest('"outputs" names an output twice');
  return names;
}

export function encodeOutputs(outputs: Record<string, Float32Tensor>, outputNames: string[], signature: ModelSignature): JsonTensor[] {
  return outputNames.map((name) => {
    const tensor = outputs[name];
    if (!tensor) throw new Error(`the engine returned no output '${name}'`);
    const datatype = signature.outputs.find((spec) => spec.name === name)?.datatype ?? 'FP32';
    // Float32 -> double is exact and JSON prints the shortest double that reads back the same, so
    // a client that parses the number and rounds it to float32 gets the engine's value bit for bit.
    return { name, datatype, shape: tensor.dims, data: Array.from(tensor.data) };
  });
}

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
