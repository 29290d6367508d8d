// Method 1: a linear head on the frozen encoder, all in this process. The base graph computes sentence
// features for every text once; heads with a few settings (L2 strength, class weighting) are trained on
// them and the one with the best validation macro-F1 is kept; its weights replace the graph's classifier.
import * as path from 'node:path';
import type { Bundle } from '../engine/bundle';
import type { EngineOptions } from '../classifier/types';
import { evaluateLogits, type SplitMetrics } from './evaluation';
import { extractFeatures } from './features';
import { DEFAULT_LEARNING_RATE, headLogits, trainHead, type EpochProgress, type FeatureMatrix, type HeadOptions, type HeadTargets, type TrainedHead } from './head';
import { bestPooling, inspectClassifier, writeHead, type FeaturePooling } from './onnxHead';
import { formatDuration, formatPercent, type ProgressListener } from './progress';
import { labelsOf, type DatasetSplits, type TrainingExample } from './split';

export interface LinearHeadSettings {
  pooling?: FeaturePooling;
  /** One value, or several to choose from on the validation split (default 1e-4, 1e-3, 1e-2). */
  l2?: number | number[];
  /** 'auto' (default) tries both and keeps the better on validation macro-F1. */
  classWeights?: 'auto' | 'balanced' | 'none';
  learningRate?: number;
  batchSize?: number;
  maxEpochs?: number;
  patience?: number;
}

/** What a training method hands to the shared model-directory writer. */
export interface MethodResult {
  onnx: Buffer;
  /** Where the tokenizer files come from when the method made its own (default: the base model). */
  tokenizerDir?: string;
  /** Directory of external weight files the new graph refers to (large models). */
  externalDataDir?: string;
  /** The new model's config.json when the method wrote one (default: the base model's). */
  config?: Record<string, unknown>;
  validation: SplitMetrics;
  test: SplitMetrics;
  settings: Record<string, unknown>;
  featuresMs: number;
  trainingMs: number;
  /** Removes the method's scratch files once the model directory is written. */
  cleanup?: () => void;
}

export async function trainLinearHead(
  base: Bundle,
  splits: DatasetSplits,
  options: { settings?: LinearHeadSettings; engine?: EngineOptions; seed: number; signal?: AbortSignal; onProgress?: ProgressListener },
): Promise<MethodResult> {
  const settings = options.settings ?? {};
  const pooling = settings.pooling ?? bestPooling(inspectClassifier(base.onnxFile));
  const report = options.onProgress ?? (() => undefined);
  const texts = [...splits.train, ...splits.validation, ...splits.test].map((example) => example.text);

  const featureStart = Date.now();
  const extracted = await extractFeatures(base.dir, texts, {
    pooling,
    engine: options.engine,
    signal: options.signal,
    onProgress: (done, total) => {
      const elapsed = Date.now() - featureStart;
      report({
        phase: 'features',
        message: `sentence features: ${done}/${total} texts`,
        done,
        total,
        remainingMs: done > 0 ? (elapsed / done) * (total - done) : undefined,
      });
    },
  });
  const featuresMs = Date.now() - featureStart;
  const longTexts = extracted.windows.filter((windows) => windows > 1).length;
  report({
    phase: 'features',
    message:
      `sentence features of ${texts.length} texts (${extracted.features.cols} values each, ${pooling}) in ${formatDuration(featuresMs)} on ${extracted.executionProvider}` +
      (longTexts > 0 ? `; ${longTexts} texts longer than the model's ${base.maxTokens}-token window were averaged over their windows` : ''),
  });

  const rowsOf = (from: number, count: number): FeatureMatrix => ({
    data: extracted.features.data.subarray(from * extracted.features.cols, (from + count) * extracted.features.cols),
    rows: count,
    cols: extracted.features.cols,
  });
  const train = { features: rowsOf(0, splits.train.length), targets: targetsOf(splits.train, splits) };
  const validation = { features: rowsOf(splits.train.length, splits.validation.length), targets: targetsOf(splits.validation, splits) };
  const test = { features: rowsOf(splits.train.length + splits.validation.length, splits.test.length), targets: targetsOf(splits.test, splits) };

  const l2Values = settings.l2 === undefined ? [1e-4, 1e-3, 1e-2] : Array.isArray(settings.l2) ? settings.l2 : [settings.l2];
  const weightings: ('none' | 'balanced')[] = settings.classWeights === undefined || settings.classWeights === 'auto' ? ['none', 'balanced'] : [settings.classWeights];
  const candidates = weightings.flatMap((classWeights) => l2Values.map((l2) => ({ classWeights, l2 })));

  const trainingStart = Date.now();
  let best: { head: TrainedHead; metrics: SplitMetrics; classWeights: string; l2: number } | null = null;
  const tried: Record<string, unknown>[] = [];
  // Average time of the heads finished so far; before the first finishes, this one's upper bound.
  const headTime = (index: number, epoch: EpochProgress) =>
    index > 0 ? (Date.now() - trainingStart - epoch.elapsedMs) / index : epoch.elapsedMs + epoch.remainingMs;
  for (const [index, candidate] of candidates.entries()) {
    const headOptions: HeadOptions = {
      learningRate: settings.learningRate,
      batchSize: settings.batchSize,
      maxEpochs: settings.maxEpochs,
      patience: settings.patience,
      seed: options.seed,
      signal: options.signal,
      ...candidate,
      onEpoch: (epoch) =>
        report({
          phase: 'train',
          message:
            `head ${index + 1}/${candidates.length} (l2 ${candidate.l2}, class weights ${candidate.classWeights}) epoch ${epoch.epoch}: ` +
            `loss ${epoch.trainLoss.toFixed(4)}, validation loss ${epoch.validationLoss.toFixed(4)}, validation accuracy ${formatPercent(epoch.validationAccuracy)}`,
          epoch: { ...epoch, candidate: index + 1, candidates: candidates.length },
          remainingMs: epoch.remainingMs + headTime(index, epoch) * (candidates.length - index - 1),
        }),
    };
    const head = await trainHead(train, validation, headOptions);
    const metrics = evaluateLogits(headLogits(head, validation.features), validation.targets, splits.labels);
    tried.push({ l2: candidate.l2, class_weights: candidate.classWeights, best_epoch: head.bestEpoch, validation_accuracy: metrics.accuracy, validation_macro_f1: metrics.macroF1 });
    // Macro-F1 first (it is what class weights are for), then accuracy.
    if (!best || metrics.macroF1 > best.metrics.macroF1 + 1e-9 || (Math.abs(metrics.macroF1 - best.metrics.macroF1) <= 1e-9 && metrics.accuracy > best.metrics.accuracy)) {
      best = { head, metrics, ...candidate };
    }
  }
  const chosen = best!;
  const trainingMs = Date.now() - trainingStart;
  const testMetrics = evaluateLogits(headLogits(chosen.head, test.features), test.targets, splits.labels);
  report({
    phase: 'train',
    message:
      `kept l2 ${chosen.l2}, class weights ${chosen.classWeights} (epoch ${chosen.head.bestEpoch}): validation accuracy ${formatPercent(chosen.metrics.accuracy)}, ` +
      `macro-F1 ${formatPercent(chosen.metrics.macroF1)}; test accuracy ${formatPercent(testMetrics.accuracy)}; ${candidates.length} heads trained in ${formatDuration(trainingMs)}`,
  });

  return {
    onnx: writeHead(base.onnxFile, chosen.head.weights, chosen.head.bias, splits.labels.length, pooling),
    externalDataDir: path.dirname(base.onnxFile),
    validation: chosen.metrics,
    test: testMetrics,
    settings: {
      pooling,
      feature_width: extracted.features.cols,
      l2: chosen.l2,
      class_weights: chosen.classWeights,
      learning_rate: settings.learningRate ?? DEFAULT_LEARNING_RATE,
      best_epoch: chosen.head.bestEpoch,
      epochs_run: chosen.head.epochsRun,
      candidates: tried,
      feature_seconds: round(featuresMs / 1000),
      training_seconds: round(trainingMs / 1000),
      execution_provider: extracted.executionProvider,
    },
    featuresMs,
    trainingMs,
  };
}

function targetsOf(examples: TrainingExample[], splits: DatasetSplits): HeadTargets {
  const index = new Map(splits.labels.map((label, i) => [label, i]));
  const numLabels = splits.labels.length;
  if (!splits.multiLabel) {
    return { kind: 'single', numLabels, classes: Int32Array.from(examples, (example) => index.get(example.label as string)!) };
  }
  const matrix = new Uint8Array(examples.length * numLabels);
  examples.forEach((example, row) => {
    for (const label of labelsOf(example)) matrix[row * numLabels + index.get(label)!] = 1;
  });
  return { kind: 'multi', numLabels, matrix };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
