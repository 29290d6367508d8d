// Works out how to read a dataset: its format (from the extension, else from the first line), whether
// CSV/TSV has a header, and which columns hold the text and the label. Everything can be given
// instead; what is inferred comes from the first rows only, so a large file is not read twice.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RawRecord, readRecords } from './records';
import { DatasetFormat, DatasetSchema, SchemaOptions } from './types';

/** Rows read to infer the schema and the label mapping. */
export const sampleSize = 1000;

const textNames = ['text', 'sentence', 'content', 'review', 'message', 'sms', 'body', 'document', 'comment', 'tweet', 'utterance', 'query', 'question', 'input', 'text_a', 'sentence1'];
const labelNames = ['label', 'labels', 'class', 'category', 'target', 'sentiment', 'gold', 'topic', 'intent', 'emotion', 'tag', 'y'];

export class DatasetError extends Error {
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'DatasetError';
  }
}

export async function inspectDataset(file: string, options: SchemaOptions = {}): Promise<DatasetSchema> {
  const format = options.format ?? (await detectFormat(file));
  const sample = await readSample(file, format);
  return format === 'jsonl' ? jsonlSchema(file, sample, options) : delimitedSchema(file, format, sample, options);
}

/** The first readable records (one more than sampleSize, so that a header row still leaves sampleSize). */
async function readSample(file: string, format: DatasetFormat): Promise<RawRecord[]> {
  const sample: RawRecord[] = [];
  for await (const record of readRecords(file, format)) {
    if (!record.problem) sample.push(record);
    if (sample.length > sampleSize) break;
  }
  if (sample.length === 0) throw new DatasetError(file, 'no readable rows');
  return sample;
}

export async function detectFormat(file: string): Promise<DatasetFormat> {
  const extension = path.extname(file).toLowerCase();
  if (extension === '.csv') return 'csv';
  if (extension === '.tsv' || extension === '.tab') return 'tsv';
  if (extension === '.jsonl' || extension === '.ndjson') return 'jsonl';
  const head = await readHead(file, 4096);
  const firstLine = head.split('\n').find((line) => line.trim() !== '') ?? '';
  if (firstLine.trimStart().startsWith('{')) return 'jsonl';
  return firstLine.includes('\t') ? 'tsv' : 'csv';
}

async function readHead(file: string, bytes: number): Promise<string> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '');
  } finally {
    await handle.close();
  }
}

function delimitedSchema(file: string, format: DatasetFormat, sample: RawRecord[], options: SchemaOptions): DatasetSchema {
  const first = sample[0].fields!;
  const hasHeader = options.hasHeader ?? looksLikeHeader(first, sample.slice(1).map((record) => record.fields!));
  const rows = (hasHeader ? sample.slice(1) : sample).slice(0, sampleSize).map((record) => record.fields!);
  const width = first.length;
  const columns = hasHeader ? first.map((name) => name.trim()) : first.map((_, index) => String(index + 1));
  const values = (column: string) => rows.map((fields) => fields[columns.indexOf(column)] ?? '');
  if (width < 2) throw new DatasetError(file, `found ${width} column; a dataset needs a text and a label column`);
  const { textColumns, labelColumn } = chooseColumns(file, columns, values, options);
  return { path: file, format, hasHeader, columns, textColumns, labelColumn, ...sampleLabels(values(labelColumn)) };
}

function jsonlSchema(file: string, sample: RawRecord[], options: SchemaOptions): DatasetSchema {
  const rows = sample.slice(0, sampleSize).map((record) => record.object!);
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const values = (column: string) => rows.map((row) => scalarText(row[column]) ?? '');
  const { textColumns, labelColumn } = chooseColumns(file, columns, values, options);
  return { path: file, format: 'jsonl', hasHeader: false, columns, textColumns, labelColumn, ...sampleLabels(values(labelColumn)) };
}

/** A JSON value as text when it is a string, number or boolean; undefined otherwise. */
export function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** The non-blank values of a JSON object's text columns, trimmed and joined with spaces; a message naming a column whose value is not text. */
export function objectText(object: Record<string, unknown>, columns: readonly string[]): { text: string } | string {
  const parts: string[] = [];
  for (const column of columns) {
    const value = object[column];
    if (value === undefined || value === null) continue;
    const text = scalarText(value);
    if (text === undefined) return `"${column}" is not a string`;
    if (text.trim() !== '') parts.push(text.trim());
  }
  return { text: parts.join(' ') };
}

function sampleLabels(labels: string[]): Pick<DatasetSchema, 'sampleLabels'> {
  const counts = new Map<string, number>();
  for (const label of labels.map((value) => value.trim()).filter((value) => value !== '')) counts.set(label, (counts.get(label) ?? 0) + 1);
  return { sampleLabels: counts };
}

/** A first row is a header when it names a known text or label column, or when it is text above a numeric column. */
function looksLikeHeader(first: string[], rest: string[][]): boolean {
  const names = first.map((field) => field.trim().toLowerCase());
  if (names.some((name) => textNames.includes(name) || labelNames.includes(name))) return true;
  if (rest.length === 0) return false;
  return names.some((name, column) => name !== '' && !isNumber(name) && rest.every((fields) => isNumber(fields[column] ?? '')));
}

function isNumber(value: string): boolean {
  return value.trim() !== '' && Number.isFinite(Number(value));
}

interface ColumnStats {
  column: string;
  distinct: number;
  meanLength: number;
  numericShare: number;
}

/**
 * Given columns are resolved by name, then by 1-based position. Otherwise: by a known name
 * (text, sentence, label, class, …); failing that, the label is the column with the fewest
 * distinct values and the text is every other column that is not numeric, joined.
 */
function chooseColumns(file: string, columns: string[], values: (column: string) => string[], options: SchemaOptions): { textColumns: string[]; labelColumn: string } {
  if (columns.length === 0) throw new DatasetError(file, 'the rows read have no fields, so there is no text or label column');
  const stats = columns.map((column): ColumnStats => {
    const cells = values(column);
    return {
      column,
      distinct: new Set(cells).size,
      meanLength: cells.reduce((sum, cell) => sum + cell.length, 0) / Math.max(cells.length, 1),
      numericShare: cells.filter(isNumber).length / Math.max(cells.length, 1),
    };
  });
  const given = (spec: string, option: string) => spec.split(',').map((name) => resolveColumn(file, columns, name.trim(), option));
  const byName = (names: string[]) => names.map((name) => columns.find((column) => column.toLowerCase() === name)).find((column) => column !== undefined);

  const labelColumn = options.labelColumn
    ? given(options.labelColumn, 'label column')[0]
    : (byName(labelNames) ?? [...stats].sort((a, b) => a.distinct - b.distinct || a.meanLength - b.meanLength)[0].column);
  let textColumns: string[];
  if (options.textColumn) textColumns = given(options.textColumn, 'text column');
  else {
    const named = byName(textNames);
    textColumns = named ? [named] : stats.filter((stat) => stat.column !== labelColumn && stat.numericShare < 0.5).map((stat) => stat.column);
  }
  if (textColumns.length === 0) throw new DatasetError(file, `cannot tell which column holds the text (columns: ${columns.join(', ')}); name it`);
  if (textColumns.includes(labelColumn)) throw new DatasetError(file, `the label column "${labelColumn}" is also a text column`);
  return { textColumns, labelColumn };
}

function resolveColumn(file: string, columns: string[], name: string, option: string): string {
  const exact = columns.find((column) => column === name) ?? columns.find((column) => column.toLowerCase() === name.toLowerCase());
  if (exact !== undefined) return exact;
  const position = Number(name);
  if (Number.isInteger(position) && position >= 1 && position <= columns.length) return columns[position - 1];
  throw new DatasetError(file, `${option} "${name}" not found; the columns are: ${columns.map((column, index) => `${index + 1} ${column}`).join(', ')}`);
}

/** How an unlabeled dataset is read (textclf predict): its format, header, columns and the text columns. */
export type UnlabeledSchema = Omit<DatasetSchema, 'labelColumn' | 'sampleLabels'>;

/** Free text: a column this long on average (characters), with mostly distinct values, is text to classify. */
const minFreeTextLength = 20;

/**
 * inspectDataset for a dataset without labels. The text columns are the given ones; else a column
 * with a known text name; else every free-text column (not numeric, 20 characters or more on average,
 * mostly distinct: AG News' title and description, not an id, a date or a category), joined; else the
 * longest column that is not numeric.
 */
export async function inspectUnlabeledDataset(file: string, options: Omit<SchemaOptions, 'labelColumn'> = {}): Promise<UnlabeledSchema> {
  const format = options.format ?? (await detectFormat(file));
  const sample = await readSample(file, format);
  let columns: string[];
  let hasHeader = false;
  let values: (column: string) => string[];
  if (format === 'jsonl') {
    const rows = sample.slice(0, sampleSize).map((record) => record.object!);
    columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
    values = (column) => rows.map((row) => scalarText(row[column]) ?? '');
  } else {
    const first = sample[0].fields!;
    hasHeader = options.hasHeader ?? looksLikeHeader(first, sample.slice(1).map((record) => record.fields!));
    const rows = (hasHeader ? sample.slice(1) : sample).slice(0, sampleSize).map((record) => record.fields!);
    columns = hasHeader ? first.map((name) => name.trim()) : first.map((_, index) => String(index + 1));
    values = (column) => rows.map((fields) => fields[columns.indexOf(column)] ?? '');
  }
  if (columns.length === 0) throw new DatasetError(file, 'no columns found');
  let textColumns: string[];
  if (options.textColumn) textColumns = options.textColumn.split(',').map((name) => resolveColumn(file, columns, name.trim(), 'text column'));
  else {
    const named = textNames.map((name) => columns.find((column) => column.toLowerCase() === name)).find((column) => column !== undefined);
    const stats = columns.map((column) => {
      const cells = values(column);
      const meanLength = cells.reduce((sum, cell) => sum + cell.length, 0) / Math.max(cells.length, 1);
      return { column, meanLength, distinctShare: new Set(cells).size / Math.max(cells.length, 1), numericShare: cells.filter(isNumber).length / Math.max(cells.length, 1) };
    });
    const textual = stats.filter((stat) => stat.numericShare < 0.5 && !labelNames.includes(stat.column.toLowerCase()));
    const freeText = textual.filter((stat) => stat.meanLength >= minFreeTextLength && stat.distinctShare >= 0.5).map((stat) => stat.column);
    const longest = [...textual].sort((a, b) => b.meanLength - a.meanLength)[0]?.column;
    textColumns = named ? [named] : freeText.length > 0 ? freeText : longest ? [longest] : [];
  }
  if (textColumns.length === 0) throw new DatasetError(file, `cannot tell which column holds the text (columns: ${columns.join(', ')}); name it`);
  return { path: file, format, hasHeader, columns, textColumns };
}
