// One evaluation of a dataset, as the worker process runs it (no `vscode` here): the dataset runner
// of src/datasets over the worker's engine, every prediction streamed to a JSONL file, and the
// rows the report shows (per confusion-matrix cell, likely label errors) kept in bounded memory.
import * as fs from 'node:fs';
import type { Classification } from '../classifier/types';
import { evaluate, EvaluationProgress, EvaluationReport, Prediction } from '../datasets/evaluate';
import type { SchemaOptions } from '../datasets/types';

export interface EvaluationJobParams extends SchemaOptions {
  datasetPath: string;
  /** Gold label -> model label. */
  labelMap?: Record<string, string>;
  /** Where every prediction is written as JSONL; the caller owns the file (and removes it on failure). */
  predictionsFile: string;
  batchSize?: number;
  /** Rows kept per confusion-matrix cell, most confident first (default 200). */
  rowsPerCell?: number;
  /** Misclassified rows kept as likely label errors, most confident first (default 100). */
  likelyErrors?: number;
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

export const histogramBins = 20;

/** The `limit` predictions with the highest confidence, kept in bounded memory (sorted in batches). */
class MostConfident {
  private rows: Prediction[] = [];
  constructor(private readonly limit: number) {}

  add(row: Prediction): void {
    this.rows.push(row);
    if (this.rows.length >= 2 * this.limit + 64) this.trim();
  }

  result(): Prediction[] {
    this.trim();
    return this.rows;
  }

  private trim(): void {
    this.rows.sort((a, b) => b.confidence - a.confidence || a.line - b.line);
    this.rows.length = Math.min(this.rows.length, this.limit);
  }
}

export type ClassifyTexts = (texts: string[], signal?: AbortSignal) => Promise<Classification[]>;

export async function runEvaluationJob(
  params: EvaluationJobParams,
  labels: string[],
  classify: ClassifyTexts,
  options: { signal?: AbortSignal; onProgress?: (progress: EvaluationProgress) => void } = {},
): Promise<EvaluationJobResult> {
  const cells = labels.map(() => labels.map(() => new MostConfident(params.rowsPerCell ?? 200)));
  const errors = new MostConfident(params.likelyErrors ?? 100);
  const histogram = new Array<number>(histogramBins).fill(0);
  const labelIndex = new Map(labels.map((label, index) => [label, index]));
  const output = fs.openSync(params.predictionsFile, 'w');
  try {
    const report = await evaluate(
      params.datasetPath,
      {
        labels,
        labelMap: params.labelMap,
        format: params.format,
        textColumn: params.textColumn,
        labelColumn: params.labelColumn,
        hasHeader: params.hasHeader,
        // Larger than the runner's default: the engine sorts each call's texts by length, so bigger calls pad less.
        batchSize: params.batchSize ?? 1024,
        signal: options.signal,
        onProgress: options.onProgress,
        keepPredictions: false,
        onPredictions: (rows) => {
          for (const row of rows) {
            cells[labelIndex.get(row.goldLabel)!][labelIndex.get(row.predicted)!].add(row);
            if (row.predicted !== row.goldLabel) errors.add(row);
            histogram[Math.min(histogramBins - 1, Math.max(0, Math.ceil(row.confidence * histogramBins) - 1))]++;
          }
          fs.writeSync(output, rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
        },
      },
      classify,
    );
    const { predictions: _omitted, ...summary } = report; // eslint-disable-line @typescript-eslint/no-unused-vars
    return {
      ...summary,
      cellRows: cells.map((row) => row.map((cell) => cell.result())),
      likelyErrors: errors.result(),
      confidenceHistogram: histogram,
    };
  } finally {
    fs.closeSync(output);
  }
}
