// Triton's model configuration (model_config.proto's ModelConfig) written as protobuf text format.
// Only the fields export-triton sets; field names are the proto's.
import type { TensorSpec } from '../classifier/types';

export interface TritonModelConfig {
  name: string;
  platform: 'onnxruntime_onnx';
  backend: 'onnxruntime';
  /** 0: the model takes no batch dim and dims are the full shape. */
  maxBatchSize: number;
  inputs: TritonTensor[];
  outputs: (TritonTensor & { labelFilename?: string })[];
  /** Present: the dynamic batcher with this queue delay. */
  dynamicBatching?: { maxQueueDelayMicroseconds: number };
}

export interface TritonTensor {
  name: string;
  /** TYPE_INT64, TYPE_FP32, … */
  dataType: string;
  /** Shape without the batch dim when maxBatchSize > 0; -1 for a dynamic dim. */
  dims: number[];
}

/** An Open Inference Protocol tensor spec (datatype INT64, shape with the batch dim) as Triton's config entry. */
export function tritonTensor(spec: TensorSpec, batched: boolean): TritonTensor {
  const dataType = spec.datatype === 'BYTES' ? 'TYPE_STRING' : `TYPE_${spec.datatype}`;
  return { name: spec.name, dataType, dims: batched ? spec.shape.slice(1) : [...spec.shape] };
}

export function formatModelConfig(config: TritonModelConfig): string {
  const lines = [
    `name: ${quote(config.name)}`,
    `platform: ${quote(config.platform)}`,
    `backend: ${quote(config.backend)}`,
    `max_batch_size: ${config.maxBatchSize}`,
    ...list('input', config.inputs.map((tensor) => tensorFields(tensor))),
    ...list(
      'output',
      config.outputs.map((tensor) => [...tensorFields(tensor), ...(tensor.labelFilename ? [`label_filename: ${quote(tensor.labelFilename)}`] : [])]),
    ),
  ];
  if (config.dynamicBatching) {
    lines.push('dynamic_batching {', `  max_queue_delay_microseconds: ${config.dynamicBatching.maxQueueDelayMicroseconds}`, '}');
  }
  return lines.join('\n') + '\n';
}

function tensorFields(tensor: TritonTensor): string[] {
  return [`name: ${quote(tensor.name)}`, `data_type: ${tensor.dataType}`, `dims: [ ${tensor.dims.join(', ')} ]`];
}

function list(field: string, entries: string[][]): string[] {
  const blocks = entries.map((fields, index) => [
    '  {',
    ...fields.map((line) => `    ${line}`),
    index < entries.length - 1 ? '  },' : '  }',
  ]);
  return [`${field} [`, ...blocks.flat(), ']'];
}

/** A text-format string literal: printable ASCII as is, everything else as octal escapes of its UTF-8 bytes. */
function quote(text: string): string {
  let out = '"';
  for (const byte of Buffer.from(text, 'utf8')) {
    if (byte === 0x22) out += '\\"';
    else if (byte === 0x5c) out += '\\\\';
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return out + '"';
}
