// `textclf export-triton`: a model directory as a Triton / KServe model repository entry:
//   REPO/<name>/config.pbtxt, REPO/<name>/labels.txt, REPO/<name>/1/model.onnx
// The input and output names, datatypes and shapes come from the ONNX graph as onnxruntime reads
// it; the ONNX file is the one the local engine would load, so a remote backend scores the same.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readBundle } from '../engine/bundle';
import { createSession } from '../engine/session';
import { formatModelConfig, tritonTensor, type TritonModelConfig } from './pbtxt';

export interface ExportTritonOptions {
  modelDir: string;
  /** The model repository; created when missing. */
  repository: string;
  /** Name under which Triton serves the model (and its directory); default: the model's name. */
  name?: string;
  maxBatchSize?: number;
  /** Dynamic batcher queue delay; default 2 ms. */
  batchDelayMs?: number;
  preferQuantized?: boolean;
  /** Replace an existing REPO/<name>. */
  overwrite?: boolean;
}

export interface ExportedModel {
  name: string;
  modelDir: string;
  configFile: string;
  onnxFile: string;
  /** The model directory's ONNX file that was copied. */
  sourceOnnxFile: string;
  config: TritonModelConfig;
}

const validName = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export async function exportTriton(options: ExportTritonOptions): Promise<ExportedModel> {
  const bundle = readBundle(options.modelDir, { preferQuantized: options.preferQuantized });
  const name = options.name ?? bundle.name;
  if (!validName.test(name)) {
    throw new Error(`model name '${name}' cannot be a Triton model directory; pass --name with letters, digits, '_', '.', '-'`);
  }
  const maxBatchSize = options.maxBatchSize ?? 64;
  if (!(Number.isInteger(maxBatchSize) && maxBatchSize >= 1)) throw new Error(`--max-batch must be a positive integer, got ${maxBatchSize}`);

  // Only the graph's metadata is needed; the CPU provider reads it without touching any GPU.
  const loaded = await createSession(bundle.onnxFile, { executionProviders: ['cpu'], threads: 1 });
  const signature = loaded.signature;
  await loaded.session.release();

  // Triton batches along dim 0; a graph whose first dims are fixed takes no batch dim from Triton.
  const batched = [...signature.inputs, ...signature.outputs].every((tensor) => tensor.shape.length > 0 && tensor.shape[0] === -1);
  const logitsOutput = signature.outputs.find((output) => output.name === 'logits') ?? (signature.outputs.length === 1 ? signature.outputs[0] : undefined);
  const config: TritonModelConfig = {
    name,
    platform: 'onnxruntime_onnx',
    backend: 'onnxruntime',
    maxBatchSize: batched ? maxBatchSize : 0,
    inputs: signature.inputs.map((input) => tritonTensor(input, batched)),
    outputs: signature.outputs.map((output) => ({
      ...tritonTensor(output, batched),
      // Triton's classification extension reports label names from this file.
      ...(output === logitsOutput ? { labelFilename: 'labels.txt' } : {}),
    })),
    ...(batched ? { dynamicBatching: { maxQueueDelayMicroseconds: Math.round((options.batchDelayMs ?? 2) * 1000) } } : {}),
  };

  const modelDir = path.resolve(options.repository, name);
  if (fs.existsSync(modelDir)) {
    if (!options.overwrite) throw new Error(`${modelDir} already exists; pass --overwrite to replace it`);
    fs.rmSync(modelDir, { recursive: true });
  }
  const versionDir = path.join(modelDir, '1');
  fs.mkdirSync(versionDir, { recursive: true });
  const onnxFile = path.join(versionDir, 'model.onnx');
  fs.copyFileSync(bundle.onnxFile, onnxFile);
  copyExternalData(bundle.onnxFile, versionDir);
  fs.writeFileSync(path.join(modelDir, 'labels.txt'), bundle.labels.join('\n') + '\n');
  const configFile = path.join(modelDir, 'config.pbtxt');
  fs.writeFileSync(configFile, formatModelConfig(config));
  return { name, modelDir, configFile, onnxFile, sourceOnnxFile: bundle.onnxFile, config };
}

/**
 * Weights stored beside the graph (optimum's model.onnx_data, or model.onnx.data) travel with it
 * under their own name: the graph refers to them by that name, whatever the graph file is called.
 */
function copyExternalData(onnxFile: string, versionDir: string): void {
  for (const suffix of ['_data', '.data']) {
    const dataFile = onnxFile + suffix;
    if (fs.existsSync(dataFile)) fs.copyFileSync(dataFile, path.join(versionDir, path.basename(dataFile)));
  }
}
