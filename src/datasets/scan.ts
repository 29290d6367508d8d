// Streaming summaries of a dataset for browsing it: row count and label distribution, and pages of
// rows (optionally of one label) with their line numbers. Both read the file once, in bounded memory,
// with progress by bytes and cancellation.
import { readRows } from './rows';
import { DatasetSchema, LabeledRow, ReadOptions, SkippedRow, SkipReason } from './types';

export interface DatasetSummary {
  /** Rows in the file (header and blank lines excluded): usable + skipped. */
  total: number;
  usable: number;
  /** Gold label (as written) -> rows, most frequent first. */
  labelCounts: Map<string, number>;
  skippedByReason: Partial<Record<SkipReason, number>>;
  /** The first skipped rows (at most `maxSkippedListed`). */
  skippedRows: SkippedRow[];
}

export async function summarizeDataset(schema: DatasetSchema, options: ReadOptions & { maxSkippedListed?: number } = {}): Promise<DatasetSummary> {
  const maxSkippedListed = options.maxSkippedListed ?? 1000;
  const counts = new Map<string, number>();
  const skippedByReason: Partial<Record<SkipReason, number>> = {};
  const skippedRows: SkippedRow[] = [];
  let total = 0;
  let usable = 0;
  for await (const row of readRows(schema, options)) {
    total++;
    if (row.kind === 'skipped') {
      skippedByReason[row.reason] = (skippedByReason[row.reason] ?? 0) + 1;
      if (skippedRows.length < maxSkippedListed) skippedRows.push({ line: row.line, reason: row.reason, detail: row.detail });
      continue;
    }
    usable++;
    counts.set(row.label, (counts.get(row.label) ?? 0) + 1);
  }
  const labelCounts = new Map([...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
  return { total, usable, labelCounts, skippedByReason, skippedRows };
}

/** Usable rows `offset` .. `offset + limit` (counted among rows of `label` when given); stops reading once the page is full. */
export async function previewRows(schema: DatasetSchema, page: { offset?: number; limit: number; label?: string }, options: ReadOptions = {}): Promise<LabeledRow[]> {
  const rows: LabeledRow[] = [];
  let index = 0;
  for await (const row of readRows(schema, options)) {
    if (row.kind !== 'row' || (page.label !== undefined && row.label !== page.label)) continue;
    if (index++ < (page.offset ?? 0)) continue;
    rows.push(row);
    if (rows.length >= page.limit) break;
  }
  return rows;
}
