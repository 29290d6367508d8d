// Two evaluations of the same dataset side by side: their metrics with the difference, per-class F1,
// and the rows whose predicted label differs. The rows come from both runs' predictions.jsonl, read
// together line by line (both are in file order), so a dataset of any size takes memory only for
// the bounded list of differing rows kept for the report.
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import type { Prediction } from '../datasets/evaluate';
import type { EvaluationRecord } from './store';

/** An evaluation and the file with its every prediction (EvaluationStore.predictionsFile). */
export interface ComparedRun {
  record: EvaluationRecord;
  predictionsFile: string;
}

/** One metric of both runs; `better` tells which direction of `b - a` is an improvement. */
export interface MetricPair {
  name: string;
  a: number;
  b: number;
  format: 'percent' | 'decimal' | 'rate';
  better: 'higher' | 'lower';
}

export interface ClassF1Pair {
  label: string;
  /** Null where the run's model has no such label. */
  a: number | null;
  b: number | null;
  /** Gold rows of this label in run A (B's where A lacks the label). */
  support: number;
}

export interface DifferingRow {
  line: number;
  text: string;
  /** The gold label as written in the dataset, and the model label it maps to (run A's mapping). */
  gold: string;
  goldLabel: string;
  a: { label: string; score: number };
  b: { label: string; score: number };
}

/** How the two runs' predictions relate, over the rows both evaluated. */
export interface Agreement {
  /** Rows evaluated by both runs. */
  compared: number;
  /** Of those, rows with the same predicted label. */
  same: number;
  /** Rows with a different predicted label (the sum of the next three). */
  differ: number;
  /** Differing rows that A gets right and B wrong, B right and A wrong, both wrong. */
  onlyARight: number;
  onlyBRight: number;
  bothWrong: number;
  /** Rows evaluated by one run only (e.g. held-out rows only in the other, or rows skipped in one). */
  onlyInA: number;
  onlyInB: number;
  /** Rows at the same line with another text: the file changed between the runs. */
  textChanged: number;
  /** Rows whose gold label maps to different model labels in the two runs (label mapping by index). */
  goldMappedDifferently: number;
}

export interface ComparisonSide {
  id: string;
  model: EvaluationRecord['model'];
  executionProvider: EvaluationRecord['executionProvider'];
  finishedAt: string;
  evaluated: number;
  heldOutOnly: boolean;
  labels: string[];
  confusionMatrix: number[][];
}

export interface Comparison {
  datasetPath: string;
  a: ComparisonSide;
  b: ComparisonSide;
  metrics: MetricPair[];
  perClassF1: ClassF1Pair[];
  agreement: Agreement;
  /** The first `maxDifferingRows` differing rows in file order (`agreement.differ` counts them all). */
  differingRows: DifferingRow[];
  maxDifferingRows: number;
  /** What the reader must know before trusting the difference (rows not in both runs, a changed file, …). */
  notes: string[];
}

export class ComparisonError extends Error {
  override name = 'ComparisonError';
}

export const defaultMaxDifferingRows = 500;

export async function compareEvaluations(
  a: ComparedRun,
  b: ComparedRun,
  options: { maxDifferingRows?: number; signal?: AbortSignal } = {},
): Promise<Comparison> {
  const maxDifferingRows = options.maxDifferingRows ?? defaultMaxDifferingRows;
  checkComparable(a.record, b.record);
  const { agreement, differingRows } = await compareRows(a, b, maxDifferingRows, options.signal);
  return {
    datasetPath: a.record.datasetPath,
    a: side(a.record),
    b: side(b.record),
    metrics: metricPairs(a.record, b.record),
    perClassF1: perClassF1(a.record, b.record),
    agreement,
    differingRows,
    maxDifferingRows,
    notes: notes(a.record, b.record, agreement),
  };
}

/** Throws a ComparisonError saying why two evaluations cannot be compared (before any file is read). */
export function checkComparable(a: EvaluationRecord, b: EvaluationRecord): void {
  if (a.datasetPath !== b.datasetPath) {
    throw new ComparisonError(`evaluations of different datasets cannot be compared: ${a.datasetPath} (${a.model.name}) and ${b.datasetPath} (${b.model.name})`);
  }
  if (a.id === b.id) throw new ComparisonError(`both sides are the same evaluation (${a.model.name} on ${path.basename(a.datasetPath)}): choose another model's`);
  const sorted = (labels: string[]) => [...labels].sort().join('\u0000');
  if (sorted(a.model.labels) !== sorted(b.model.labels)) {
    throw new ComparisonError(`${a.model.name} (labels ${a.model.labels.join(', ')}) and ${b.model.name} (labels ${b.model.labels.join(', ')}) predict different labels; only models with the same labels can be compared row by row`);
  }
}

function side(record: EvaluationRecord): ComparisonSide {
  const { result } = record;
  return {
    id: record.id,
    model: record.model,
    executionProvider: record.executionProvider,
    finishedAt: record.finishedAt,
    evaluated: result.evaluated,
    heldOutOnly: result.trainingOverlap?.excluded ?? false,
    labels: result.labels,
    confusionMatrix: result.confusionMatrix,
  };
}

function metricPairs(a: EvaluationRecord, b: EvaluationRecord): MetricPair[] {
  const pair = (name: string, pick: (record: EvaluationRecord) => number, format: MetricPair['format'], better: MetricPair['better'] = 'higher'): MetricPair => ({ name, a: pick(a), b: pick(b), format, better });
  return [
    pair('accuracy', (record) => record.result.accuracy, 'percent'),
    pair('macro F1', (record) => record.result.macroF1, 'percent'),
    pair('weighted F1', (record) => record.result.weightedF1, 'percent'),
    pair('macro precision', (record) => record.result.macroPrecision, 'percent'),
    pair('macro recall', (record) => record.result.macroRecall, 'percent'),
    pair('calibration error (ECE)', (record) => record.result.expectedCalibrationError, 'decimal', 'lower'),
    pair('throughput (rows/s)', (record) => record.result.rowsPerSecond, 'rate'),
  ];
}

/** A's labels in its order, then any only B has. */
function perClassF1(a: EvaluationRecord, b: EvaluationRecord): ClassF1Pair[] {
  const labels = [...a.result.labels, ...b.result.labels.filter((label) => !a.result.labels.includes(label))];
  return labels.map((label) => {
    const ofA = a.result.perClass.find((row) => row.label === label);
    const ofB = b.result.perClass.find((row) => row.label === label);
    return { label, a: ofA?.f1 ?? null, b: ofB?.f1 ?? null, support: ofA?.support ?? ofB?.support ?? 0 };
  });
}

async function compareRows(a: ComparedRun, b: ComparedRun, maxDifferingRows: number, signal?: AbortSignal): Promise<{ agreement: Agreement; differingRows: DifferingRow[] }> {
  const agreement: Agreement = { compared: 0, same: 0, differ: 0, onlyARight: 0, onlyBRight: 0, bothWrong: 0, onlyInA: 0, onlyInB: 0, textChanged: 0, goldMappedDifferently: 0 };
  const differingRows: DifferingRow[] = [];
  const left = predictions(a)[Symbol.asyncIterator]();
  const right = predictions(b)[Symbol.asyncIterator]();
  try {
    let x = await left.next();
    let y = await right.next();
    for (let rows = 1; !x.done || !y.done; rows++) {
      if (rows % 4096 === 0) signal?.throwIfAborted();
      if (y.done || (!x.done && x.value.line < y.value.line)) {
        agreement.onlyInA++;
        x = await left.next();
        continue;
      }
      if (x.done || y.value.line < x.value.line) {
        agreement.onlyInB++;
        y = await right.next();
        continue;
      }
      compareRow(x.value, y.value, agreement, differingRows, maxDifferingRows);
      [x, y] = await Promise.all([left.next(), right.next()]);
    }
    signal?.throwIfAborted();
  } finally {
    await Promise.all([left.return?.(undefined), right.return?.(undefined)]);
  }
  return { agreement, differingRows };
}

function compareRow(a: Prediction, b: Prediction, agreement: Agreement, differingRows: DifferingRow[], maxDifferingRows: number): void {
  agreement.compared++;
  if (a.text !== b.text) agreement.textChanged++;
  if (a.goldLabel !== b.goldLabel) agreement.goldMappedDifferently++;
  if (a.predicted === b.predicted) {
    agreement.same++;
    return;
  }
  agreement.differ++;
  const aRight = a.predicted === a.goldLabel;
  const bRight = b.predicted === b.goldLabel;
  if (aRight) agreement.onlyARight++;
  else if (bRight) agreement.onlyBRight++;
  else agreement.bothWrong++;
  if (differingRows.length < maxDifferingRows) {
    differingRows.push({
      line: a.line,
      text: a.text,
      gold: a.gold,
      goldLabel: a.goldLabel,
      a: { label: a.predicted, score: a.confidence },
      b: { label: b.predicted, score: b.confidence },
    });
  }
}

/** A run's predictions in file order; a missing file or a line out of order is an error naming the file. */
async function* predictions(run: ComparedRun): AsyncGenerator<Prediction> {
  const input = fs.createReadStream(run.predictionsFile, 'utf8');
  try {
    await once(input, 'open');
  } catch (error) {
    throw new ComparisonError(`the predictions of ${run.record.model.name} on ${path.basename(run.record.datasetPath)} are missing (${run.predictionsFile}: ${(error as Error).message}); evaluate it again`);
  }
  const reader = readline.createInterface({ input, crlfDelay: Infinity });
  try {
    let previous = 0;
    let fileLine = 0;
    for await (const text of reader) {
      fileLine++;
      if (text === '') continue;
      let row: Prediction;
      try {
        row = JSON.parse(text) as Prediction;
      } catch (error) {
        throw new ComparisonError(`${run.predictionsFile}:${fileLine}: not a JSON prediction (${(error as Error).message})`);
      }
      if (!(row.line > previous)) throw new ComparisonError(`${run.predictionsFile}:${fileLine}: dataset line ${row.line} comes after line ${previous}; predictions must be in file order`);
      previous = row.line;
      yield row;
    }
  } finally {
    reader.close();
    input.destroy();
  }
}

function notes(a: EvaluationRecord, b: EvaluationRecord, agreement: Agreement): string[] {
  const count = (value: number) => value.toLocaleString('en-US');
  const result: string[] = [];
  if (agreement.onlyInA > 0 || agreement.onlyInB > 0) {
    const parts = [
      agreement.onlyInA > 0 ? `${count(agreement.onlyInA)} rows only ${a.model.name} evaluated` : undefined,
      agreement.onlyInB > 0 ? `${count(agreement.onlyInB)} rows only ${b.model.name} evaluated` : undefined,
    ].filter(Boolean);
    result.push(`The runs evaluated different rows (${parts.join('; ')}): the metrics are over different rows; the differing rows are those both evaluated (${count(agreement.compared)}).`);
  }
  for (const record of [a, b]) {
    const overlap = record.result.trainingOverlap;
    if (overlap && !overlap.excluded) result.push(`${count(overlap.rows)} rows were used to train ${record.model.name}: its metrics here are optimistic.`);
  }
  if (agreement.textChanged > 0) result.push(`${count(agreement.textChanged)} rows have another text at the same line in the two runs: the file changed between them; evaluate both again.`);
  if (agreement.goldMappedDifferently > 0) result.push(`${count(agreement.goldMappedDifferently)} rows' gold labels map to different model labels in the two runs (the label order differs); gold is shown as ${a.model.name} maps it.`);
  return result;
}
