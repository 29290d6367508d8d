// What an evaluation run is asked to do and what it answers, shared by the host (client, report) and
// the worker that runs it (src/engine/evaluationJob.ts).
import type { EvaluationReport, Prediction } from '../datasets/evaluate';
import type { SchemaOptions } from '../datasets/types';

export interface EvaluationJobParams extends SchemaOptions {
  datasetPath: string;
  /** Gold label -> model label. */
  labelMap?: Record<string, string>;
  /** Where every prediction is written as JSONL; the caller owns the file (and removes it on failure). */
  predictionsFile: string;
  batchSize?: number;
  /** Rows kept per confusion-matrix cell, most confident first (default: 200, fewer with many labels). */
  rowsPerCell?: number;
  /** Misclassified rows kept as likely label errors, most confident first (default 100). */
  likelyErrors?: number;
  /** The model directory whose training manifest (training-manifest.json) tells which rows it was trained on. */
  modelDir?: string;
  /** Leave the model's training rows out. */
  heldOutOnly?: boolean;
}

/** What the report shows: the metrics and row accounting of the run, without the full prediction list. */
export interface EvaluationJobResult extends Omit<EvaluationReport, 'predictions'> {
  /** cellRows[gold][predicted]: the most confident rows of that cell. */
  cellRows: Prediction[][][];
  /** Rows the model gets wrong with the highest confidence: where a label is most likely wrong. */
  likelyErrors: Prediction[];
  /** Confidence of every evaluated row in 20 equal bins (the confidence histogram; 0 counts in the first). */
  confidenceHistogram: number[];
}
