// Runs a classifier over every row of an unlabeled dataset and hands each row back with its
// prediction, in file order, a chunk at a time: memory stays bounded however long the file is. Every
// row either comes out predicted or is counted as skipped with its reason. The classifier is
// injected, as for evaluate.ts, so the CLI runs it with an in-process or a remote-backed engine.
import type { Classification } from '../classifier/types';
import type { ClassifyFunction } from './evaluate';
import { readRecordBatches } from './records';
import { inspectUnlabeledDataset, objectText, type UnlabeledSchema } from './schema';
import type { ReadProgress, SchemaOptions, SkippedRow, SkipReason } from './types';

export interface PredictOptions extends Omit<SchemaOptions, 'labelColumn'> {
  /** Texts per classify call (default 256). */
  chunkSize?: number;
  /** Classify calls running at once (default 2: one runs while the next chunk is read and the last written). */
  chunksInFlight?: number;
  signal?: AbortSignal;
  /** Once the schema is known, before the first row: e.g. to write the output's header. */
  onSchema?: (schema: UnlabeledSchema) => void;
  /** Each chunk's predicted rows, in file order. */
  onRows: (rows: PredictedRow[]) => void;
  onProgress?: (progress: PredictProgress) => void;
}

/** A row of the input, as its cells (CSV/TSV, in the order of schema.columns) or its object (JSONL), and its prediction. */
export interface PredictedRow {
  line: number;
  fields?: string[];
  object?: Record<string, unknown>;
  result: Classification;
}

export interface PredictProgress extends ReadProgress {
  rows: number;
  predicted: number;
  skipped: number;
}

export interface PredictSummary {
  schema: UnlabeledSchema;
  /** Rows read (not counting a header line or blank lines). */
  total: number;
  predicted: number;
  skipped: number;
  skippedByReason: Partial<Record<SkipReason, number>>;
  /** The first skipped rows of each reason (at most 5 per reason), with what was wrong. */
  skippedExamples: SkippedRow[];
  seconds: number;
}

interface PendingRow {
  line: number;
  text: string;
  fields?: string[];
  object?: Record<string, unknown>;
}

const examplesPerReason = 5;

export async function predictDataset(datasetPath: string, options: PredictOptions, classify: ClassifyFunction): Promise<PredictSummary> {
  const started = performance.now();
  const chunkSize = options.chunkSize ?? 256;
  const chunksInFlight = options.chunksInFlight ?? 2;
  const { signal } = options;
  const schema = await inspectUnlabeledDataset(datasetPath, options);
  options.onSchema?.(schema);

  let total = 0;
  let predicted = 0;
  let read: ReadProgress = { bytesRead: 0, totalBytes: 0 };
  const skippedByReason: Partial<Record<SkipReason, number>> = {};
  const skippedExamples: SkippedRow[] = [];
  const skip = (line: number, reason: SkipReason, detail: string) => {
    const count = (skippedByReason[reason] = (skippedByReason[reason] ?? 0) + 1);
    if (count <= examplesPerReason) skippedExamples.push({ line, reason, detail });
  };
  const skipped = () => Object.values(skippedByReason).reduce((sum, count) => sum + count, 0);

  // Chunks in file order; the oldest is written as soon as it is classified, so rows come out in order.
  const running: Promise<PredictedRow[]>[] = [];
  const writeOldest = async () => {
    const rows = await running.shift()!;
    signal?.throwIfAborted();
    predicted += rows.length;
    options.onRows(rows);
    options.onProgress?.({ ...read, rows: total, predicted, skipped: skipped() });
  };
  const submit = async (chunk: PendingRow[]) => {
    const classified = classify(chunk.map((row) => row.text), signal).then((results) => {
      if (results.length !== chunk.length) throw new Error(`the classifier returned ${results.length} results for ${chunk.length} texts`);
      return chunk.map((row, index): PredictedRow => ({ line: row.line, fields: row.fields, object: row.object, result: results[index] }));
    });
    classified.catch(() => undefined); // surfaces when awaited in order
    running.push(classified);
    if (running.length >= chunksInFlight) await writeOldest();
  };

  let chunk: PendingRow[] = [];
  let headerSeen = !schema.hasHeader;
  const onProgress = (progress: ReadProgress) => (read = progress);
  try {
    for await (const records of readRecordBatches(schema.path, schema.format, { signal, onProgress })) {
      for (const record of records) {
        if (!headerSeen && !record.problem) {
          headerSeen = true;
          continue;
        }
        total++;
        if (record.problem) {
          skip(record.line, record.problem.reason, record.problem.detail);
          continue;
        }
        const row = record.object ? objectRow(schema, record.line, record.object) : delimitedRow(schema, record.line, record.fields!);
        if (typeof row === 'string') {
          skip(record.line, 'malformed', row);
          continue;
        }
        if (row.text === '') {
          skip(record.line, 'empty text', `column ${schema.textColumns.join(' + ')} is empty`);
          continue;
        }
        chunk.push(row);
        if (chunk.length >= chunkSize) {
          await submit(chunk);
          chunk = [];
        }
      }
    }
    if (chunk.length > 0) await submit(chunk);
    while (running.length > 0) await writeOldest();
  } finally {
    // After a failure, the chunks still running must not reject unobserved.
    for (const pending of running.splice(0)) pending.catch(() => undefined);
  }
  return { schema, total, predicted, skipped: skipped(), skippedByReason, skippedExamples, seconds: (performance.now() - started) / 1000 };
}

/** A CSV/TSV row with its text, or what is wrong with it. */
function delimitedRow(schema: UnlabeledSchema, line: number, fields: string[]): PendingRow | string {
  const width = schema.columns.length;
  let cells = fields;
  if (fields.length > width && schema.format === 'tsv' && schema.textColumns.length === 1) {
    // Tabs inside the text of a TSV whose text column is the first or the last: the extra fields are the text's.
    const textIndex = schema.columns.indexOf(schema.textColumns[0]);
    const extra = fields.length - width;
    if (textIndex === width - 1) cells = [...fields.slice(0, textIndex), fields.slice(textIndex).join('\t')];
    else if (textIndex === 0) cells = [fields.slice(0, extra + 1).join('\t'), ...fields.slice(extra + 1)];
  }
  if (cells.length !== width) return `expected ${width} fields, found ${fields.length}`;
  const text = schema.textColumns.map((column) => cells[schema.columns.indexOf(column)].trim()).filter((part) => part !== '').join(' ');
  return { line, text, fields: cells };
}

function objectRow(schema: UnlabeledSchema, line: number, object: Record<string, unknown>): PendingRow | string {
  const joined = objectText(object, schema.textColumns);
  return typeof joined === 'string' ? joined : { line, text: joined.text, object };
}
