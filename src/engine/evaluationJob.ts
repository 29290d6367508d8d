// One evaluation of a dataset, as the worker process runs it (no `vscode` here): the dataset runner
// of src/datasets over the worker's engine, every prediction streamed to a JSONL file, and the
// rows the report shows (per confusion-matrix cell, likely label errors) kept in bounded memory.
import * as fs from 'node:fs';
import { ClassifyFunction, evaluate, EvaluationProgress, likelyLabelErrors, Prediction, rowsInCell } from '../datasets/evaluate';
import { readTrainingManifest } from '../datasets/trainingManifest';
import type { EvaluationJobParams, EvaluationJobResult } from '../evaluation/types';

export const histogramBins = 20;

/** 200 rows per cell, but about 10,000 in all with many labels (the report travels to the host and the webview). */
function defaultRowsPerCell(labels: number): number {
  return Math.max(10, Math.min(200, Math.floor(10_000 / (labels * labels))));
}

/** The `limit` most confident rows, ties in file order (the order likelyLabelErrors ranks by). */
function mostConfident(rows: Prediction[], limit: number): Prediction[] {
  return rows.sort((a, b) => b.confidence - a.confidence || a.line - b.line).slice(0, limit);
}

export async function runEvaluationJob(
  params: EvaluationJobParams,
  labels: string[],
  classify: ClassifyFunction,
  options: { signal?: AbortSignal; onProgress?: (progress: EvaluationProgress) => void } = {},
): Promise<EvaluationJobResult> {
  const rowsPerCell = params.rowsPerCell ?? defaultRowsPerCell(labels.length);
  // Kept per batch, so memory stays bounded however large the dataset is.
  let cells: Prediction[][][] = labels.map(() => labels.map(() => []));
  let errors: Prediction[] = [];
  const histogram = new Array<number>(histogramBins).fill(0);
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
        trainingManifest: params.modelDir ? readTrainingManifest(params.modelDir) : null,
        heldOutOnly: params.heldOutOnly,
        // Much larger than the runner's default: each engine call starts with a small chunk (sorted by
        // length on its own, so padded more) whose tokenizing nothing overlaps, and ends with the lanes
        // draining; at 1024 rows per call that cost about 2.5 % of AG News' CPU time. 16384 (AG News in
        // two calls) measured 1-3 points above 4096 in three alternating bench runs. Progress still
        // moves within a call (the engine reports it).
        batchSize: params.batchSize ?? 16384,
        signal: options.signal,
        onProgress: options.onProgress,
        keepPredictions: false,
        onPredictions: (rows) => {
          cells = cells.map((row, gold) => row.map((kept, predicted) => mostConfident([...kept, ...rowsInCell(rows, labels[gold], labels[predicted])], rowsPerCell)));
          errors = likelyLabelErrors([...errors, ...rows], params.likelyErrors ?? 100);
          for (const row of rows) histogram[Math.min(histogramBins - 1, Math.max(0, Math.ceil(row.confidence * histogramBins) - 1))]++;
          fs.writeSync(output, rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
        },
      },
      classify,
    );
    const { predictions: _omitted, ...summary } = report;
    return {
      ...summary,
      cellRows: cells,
      likelyErrors: errors,
      confidenceHistogram: histogram,
    };
  } finally {
    fs.closeSync(output);
  }
}
