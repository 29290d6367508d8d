// A quantize job as the CLI and the editor ask for it: quantize a model directory, then (with a dataset)
// evaluate the source and the quantized model on it and compare. The types only; the job runs where
// onnxruntime may load (src/engine/quantizeJob.ts), in the CLI or in the quantize process.
import type { ModelVariant } from '../classifier/types';
import type { SchemaOptions } from '../datasets/types';
import type { QuantizeDirectoryResult, QuantizeProgress } from './directory';
import type { GraphForm } from './graph';

export interface QuantizeJob {
  modelDir: string;
  outDir: string;
  overwrite?: boolean;
  variant?: ModelVariant;
  form?: GraphForm;
  /** A labeled dataset to measure both models on. */
  dataset?: QuantizeDataset;
}

export interface QuantizeDataset extends SchemaOptions {
  path: string;
  /** Gold label -> model label (as `textclf evaluate --label-map`). */
  labelMap?: Record<string, string>;
  /** Only the rows the model was not trained on (its training-manifest.json), as `textclf evaluate --held-out`. */
  heldOut?: boolean;
}

/** One model's metrics on the dataset. */
export interface ModelScore {
  accuracy: number;
  macroF1: number;
  evaluated: number;
  rowsPerSecond: number;
  seconds: number;
}

export interface QuantizeComparison {
  dataset: string;
  total: number;
  evaluated: number;
  before: ModelScore;
  after: ModelScore;
  /** Rows whose predicted label differs between the two models. */
  changedLabels: number;
}

export interface QuantizeJobResult extends QuantizeDirectoryResult {
  comparison: QuantizeComparison | null;
}

export type QuantizeJobProgress =
  | QuantizeProgress
  /** Evaluating the source ('before') or the quantized model ('after'); fraction of the dataset read. */
  | { stage: 'evaluating'; model: 'before' | 'after'; rows: number; fraction: number };
