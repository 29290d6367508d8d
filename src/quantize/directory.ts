// Quantizes a model directory into a new one: onnx/model_quantized.onnx next to copies of the source's
// other files (config, tokenizer files, card, manifest…), so the result is a model directory that loads
// as it is. The new directory appears whole or not at all: it is built beside the target and renamed into
// place; a failure or a cancel removes it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readBundle } from '../engine/bundle';
import { replaceDirectory } from '../classifier/replaceDirectory';
import type { ModelVariant } from '../classifier/types';
import { GraphForm, quantizeGraph, QuantizeGraphResult } from './graph';
import { QuantizeError, readOnnxModel, serializeOnnxModel } from './onnxFile';
import { stagingPrefix } from './staging';

/** Where the quantized graph goes inside the output directory (the name Transformers.js loads for dtype q8). */
export const QUANTIZED_FILE = path.join('onnx', 'model_quantized.onnx');

export class OutputExistsError extends QuantizeError {
  constructor(dir: string) {
    super(dir, 'already exists; choose another output directory or allow overwriting it');
    this.name = 'OutputExistsError';
  }
}

export type QuantizeStage = 'reading' | 'quantizing' | 'writing';

export interface QuantizeProgress {
  stage: QuantizeStage;
  /** Nodes quantized so far, and of how many (stage 'quantizing'). */
  done?: number;
  total?: number;
}

export interface QuantizeDirectoryRequest {
  modelDir: string;
  outDir: string;
  /** Replace outDir when it exists (default: refuse). */
  overwrite?: boolean;
  /** Which graph of the source to quantize (default 'auto': fp32 when present). */
  variant?: ModelVariant;
  form?: GraphForm;
  signal?: AbortSignal;
  onProgress?: (progress: QuantizeProgress) => void;
}

export interface QuantizeDirectoryResult {
  outDir: string;
  /** The quantized graph, inside outDir. */
  quantizedFile: string;
  sourceFile: string;
  /** Size of the source graph with its external data, and of the quantized graph. */
  sourceBytes: number;
  quantizedBytes: number;
  /** Files copied from the source directory, relative to it. */
  copied: string[];
  graph: QuantizeGraphResult;
  seconds: number;
}

export async function quantizeModelDirectory(request: QuantizeDirectoryRequest): Promise<QuantizeDirectoryResult> {
  const started = performance.now();
  const bundle = readBundle(request.modelDir, { variant: request.variant ?? 'auto' });
  const outDir = path.resolve(request.outDir);
  checkOutput(bundle.dir, outDir, request.overwrite ?? false);

  fs.mkdirSync(path.dirname(outDir), { recursive: true });
  const staging = path.join(path.dirname(outDir), `${stagingPrefix(outDir, process.pid)}${Date.now()}`);
  try {
    fs.mkdirSync(path.join(staging, path.dirname(QUANTIZED_FILE)), { recursive: true });
    const skipped = new Set([bundle.onnxFile, ...bundle.externalData.map((file) => path.join(bundle.dir, file))]);
    const copied = copyModelFiles(bundle.dir, staging, skipped);
    request.signal?.throwIfAborted();

    request.onProgress?.({ stage: 'reading' });
    const model = readOnnxModel(bundle.onnxFile);
    const graph = await quantizeGraph(model, bundle.onnxFile, {
      form: request.form,
      signal: request.signal,
      onProgress: (done, total) => request.onProgress?.({ stage: 'quantizing', done, total }),
    });
    request.onProgress?.({ stage: 'writing' });
    const quantizedFile = path.join(outDir, QUANTIZED_FILE);
    const bytes = serializeOnnxModel(model, quantizedFile);
    writeFileDurably(path.join(staging, QUANTIZED_FILE), bytes);
    request.signal?.throwIfAborted();

    if (request.overwrite) replaceDirectory(staging, outDir);
    else fs.renameSync(staging, outDir);
    const sourceBytes = [bundle.onnxFile, ...bundle.externalData.map((file) => path.join(bundle.dir, file))].reduce((sum, file) => sum + fs.statSync(file).size, 0);
    return { outDir, quantizedFile, sourceFile: bundle.onnxFile, sourceBytes, quantizedBytes: bytes.byteLength, copied, graph, seconds: (performance.now() - started) / 1000 };
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

function checkOutput(modelDir: string, outDir: string, overwrite: boolean): void {
  const inside = (dir: string, parent: string) => dir === parent || dir.startsWith(parent + path.sep);
  if (inside(outDir, modelDir)) throw new QuantizeError(outDir, `the output directory must not be the model directory ${modelDir} or inside it`);
  if (inside(modelDir, outDir)) throw new QuantizeError(outDir, `the output directory must not contain the model directory ${modelDir}`);
  const stat = fs.statSync(outDir, { throwIfNoEntry: false });
  if (!stat) return;
  if (!stat.isDirectory()) throw new QuantizeError(outDir, 'exists and is not a directory');
  if (!overwrite) throw new OutputExistsError(outDir);
}

/**
 * Copies every file of the model directory but its ONNX graphs and their weights (the graph being
 * quantized, its external data, other variants), keeping subfolders. Returns the copied paths.
 */
function copyModelFiles(from: string, to: string, skipped: Set<string>): string[] {
  const copied: string[] = [];
  for (const entry of fs.readdirSync(from, { withFileTypes: true, recursive: true })) {
    const source = path.join(entry.parentPath, entry.name);
    if (!entry.isFile() || skipped.has(source) || /\.onnx(_data)?$|\.onnx\.data$/.test(entry.name)) continue;
    const relative = path.relative(from, source);
    fs.mkdirSync(path.join(to, path.dirname(relative)), { recursive: true });
    fs.copyFileSync(source, path.join(to, relative));
    copied.push(relative);
  }
  return copied.sort();
}

function writeFileDurably(file: string, bytes: Uint8Array): void {
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, bytes);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
