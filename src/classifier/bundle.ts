// A model directory in the layout Hugging Face `optimum` exports and the Hub's ONNX repositories use:
// config.json, tokenizer.json (tokenizer_config.json optional), model.onnx or onnx/model.onnx
// (onnx/model_quantized.onnx preferred when present and allowed). Everything that can be checked
// without starting onnxruntime is checked here; the session checks the graph (see session.ts).
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ProblemType } from './types';

export class BundleError extends Error {
  constructor(
    /** The file that is missing or wrong. */
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'BundleError';
  }
}

export interface Bundle {
  dir: string;
  name: string;
  configFile: string;
  tokenizerFile: string;
  onnxFile: string;
  /** Labels in logit order (id2label). */
  labels: string[];
  problemType: ProblemType;
  modelType: string;
  /** The most tokens one model window may hold, special tokens included. */
  maxTokens: number;
  /** Stable identity of the files (config, tokenizer, graph); part of every cache key. */
  fingerprint: string;
}

const DEFAULT_MAX_TOKENS = 512;
/** RoBERTa-style models reserve two position ids (padding offset), so 514 positions hold 512 tokens. */
const POSITION_OFFSET_MODELS = new Set(['roberta', 'xlm-roberta', 'camembert', 'longformer', 'bart']);

export function readBundle(dir: string, opts: { preferQuantized?: boolean } = {}): Bundle {
  const absDir = path.resolve(dir);
  if (!fs.existsSync(absDir) || !fs.statSync(absDir).isDirectory()) {
    throw new BundleError(absDir, 'model directory not found');
  }
  const configFile = path.join(absDir, 'config.json');
  const config = readJsonObject(configFile);
  const labels = labelsFromConfig(configFile, config);
  const problemType = problemTypeFromConfig(configFile, config);
  const modelType = typeof config.model_type === 'string' ? config.model_type : 'unknown';

  const tokenizerFile = path.join(absDir, 'tokenizer.json');
  const tokenizerJson = readJsonObject(tokenizerFile);
  if (typeof tokenizerJson.model !== 'object' || tokenizerJson.model === null) {
    throw new BundleError(tokenizerFile, 'not a Hugging Face fast-tokenizer file (no "model" section)');
  }

  const onnxFile = findOnnxFile(absDir, opts.preferQuantized ?? true);
  return {
    dir: absDir,
    name: path.basename(absDir),
    configFile,
    tokenizerFile,
    onnxFile,
    labels,
    problemType,
    modelType,
    maxTokens: maxTokensOf(absDir, config, modelType),
    fingerprint: fingerprintOf([configFile, tokenizerFile], onnxFile),
  };
}

function readJsonObject(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new BundleError(file, (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file is missing' : `cannot read: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new BundleError(file, `not valid JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BundleError(file, 'expected a JSON object');
  }
  return value as Record<string, unknown>;
}

function labelsFromConfig(configFile: string, config: Record<string, unknown>): string[] {
  const id2label = config.id2label;
  if (typeof id2label !== 'object' || id2label === null || Array.isArray(id2label)) {
    throw new BundleError(configFile, 'no "id2label" object (e.g. {"0": "negative", "1": "positive"})');
  }
  const entries = Object.entries(id2label as Record<string, unknown>);
  if (entries.length === 0) throw new BundleError(configFile, '"id2label" is empty');
  const labels: string[] = new Array(entries.length);
  for (const [key, label] of entries) {
    const index = Number(key);
    if (!Number.isInteger(index) || index < 0 || index >= entries.length) {
      throw new BundleError(configFile, `"id2label" keys must be 0..${entries.length - 1}, found "${key}"`);
    }
    if (typeof label !== 'string' || label === '') {
      throw new BundleError(configFile, `"id2label"["${key}"] must be a non-empty string`);
    }
    labels[index] = label;
  }
  return labels;
}

function problemTypeFromConfig(configFile: string, config: Record<string, unknown>): ProblemType {
  const value = config.problem_type;
  if (value === undefined || value === null || value === 'single_label_classification') return 'single_label_classification';
  if (value === 'multi_label_classification') return 'multi_label_classification';
  throw new BundleError(configFile, `"problem_type" "${String(value)}" is not supported (single_label_classification or multi_label_classification)`);
}

function findOnnxFile(dir: string, preferQuantized: boolean): string {
  const plain = ['model.onnx', path.join('onnx', 'model.onnx')];
  const quantized = [path.join('onnx', 'model_quantized.onnx'), 'model_quantized.onnx'];
  const candidates = preferQuantized ? [...quantized, ...plain] : plain;
  for (const candidate of candidates) {
    const file = path.join(dir, candidate);
    if (!fs.existsSync(file)) continue;
    const size = fs.statSync(file).size;
    if (size === 0) throw new BundleError(file, 'file is empty');
    return file;
  }
  throw new BundleError(path.join(dir, 'model.onnx'), `file is missing (looked for ${candidates.join(', ')})`);
}

function maxTokensOf(dir: string, config: Record<string, unknown>, modelType: string): number {
  const limits: number[] = [];
  const positions = config.max_position_embeddings;
  if (typeof positions === 'number' && positions > 0) {
    limits.push(POSITION_OFFSET_MODELS.has(modelType) ? positions - 2 : positions);
  }
  const tokenizerConfigFile = path.join(dir, 'tokenizer_config.json');
  if (fs.existsSync(tokenizerConfigFile)) {
    const modelMaxLength = readJsonObject(tokenizerConfigFile).model_max_length;
    // Tokenizers without a limit store a huge sentinel (1e30); only a real limit counts.
    if (typeof modelMaxLength === 'number' && modelMaxLength > 0 && modelMaxLength < 1_000_000) limits.push(modelMaxLength);
  }
  return limits.length > 0 ? Math.min(...limits) : DEFAULT_MAX_TOKENS;
}

/** Hash of the small files and of the graph's size plus head and tail: cheap even for a 400 MB model. */
function fingerprintOf(smallFiles: string[], onnxFile: string): string {
  const hash = crypto.createHash('sha256');
  for (const file of smallFiles) hash.update(fs.readFileSync(file));
  const size = fs.statSync(onnxFile).size;
  hash.update(`${path.basename(onnxFile)}:${size}`);
  const sample = Math.min(size, 1 << 20);
  const buffer = Buffer.alloc(sample);
  const fd = fs.openSync(onnxFile, 'r');
  try {
    fs.readSync(fd, buffer, 0, sample, 0);
    hash.update(buffer);
    fs.readSync(fd, buffer, 0, sample, size - sample);
    hash.update(buffer);
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex').slice(0, 16);
}
