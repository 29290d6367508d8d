// The one entry point for training a classifier from a labeled dataset, whatever the method: checks the
// data and the destination first (before any long work), makes or checks the splits, runs the method,
// and writes the standard model directory with its card, all or nothing.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EngineOptions } from '../classifier/types';
import { modelCard } from './card';
import type { SplitMetrics } from './evaluation';
import { baseBundle } from './features';
import { TrainingCancelledError } from './head';
import type { Bundle } from '../engine/bundle';
import { trainLinearHead, type LinearHeadSettings, type MethodResult } from './linearHead';
import { trainPytorch, type PytorchSettings } from './pytorch';
import type { SkippedTrainingRow } from './datasetFiles';
import { encodeTextHashes, fileSha256, type TrainingManifest } from '../datasets/trainingManifest';
import { checkDestination, writeModelDirectory, type TrainingMetadata } from './modelDirectory';
import { formatDuration, formatPercent, type ProgressListener } from './progress';
import { checkSplits, labelsOf, stratifiedSplit, type DatasetSplits, type SplitFractions, type TrainingExample } from './split';

export type TrainingMethod = 'linear-head' | 'pytorch';

export type TrainingDataset = (
  /** One labeled set: a seeded stratified train/validation/test split is made from it. */
  | { name: string; examples: TrainingExample[] }
  /** Splits the user already has. */
  | { name: string; splits: { train: TrainingExample[]; validation: TrainingExample[]; test: TrainingExample[] } }
) & {
  /** Rows of the dataset files that could not be used, reported with the model. */
  skipped?: SkippedTrainingRow[];
  /**
   * The file the examples (or the training split) were read from, and its number of data rows: with
   * it, and a `row` on every example, the model gets a training manifest.
   */
  file?: { path: string; rows: number };
};

export interface TrainClassifierRequest {
  method: TrainingMethod;
  /** The model directory whose encoder (and tokenizer) the new model starts from. */
  baseModel: string;
  /** The new model directory; must not exist unless `overwrite`. */
  output: string;
  overwrite?: boolean;
  dataset: TrainingDataset;
  seed?: number;
  /** For a split made here; default 80/10/10. */
  fractions?: SplitFractions;
  linearHead?: LinearHeadSettings;
  pytorch?: PytorchSettings;
  engine?: EngineOptions;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

export interface TrainingReport {
  outputDir: string;
  method: TrainingMethod;
  labels: string[];
  split: string;
  examples: { train: number; validation: number; test: number };
  skipped: SkippedTrainingRow[];
  validation: SplitMetrics;
  test: SplitMetrics;
  /** The test examples in the order of `test.predictions`. */
  testExamples: TrainingExample[];
  metadata: TrainingMetadata;
  featuresMs: number;
  trainingMs: number;
  totalMs: number;
}

/**
 * Trains and writes a new model directory. Errors name what is wrong (TrainingDataError: the data;
 * BundleError: the base model; ModelDirectoryError: the destination); a cancel through `signal`, at any
 * point, rejects with TrainingCancelledError and leaves nothing at the destination.
 */
export async function trainClassifier(request: TrainClassifierRequest): Promise<TrainingReport> {
  try {
    return await train(request);
  } catch (error) {
    if (request.signal?.aborted && !(error instanceof TrainingCancelledError)) throw new TrainingCancelledError();
    throw error;
  }
}

async function train(request: TrainClassifierRequest): Promise<TrainingReport> {
  const started = Date.now();
  const report = request.onProgress ?? (() => undefined);
  const seed = request.seed ?? 42;
  checkDestination(request.output, request.overwrite ?? false);
  const base = baseBundle(request.baseModel);
  const splits = prepareSplits(request.dataset, seed, request.fractions);
  const manifest = await trainingManifest(request.dataset, splits);
  const skipped = request.dataset.skipped ?? [];
  report({ phase: 'prepare', message: `${request.dataset.name}: ${splits.description}; labels ${splits.labels.join(', ')}` });
  if (skipped.length > 0) {
    const listed = skipped.slice(0, 10).map((row) => `${row.file}:${row.line} ${row.reason} (${row.detail})`);
    report({ phase: 'prepare', message: `${skipped.length} rows skipped: ${listed.join('; ')}${skipped.length > 10 ? '; …' : ''}` });
  }

  const methodOptions = { engine: request.engine, seed, signal: request.signal, onProgress: report };
  const result: MethodResult =
    request.method === 'linear-head'
      ? await trainLinearHead(base, splits, { ...methodOptions, settings: request.linearHead })
      : await trainPytorch(base, splits, { ...methodOptions, settings: request.pytorch });
  try {
    return writeResult(request, base, splits, skipped, result, manifest, started);
  } finally {
    result.cleanup?.();
  }
}

function writeResult(
  request: TrainClassifierRequest,
  base: Bundle,
  splits: DatasetSplits,
  skipped: SkippedTrainingRow[],
  result: MethodResult,
  manifest: TrainingManifest | undefined,
  started: number,
): TrainingReport {
  const report = request.onProgress ?? (() => undefined);
  const seed = request.seed ?? 42;
  report({ phase: 'write', message: `writing ${path.resolve(request.output)}` });
  const metadata: TrainingMetadata = {
    method: request.method,
    base_model: base.dir,
    dataset: request.dataset.name,
    split: splits.description,
    examples: { train: splits.train.length, validation: splits.validation.length, test: splits.test.length },
    trained_at: new Date().toISOString(),
    test_accuracy: result.test.accuracy,
    test_macro_f1: result.test.macroF1,
    validation_accuracy: result.validation.accuracy,
    seed,
    settings: result.settings,
  };
  const baseConfig = result.config ?? (JSON.parse(fs.readFileSync(base.configFile, 'utf8')) as Record<string, unknown>);
  const card = modelCard({
    name: path.basename(path.resolve(request.output)),
    metadata,
    labels: splits.labels,
    multiLabel: splits.multiLabel,
    labelCounts: { train: countLabels(splits.train), validation: countLabels(splits.validation), test: countLabels(splits.test) },
    validation: result.validation,
    test: result.test,
    baseModelName: base.name,
    baseMaxTokens: base.maxTokens,
    skippedRows: skipped.length,
    hasManifest: manifest !== undefined,
  });
  const outputDir = writeModelDirectory(
    request.output,
    {
      tokenizerDir: result.tokenizerDir ?? base.dir,
      externalDataDir: result.externalDataDir,
      baseConfig,
      onnx: result.onnx,
      labels: splits.labels,
      problemType: splits.multiLabel ? 'multi_label_classification' : 'single_label_classification',
      metadata,
      card,
      trainingManifest: manifest,
    },
    { overwrite: request.overwrite, signal: request.signal },
  );
  const totalMs = Date.now() - started;
  report({
    phase: 'done',
    message: `${outputDir}: test accuracy ${formatPercent(result.test.accuracy)}, macro-F1 ${formatPercent(result.test.macroF1)} (${splits.test.length} examples); ${formatDuration(totalMs)} in all`,
  });
  return {
    outputDir,
    method: request.method,
    labels: splits.labels,
    split: splits.description,
    examples: metadata.examples,
    skipped,
    validation: result.validation,
    test: result.test,
    testExamples: splits.test,
    metadata,
    featuresMs: result.featuresMs,
    trainingMs: result.trainingMs,
    totalMs,
  };
}

export function prepareSplits(dataset: TrainingDataset, seed: number, fractions?: SplitFractions): DatasetSplits {
  if ('examples' in dataset) return stratifiedSplit(dataset.examples, { source: dataset.name, seed, fractions });
  const checked = checkSplits({ ...dataset.splits, description: '' }, dataset.name);
  const { train, validation, test } = dataset.splits;
  return { ...checked, description: `given splits: ${train.length} train, ${validation.length} validation, ${test.length} test` };
}

/**
 * Which rows of the dataset file went to which split, with the file's hash and the training texts'
 * hashes (see trainingManifest.ts); none when the examples did not come from a file.
 */
async function trainingManifest(dataset: TrainingDataset, splits: DatasetSplits): Promise<TrainingManifest | undefined> {
  if (!dataset.file) return undefined;
  const rows = (examples: TrainingExample[]) => examples.map((example) => example.row);
  const all = [rows(splits.train), rows(splits.validation), rows(splits.test)];
  if (all.some((list) => list.some((row) => row === undefined))) return undefined;
  const [train, validation, test] = all as number[][];
  const fromOneFile = 'examples' in dataset;
  return {
    version: 1,
    dataset: { file: path.basename(dataset.file.path), sha256: await fileSha256(dataset.file.path), rows: dataset.file.rows },
    train,
    validation: fromOneFile ? validation : [],
    test: fromOneFile ? test : [],
    train_text_hashes: encodeTextHashes(splits.train.map((example) => example.text)),
    ...(fromOneFile ? {} : { note: 'the validation and test rows came from their own files' }),
  };
}

function countLabels(examples: TrainingExample[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const example of examples) for (const label of labelsOf(example)) counts.set(label, (counts.get(label) ?? 0) + 1);
  return counts;
}
