// A model directory in the layout Hugging Face `optimum` exports and the Hub's ONNX repositories use:
// config.json, tokenizer.json (tokenizer_config.json optional), model.onnx or onnx/model.onnx, with
// the variants Transformers.js names (onnx/model_quantized.onnx, model_fp16.onnx, …; see
// MODEL_VARIANTS) and external weights beside a graph (model.onnx_data). Everything that can be checked
// without starting onnxruntime is checked here; the engine checks the graph (see engine.ts).
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ModelVariant, ProblemType } from '../classifier/types';
import { variantFiles, variantPreference } from '../classifier/variants';
import { errorMessage } from '../classifier/errors';

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
  /** Labels in logit order (id2label; LABEL_0, LABEL_1… where config.json has none). */
  labels: string[];
  /** False where config.json has no id2label: the labels were made up (num_labels, or the logits' width once known). */
  labelsNamed: boolean;
  problemType: ProblemType;
  modelType: string;
  /** The variant of the graph loaded (fp32 for model.onnx). */
  variant: Exclude<ModelVariant, 'auto'>;
  /** External weight files beside the graph (model.onnx_data…), relative to dir. */
  externalData: string[];
  /** The tokenizer's pad token id (input_ids of padded positions). */
  padId: number;
  /** How position_ids are numbered, for a graph that takes them (see feeds.ts). */
  positions: 'absolute' | 'padding-offset';
  /** The most tokens one model window may hold, special tokens included. */
  maxTokens: number;
  /** Stable identity of the files (config, tokenizer, graph); part of every cache key. */
  fingerprint: string;
}

const DEFAULT_MAX_TOKENS = 512;
/** RoBERTa-style models reserve two position ids (padding offset), so 514 positions hold 512 tokens. */
const POSITION_OFFSET_MODELS = new Set(['roberta', 'xlm-roberta', 'xlm-roberta-xl', 'camembert', 'longformer', 'bart', 'mpnet', 'data2vec-text', 'xmod']);

export interface BundleOptions {
  /** Which graph to load; 'auto' (default): fp32 when present, else the first variant present. */
  variant?: ModelVariant;
  /** Older setting: with variant 'auto', prefer model_quantized.onnx when present. */
  preferQuantized?: boolean;
}

export function readBundle(dir: string, opts: BundleOptions = {}): Bundle {
  const absDir = path.resolve(dir);
  if (!fs.existsSync(absDir) || !fs.statSync(absDir).isDirectory()) {
    throw new BundleError(absDir, 'model directory not found');
  }
  const configFile = path.join(absDir, 'config.json');
  const config = readJsonObject(configFile);
  const labels = labelsFromConfig(configFile, config);
  const labelsNamed = labels !== undefined;
  const problemType = problemTypeFromConfig(configFile, config);
  const modelType = typeof config.model_type === 'string' ? config.model_type : 'unknown';

  const tokenizerFile = path.join(absDir, 'tokenizer.json');
  const tokenizerJson = readJsonObject(tokenizerFile);
  if (typeof tokenizerJson.model !== 'object' || tokenizerJson.model === null) {
    throw new BundleError(tokenizerFile, 'not a Hugging Face fast-tokenizer file (no "model" section)');
  }

  const { file: onnxFile, variant } = findOnnxFile(absDir, opts.variant ?? 'auto', opts.preferQuantized ?? false);
  return {
    dir: absDir,
    name: path.basename(absDir),
    configFile,
    tokenizerFile,
    onnxFile,
    labels: labels ?? defaultLabels(config, problemType),
    labelsNamed,
    problemType,
    modelType,
    variant,
    externalData: externalDataOf(absDir, onnxFile),
    padId: padIdOf(absDir, tokenizerJson, config),
    positions: POSITION_OFFSET_MODELS.has(modelType) ? 'padding-offset' : 'absolute',
    maxTokens: maxTokensOf(absDir, config, modelType),
    fingerprint: fingerprintOf([configFile, tokenizerFile], onnxFile),
  };
}

function readJsonObject(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new BundleError(file, (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file is missing' : `cannot read: ${errorMessage(error)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new BundleError(file, `not valid JSON (${errorMessage(error)})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BundleError(file, 'expected a JSON object');
  }
  return value as Record<string, unknown>;
}

/** LABEL_i names, as transformers gives a config without id2label: num_labels of them (2 by default; 1 for regression). */
export function labelNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `LABEL_${i}`);
}

function defaultLabels(config: Record<string, unknown>, problemType: ProblemType): string[] {
  const count = config.num_labels ?? config._num_labels;
  return labelNames(typeof count === 'number' && Number.isInteger(count) && count > 0 ? count : problemType === 'regression' ? 1 : 2);
}

/** id2label in index order; undefined where config.json has none. */
function labelsFromConfig(configFile: string, config: Record<string, unknown>): string[] | undefined {
  const id2label = config.id2label;
  if (id2label === undefined || id2label === null) return undefined;
  if (typeof id2label !== 'object' || Array.isArray(id2label)) {
    throw new BundleError(configFile, '"id2label" must be an object (e.g. {"0": "negative", "1": "positive"})');
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
  if (value === 'regression') return 'regression';
  throw new BundleError(configFile, `"problem_type" "${String(value)}" is not supported (single_label_classification, multi_label_classification or regression)`);
}

/** The variants present in a model directory, with their graph files. */
export function variantsIn(dir: string): { variant: Exclude<ModelVariant, 'auto'>; file: string }[] {
  const found: { variant: Exclude<ModelVariant, 'auto'>; file: string }[] = [];
  for (const variant of variantPreference('auto')) {
    const file = variantFiles(variant).map((candidate) => path.join(dir, candidate)).find((candidate) => fs.existsSync(candidate));
    if (file) found.push({ variant, file });
  }
  return found;
}

function findOnnxFile(dir: string, wanted: ModelVariant, preferQuantized: boolean): { file: string; variant: Exclude<ModelVariant, 'auto'> } {
  const present = variantsIn(dir);
  const chosen = variantPreference(wanted, preferQuantized).map((variant) => present.find((p) => p.variant === variant)).find(Boolean);
  if (!chosen) {
    if (present.length > 0) {
      throw new BundleError(path.join(dir, variantFiles(wanted as Exclude<ModelVariant, 'auto'>)[0]), `variant "${wanted}" is missing; this model has ${present.map((p) => p.variant).join(', ')}`);
    }
    const seq2seq = ['encoder_model.onnx', 'decoder_model.onnx', 'decoder_model_merged.onnx'].find((name) => fs.existsSync(path.join(dir, 'onnx', name)) || fs.existsSync(path.join(dir, name)));
    if (seq2seq) {
      throw new BundleError(path.join(dir, 'model.onnx'), `file is missing: this is an encoder-decoder (seq2seq) export (${seq2seq}), not a text-classification model`);
    }
    throw new BundleError(path.join(dir, 'model.onnx'), `file is missing (looked for ${variantFiles('fp32').join(', ')} and their variants model_quantized, model_fp16, …)`);
  }
  if (fs.statSync(chosen.file).size === 0) throw new BundleError(chosen.file, 'file is empty');
  return chosen;
}

/** External weight files of a graph: <name>_data, <name>.data or <name>_data_N beside it (how optimum and Transformers.js name them). */
function externalDataOf(dir: string, onnxFile: string): string[] {
  const base = path.basename(onnxFile);
  return fs
    .readdirSync(path.dirname(onnxFile))
    .filter((name) => name !== base && name.startsWith(base) && /^(_data(_\d+)?|\.data)$/.test(name.slice(base.length)))
    .sort()
    .map((name) => path.relative(dir, path.join(path.dirname(onnxFile), name)));
}

/** The pad id Transformers.js and transformers pad with: tokenizer.json's padding, else the pad token's id, else config.json's pad_token_id, else 0. */
function padIdOf(dir: string, tokenizerJson: Record<string, unknown>, config: Record<string, unknown>): number {
  const padding = tokenizerJson.padding as { pad_id?: unknown } | null | undefined;
  if (padding && typeof padding.pad_id === 'number') return padding.pad_id;
  const tokenizerConfigFile = path.join(dir, 'tokenizer_config.json');
  const padToken = fs.existsSync(tokenizerConfigFile) ? (readJsonObject(tokenizerConfigFile).pad_token as unknown) : undefined;
  const content = typeof padToken === 'string' ? padToken : (padToken as { content?: unknown } | undefined)?.content;
  if (typeof content === 'string') {
    const added = (tokenizerJson.added_tokens as { id: number; content: string }[] | undefined)?.find((token) => token.content === content);
    if (added) return added.id;
    const vocab = (tokenizerJson.model as { vocab?: unknown }).vocab;
    if (Array.isArray(vocab)) {
      const index = vocab.findIndex((entry) => Array.isArray(entry) && entry[0] === content);
      if (index >= 0) return index;
    } else if (vocab && typeof (vocab as Record<string, unknown>)[content] === 'number') return (vocab as Record<string, number>)[content];
  }
  return typeof config.pad_token_id === 'number' ? config.pad_token_id : 0;
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
