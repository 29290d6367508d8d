// Runs a classifier over a labeled dataset and measures it. The classifier is injected, so the same
// runner works with an in-process Engine (CLI, tests) and behind the worker (extension).
import type { Classification } from '../classifier/types';
import { createLabelMapping, LabelMappingMode } from './labels';
import { Metrics, MetricsAccumulator } from './metrics';
import { readRowBatches } from './rows';
import { inspectDataset } from './schema';
import { trainingRowMatcher, type OverlapMatch, type TrainingManifest } from './trainingManifest';
import { DatasetSchema, SchemaOptions, SkippedRow, SkipReason } from './types';

/** `onProgress` (optional to call): texts of this call classified so far, as the engine's ClassifyOptions.onProgress. */
export type ClassifyFunction = (texts: string[], signal?: AbortSignal, onProgress?: (done: number, total: number) => void) => Promise<Classification[]>;

/** Progress counts rows up to the last one classified (reading runs a batch ahead of the model). */
export interface EvaluationProgress {
  /** Rows done so far, evaluated or skipped. */
  rows: number;
  evaluated: number;
  skipped: number;
  rowsPerSecond: number;
  bytesRead: number;
  totalBytes: number;
  elapsedSeconds: number;
}

export interface EvaluateOptions extends SchemaOptions {
  /** The model's labels, in its output order. */
  labels: string[];
  /** Gold label -> model label; see labels.ts for how labels map without it. */
  labelMap?: Record<string, string>;
  /**
   * Texts per classify call (default 256; the engine batches and sorts by length within it). The
   * first call takes at most 256, so the model starts while the next batch is read.
   */
  batchSize?: number;
  signal?: AbortSignal;
  /** Called after every batch, and within a batch when the classify function reports its progress. */
  onProgress?: (progress: EvaluationProgress) => void;
  /** Keep every row's prediction in the report (default true). */
  keepPredictions?: boolean;
  /** Called with each batch's predictions, e.g. to stream them to a file. */
  onPredictions?: (predictions: Prediction[]) => void;
  /** The model's training manifest: rows it was trained on are counted, and measured apart. */
  trainingManifest?: TrainingManifest | null;
  /** Leave the model's training rows out (they count in `trainingOverlap.rows`, not as skipped). */
  heldOutOnly?: boolean;
}

/** The evaluated dataset holds rows the model was trained on (see trainingManifest.ts). */
export interface TrainingOverlap {
  /** Rows with a usable label that were training rows. */
  rows: number;
  match: OverlapMatch;
  /** The training manifest's dataset file name. */
  trainingFile: string;
  /** Whether the training rows were left out of the evaluation (heldOutOnly). */
  excluded: boolean;
  /** The metrics of the other rows (with `excluded`, the report's own metrics). */
  heldOut: { accuracy: number; macroF1: number; evaluated: number };
}

export interface Prediction {
  line: number;
  text: string;
  /** The gold label as written in the dataset. */
  gold: string;
  /** The model label the gold label maps to. */
  goldLabel: string;
  predicted: string;
  /** Score of the predicted label. */
  confidence: number;
  /** Every model label's score, in the order of the report's `labels`. */
  scores: number[];
}

export interface EvaluationReport extends Metrics {
  dataset: Pick<DatasetSchema, 'path' | 'format' | 'hasHeader' | 'textColumns' | 'labelColumn'>;
  labelMapping: LabelMappingMode;
  total: number;
  evaluated: number;
  skipped: number;
  skippedRows: SkippedRow[];
  skippedByReason: Partial<Record<SkipReason, number>>;
  seconds: number;
  rowsPerSecond: number;
  /** Null when no evaluated row was a training row (or the model has no training manifest). */
  trainingOverlap: TrainingOverlap | null;
  /** Empty when `keepPredictions` was false. */
  predictions: Prediction[];
}

/** How far into the file: rows (evaluated or skipped), skipped rows, rows evaluated, bytes read. */
interface Position {
  rows: number;
  skipped: number;
  evaluated: number;
  bytesRead: number;
}

/** The position `done` of `texts` texts into the batch that spans from..to (rows and bytes pro rata). */
function between(from: Position, to: Position, done: number, texts: number): Position {
  const at = (key: keyof Position) => from[key] + Math.floor(((to[key] - from[key]) * done) / texts);
  return { rows: at('rows'), skipped: at('skipped'), evaluated: from.evaluated + done, bytesRead: at('bytesRead') };
}

/** The most texts of the first classify call: the model waits for the reader only this long. */
const firstBatchSize = 256;

interface FinishedCall {
  batch: PendingRow[];
  results: Classification[];
  /** Where the batch ends in the file. */
  to: Position;
}

interface PendingRow {
  line: number;
  text: string;
  gold: string;
  goldIndex: number;
  training: boolean;
}

export async function evaluate(datasetPath: string, options: EvaluateOptions, classify: ClassifyFunction): Promise<EvaluationReport> {
  const { labels, signal } = options;
  const batchSize = options.batchSize ?? 256;
  const keepPredictions = options.keepPredictions ?? true;
  const started = performance.now();
  const schema = await inspectDataset(datasetPath, options);
  const mapping = createLabelMapping(labels, schema.sampleLabels, options.labelMap);
  const manifest = options.trainingManifest;
  const training = manifest ? await trainingRowMatcher(manifest, datasetPath) : undefined;
  let trainingRows = 0;

  const metrics = new MetricsAccumulator(labels);
  const heldOutMetrics = new MetricsAccumulator(labels);
  const skippedRows: SkippedRow[] = [];
  const predictions: Prediction[] = [];
  let total = 0;
  let bytesRead = 0;
  let totalBytes = 0;
  const elapsedSeconds = () => (performance.now() - started) / 1000;
  const reportProgress = (at: Position) => {
    const seconds = elapsedSeconds();
    options.onProgress?.({ ...at, rowsPerSecond: seconds > 0 ? at.evaluated / seconds : 0, totalBytes, elapsedSeconds: seconds });
  };

  const score = (batch: PendingRow[], results: Classification[]) => {
    if (results.length !== batch.length) throw new Error(`the classifier returned ${results.length} results for ${batch.length} texts`);
    const scored = batch.map((row, index): Prediction => {
      const scores = labels.map((label) => results[index].labels.find((entry) => entry.label === label)?.score ?? 0);
      const top = results[index].labels[0];
      const predicted = labels.indexOf(top.label);
      if (predicted < 0) throw new Error(`the classifier returned label "${top.label}", which is not one of ${labels.join(', ')}`);
      metrics.add(row.goldIndex, predicted, top.score);
      if (!row.training) heldOutMetrics.add(row.goldIndex, predicted, top.score);
      return { line: row.line, text: row.text, gold: row.gold, goldLabel: labels[row.goldIndex], predicted: top.label, confidence: top.score, scores };
    });
    if (keepPredictions) predictions.push(...scored);
    options.onPredictions?.(scored);
  };

  // One call runs while the next batch is read; a finished call's rows are scored once the next call
  // has started, so the model waits neither for the reader nor for the bookkeeping.
  let running: Promise<FinishedCall> | undefined;
  let classified: Position = { rows: 0, skipped: 0, evaluated: 0, bytesRead: 0 };
  const finish = ({ batch, results, to }: FinishedCall) => {
    score(batch, results);
    reportProgress(to);
  };
  const submit = async (batch: PendingRow[]) => {
    const previous = await running;
    signal?.throwIfAborted();
    const from = classified;
    const to: Position = { rows: total, skipped: skippedRows.length, evaluated: from.evaluated + batch.length, bytesRead };
    classified = to;
    const onClassifyProgress = options.onProgress && ((done: number, texts: number) => done < texts && reportProgress(between(from, to, done, texts)));
    running = classify(batch.map((row) => row.text), signal, onClassifyProgress).then((results) => ({ batch, results, to }));
    // Avoid an unhandled rejection while the next batch is read; the error surfaces at the next await.
    running.catch(() => undefined);
    if (previous) finish(previous);
  };

  let batch: PendingRow[] = [];
  const onReadProgress = (progress: { bytesRead: number; totalBytes: number }) => ({ bytesRead, totalBytes } = progress);
  for await (const rows of readRowBatches(schema, { signal, onProgress: onReadProgress })) {
    for (const row of rows) {
      total++;
      if (row.kind === 'skipped') {
        skippedRows.push({ line: row.line, reason: row.reason, detail: row.detail });
        continue;
      }
      const goldIndex = mapping.resolve(row.label);
      if (goldIndex === undefined) {
        skippedRows.push({ line: row.line, reason: 'label not known to the model', detail: `"${row.label}"` });
        continue;
      }
      const isTraining = training?.isTrainingRow(total - 1, row.text) ?? false;
      if (isTraining) {
        trainingRows++;
        if (options.heldOutOnly) continue;
      }
      batch.push({ line: row.line, text: row.text, gold: row.label, goldIndex, training: isTraining });
      if (batch.length >= (running === undefined ? Math.min(firstBatchSize, batchSize) : batchSize)) {
        await submit(batch);
        batch = [];
      }
    }
  }
  if (batch.length > 0) await submit(batch);
  const last = await running;
  signal?.throwIfAborted();
  if (last) finish(last);
  if (total > classified.rows) reportProgress({ rows: total, skipped: skippedRows.length, evaluated: classified.evaluated, bytesRead });

  const result = metrics.result();
  const heldOut = heldOutMetrics.result();
  const seconds = elapsedSeconds();
  const skippedByReason: Partial<Record<SkipReason, number>> = {};
  for (const { reason } of skippedRows) skippedByReason[reason] = (skippedByReason[reason] ?? 0) + 1;
  return {
    ...result,
    dataset: { path: schema.path, format: schema.format, hasHeader: schema.hasHeader, textColumns: schema.textColumns, labelColumn: schema.labelColumn },
    labelMapping: mapping.mode,
    total,
    evaluated: result.count,
    skipped: skippedRows.length,
    skippedRows,
    skippedByReason,
    seconds,
    rowsPerSecond: seconds > 0 ? result.count / seconds : 0,
    trainingOverlap:
      training && manifest && trainingRows > 0
        ? {
            rows: trainingRows,
            match: training.match,
            trainingFile: manifest.dataset.file,
            excluded: options.heldOutOnly ?? false,
            heldOut: { accuracy: heldOut.accuracy, macroF1: heldOut.macroF1, evaluated: heldOut.count },
          }
        : null,
    predictions,
  };
}

/** The rows of one confusion-matrix cell (gold model label, predicted label), in file order. */
export function rowsInCell(predictions: Prediction[], goldLabel: string, predicted: string): Prediction[] {
  return predictions.filter((row) => row.goldLabel === goldLabel && row.predicted === predicted);
}

/**
 * Rows where the model disagrees with the gold label, most confident first: where a wrong gold label
 * is most likely (a confident model that contradicts the annotation).
 */
export function likelyLabelErrors(predictions: Prediction[], limit = 100): Prediction[] {
  return predictions
    .filter((row) => row.predicted !== row.goldLabel)
    .sort((a, b) => b.confidence - a.confidence || a.line - b.line)
    .slice(0, limit);
}
