// Reads an ONNX file into memory with its external weights (model.onnx_data) inlined, and writes one
// back. Parsing does not copy tensor bytes: each raw_data is a view of the file's buffer.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { clearField, fromBinary, toBinary } from '@bufbuild/protobuf';
import { ModelProto, ModelProtoSchema, NodeProto, TensorProto, TensorProto_DataLocation, TensorProtoSchema } from 'onnx-buf';

export class QuantizeError extends Error {
  constructor(
    /** The file that is missing or wrong. */
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'QuantizeError';
  }
}

/** protobuf cannot encode a message of 2 GiB or more; a single-file ONNX model stays below. */
const MAX_PROTOBUF_BYTES = 2 ** 31 - 1;

export function readOnnxModel(file: string): ModelProto {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    throw new QuantizeError(file, `cannot read the ONNX file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let model: ModelProto;
  try {
    model = fromBinary(ModelProtoSchema, bytes);
  } catch (error) {
    throw new QuantizeError(file, `not a valid ONNX model (${(error as Error).message})`);
  }
  if (!model.graph || model.graph.node.length === 0) throw new QuantizeError(file, 'not a valid ONNX model (it has no graph nodes)');
  inlineExternalData(model, file);
  return model;
}

export function serializeOnnxModel(model: ModelProto, file: string): Uint8Array {
  const bytes = toBinary(ModelProtoSchema, model);
  if (bytes.byteLength > MAX_PROTOBUF_BYTES) throw new QuantizeError(file, `the quantized model would be ${bytes.byteLength} bytes; one ONNX file holds at most 2 GiB`);
  return bytes;
}

/** Every tensor of the graph that holds weights: initializers and the values of Constant nodes. */
function weightTensors(model: ModelProto): TensorProto[] {
  const graph = model.graph!;
  const constants = graph.node.flatMap((node: NodeProto) => (node.opType === 'Constant' ? node.attribute.flatMap((attribute) => (attribute.t ? [attribute.t] : [])) : []));
  return [...graph.initializer, ...constants];
}

/**
 * Reads each externally stored tensor's bytes (location, offset, length relative to the graph's
 * directory) into raw_data, one tensor at a time, so the result can be written as one file.
 */
function inlineExternalData(model: ModelProto, file: string): void {
  const dir = path.dirname(path.resolve(file));
  const open = new Map<string, number>();
  try {
    for (const tensor of weightTensors(model)) {
      if (tensor.dataLocation !== TensorProto_DataLocation.EXTERNAL) continue;
      const entry = Object.fromEntries(tensor.externalData.map(({ key, value }) => [key, value]));
      const location = entry.location;
      if (!location || path.isAbsolute(location) || location.split(/[\\/]/).includes('..')) {
        throw new QuantizeError(file, `tensor "${tensor.name}" names external data "${location ?? ''}"; it must be a file beside the model`);
      }
      const dataFile = path.join(dir, location);
      let fd = open.get(dataFile);
      if (fd === undefined) {
        try {
          fd = fs.openSync(dataFile, 'r');
        } catch (error) {
          throw new QuantizeError(dataFile, `cannot read the external weights of ${path.basename(file)} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
        }
        open.set(dataFile, fd);
      }
      const offset = Number(entry.offset ?? 0);
      const length = entry.length !== undefined ? Number(entry.length) : fs.fstatSync(fd).size - offset;
      const bytes = Buffer.allocUnsafe(length);
      const read = fs.readSync(fd, bytes, 0, length, offset);
      if (read !== length) throw new QuantizeError(dataFile, `tensor "${tensor.name}" needs ${length} bytes at offset ${offset}; the file has only ${read} there`);
      tensor.rawData = bytes;
      // Unset rather than DEFAULT, so the tensor is written exactly as an inline one.
      clearField(tensor, TensorProtoSchema.field.dataLocation);
      tensor.externalData = [];
    }
  } finally {
    for (const fd of open.values()) fs.closeSync(fd);
  }
}
