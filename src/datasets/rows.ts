// The rows of a dataset as text + gold label, in file order, each with its line. A row that cannot
// be used comes out as skipped with its reason, so every row of the file is accounted for.
import { RawRecord, readRecordBatches } from './records';
import { objectText, scalarText } from './schema';
import { DatasetRow, DatasetSchema, ReadOptions } from './types';

export async function* readRows(schema: DatasetSchema, options: ReadOptions = {}): AsyncGenerator<DatasetRow> {
  let lastTurn = performance.now();
  for await (const rows of readRowBatches(schema, options)) {
    for (const row of rows) {
      yield row;
      if (options.yieldEveryMs !== undefined && performance.now() - lastTurn >= options.yieldEveryMs) {
        await new Promise((resolve) => setImmediate(resolve));
        lastTurn = performance.now();
      }
    }
  }
}

/** readRows in batches (see readRecordBatches), for a caller that takes every row at once. */
export async function* readRowBatches(schema: DatasetSchema, options: ReadOptions = {}): AsyncGenerator<DatasetRow[]> {
  let headerSeen = !schema.hasHeader;
  for await (const records of readRecordBatches(schema.path, schema.format, options)) {
    const rows: DatasetRow[] = [];
    for (const record of records) {
      if (!headerSeen && !record.problem) {
        headerSeen = true;
        continue;
      }
      rows.push(toRow(schema, record));
    }
    if (rows.length > 0) yield rows;
  }
}

function toRow(schema: DatasetSchema, record: RawRecord): DatasetRow {
  const { line } = record;
  if (record.problem) return { kind: 'skipped', line, ...record.problem };
  const cells = record.fields ? delimitedCells(schema, record.fields) : objectCells(schema, record.object!);
  if (typeof cells === 'string') return { kind: 'skipped', line, reason: 'malformed', detail: cells };
  const text = cells.text.trim();
  const label = cells.label.trim();
  if (text === '') return { kind: 'skipped', line, reason: 'empty text', detail: `column ${schema.textColumns.join(' + ')} is empty` };
  if (label === '') return { kind: 'skipped', line, reason: 'missing label', detail: `column ${schema.labelColumn} is empty` };
  return { kind: 'row', line, text, label };
}

/** The text and label of a CSV/TSV row, or what is wrong with it. */
function delimitedCells(schema: DatasetSchema, fields: string[]): { text: string; label: string } | string {
  const width = schema.columns.length;
  const labelIndex = schema.columns.indexOf(schema.labelColumn);
  if (fields.length > width && schema.format === 'tsv' && width === 2 && schema.textColumns.length === 1) {
    // A tab inside the text of a two-column TSV: the label is the field at its own edge (SST-2's rsplit).
    const label = labelIndex === 0 ? fields[0] : fields[fields.length - 1];
    const text = (labelIndex === 0 ? fields.slice(1) : fields.slice(0, -1)).join('\t');
    return { text, label };
  }
  if (fields.length !== width) return `expected ${width} fields, found ${fields.length}`;
  const text = schema.textColumns.map((column) => fields[schema.columns.indexOf(column)].trim()).filter((part) => part !== '').join(' ');
  return { text, label: fields[labelIndex] };
}

function objectCells(schema: DatasetSchema, object: Record<string, unknown>): { text: string; label: string } | string {
  const joined = objectText(object, schema.textColumns);
  if (typeof joined === 'string') return joined;
  const labelValue = object[schema.labelColumn];
  if (labelValue === undefined || labelValue === null) return { text: joined.text, label: '' };
  const label = scalarText(labelValue);
  if (label === undefined) return `"${schema.labelColumn}" is not a string or number (multi-label rows are not supported)`;
  return { text: joined.text, label };
}
