// Writes a trained classifier as a standard model directory (the layout of DESIGN.md: config.json,
// tokenizer files, onnx/model.onnx, MODEL_CARD.md), all or nothing: everything goes into a staging
// directory beside the destination, which is renamed into place only when complete. A cancel or a crash
// never leaves a half-written model where a model is expected.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ProblemType } from '../classifier/types';
import { replaceDirectory } from '../classifier/replaceDirectory';
import { writeTrainingManifest, type TrainingManifest } from '../datasets/trainingManifest';

/** What `config.json` records about how the model was made (key `textclf_training`). */
export interface TrainingMetadata {
  method: 'linear-head' | 'pytorch';
  base_model: string;
  dataset: string;
  split: string;
  examples: { train: number; validation: number; test: number };
  trained_at: string;
  test_accuracy: number;
  test_macro_f1: number;
  validation_accuracy: number;
  seed: number;
  /** Method-specific settings (linear head: pooling, l2, class weights, epochs…). */
  settings: Record<string, unknown>;
}

export const TRAINING_METADATA_KEY = 'textclf_training';

/** Tokenizer files a base model directory may have; every one present is copied unchanged. */
const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt', 'vocab.json', 'merges.txt', 'sentencepiece.bpe.model', 'spm.model'];

export class ModelDirectoryError extends Error {
  constructor(readonly dir: string, problem: string) {
    super(`${dir}: ${problem}`);
    this.name = 'ModelDirectoryError';
  }
}

/**
 * How a model directory was trained here (dataset, date, test accuracy…), for model pickers; null for a
 * model that was not trained by this extension or whose config cannot be read.
 */
export function readTrainingMetadata(modelDir: string): TrainingMetadata | null {
  try {
    const config = JSON.parse(fs.readFileSync(path.join(modelDir, 'config.json'), 'utf8'));
    const metadata = config?.[TRAINING_METADATA_KEY];
    return metadata && typeof metadata === 'object' && typeof metadata.dataset === 'string' ? (metadata as TrainingMetadata) : null;
  } catch {
    return null;
  }
}

/** Fails early (before any training) when the destination cannot be written. */
export function checkDestination(destination: string, overwrite: boolean): void {
  const dir = path.resolve(destination);
  if (fs.existsSync(dir)) {
    if (!overwrite) throw new ModelDirectoryError(dir, 'already exists; choose another output directory or allow overwriting it');
    if (!fs.statSync(dir).isDirectory()) throw new ModelDirectoryError(dir, 'exists and is not a directory');
    if (!fs.existsSync(path.join(dir, 'config.json'))) {
      throw new ModelDirectoryError(dir, 'exists and is not a model directory (no config.json); it is not overwritten');
    }
  }
  const parent = path.dirname(dir);
  fs.mkdirSync(parent, { recursive: true });
  try {
    fs.accessSync(parent, fs.constants.W_OK);
  } catch {
    throw new ModelDirectoryError(parent, 'is not writable');
  }
}

export interface ModelDirectoryContents {
  /** The model directory whose tokenizer files the new model uses unchanged. */
  tokenizerDir: string;
  /** The config.json to start from (parsed); labels, problem type and training metadata replace its own. */
  baseConfig: Record<string, unknown>;
  onnx: Buffer;
  labels: string[];
  problemType: ProblemType;
  metadata: TrainingMetadata;
  card: string;
  /**
   * Where the graph's external weight files are (large models keep weights in model.onnx_data beside
   * model.onnx); they are copied next to the new graph, which refers to them by name.
   */
  externalDataDir?: string;
  /** Which dataset rows went to which split (training-manifest.json): evaluations then tell training rows apart. */
  trainingManifest?: TrainingManifest;
}

export function writeModelDirectory(destination: string, contents: ModelDirectoryContents, options: { overwrite?: boolean; signal?: AbortSignal } = {}): string {
  const dir = path.resolve(destination);
  checkDestination(dir, options.overwrite ?? false);
  removeLeftovers(dir);
  const staging = `${dir}.partial-${process.pid}-${Date.now()}`;
  try {
    fs.mkdirSync(path.join(staging, 'onnx'), { recursive: true });
    const config = {
      ...contents.baseConfig,
      id2label: Object.fromEntries(contents.labels.map((label, index) => [String(index), label])),
      label2id: Object.fromEntries(contents.labels.map((label, index) => [label, index])),
      problem_type: contents.problemType,
      [TRAINING_METADATA_KEY]: contents.metadata,
    };
    // Some configs carry an explicit label count; keep it true.
    if ('num_labels' in config) config.num_labels = contents.labels.length;
    if ('_num_labels' in config) config._num_labels = contents.labels.length;
    fs.writeFileSync(path.join(staging, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
    for (const file of TOKENIZER_FILES) {
      const source = path.join(contents.tokenizerDir, file);
      if (fs.existsSync(source)) fs.copyFileSync(source, path.join(staging, file));
    }
    fs.writeFileSync(path.join(staging, 'onnx', 'model.onnx'), contents.onnx);
    for (const file of contents.externalDataDir ? externalDataFiles(contents.externalDataDir) : []) {
      fs.copyFileSync(path.join(contents.externalDataDir!, file), path.join(staging, 'onnx', file));
    }
    fs.writeFileSync(path.join(staging, 'MODEL_CARD.md'), contents.card);
    if (contents.trainingManifest) writeTrainingManifest(staging, contents.trainingManifest);
    options.signal?.throwIfAborted();
    replaceDirectory(staging, dir);
    return dir;
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

export function externalDataFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((entry) => entry.endsWith('.onnx_data') || entry.endsWith('.onnx.data'));
}

/**
 * Directories of runs that were killed before they could clean up: staging copies are removed; a model
 * swapped out but never replaced is put back.
 */
function removeLeftovers(dir: string): void {
  const parent = path.dirname(dir);
  const prefix = `${path.basename(dir)}.`;
  for (const entry of fs.readdirSync(parent)) {
    const match = entry.startsWith(prefix) ? /\.(partial|replaced)-(\d+)-\d+$/.exec(entry) : null;
    if (!match) continue;
    const pid = Number(match[2]);
    if (pid === process.pid || isRunning(pid)) continue;
    const leftover = path.join(parent, entry);
    if (match[1] === 'replaced' && !fs.existsSync(dir)) fs.renameSync(leftover, dir);
    else fs.rmSync(leftover, { recursive: true, force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
