// Types shared by the dataset readers, the evaluation runner and their callers (CLI, worker,
// dataset explorer). No `vscode` and no native module here.

export type DatasetFormat = 'csv' | 'tsv' | 'jsonl';

/** Why a row of a dataset was not evaluated. */
export type SkipReason =
  | 'malformed'
  | 'invalid UTF-8'
  | 'too large'
  | 'empty text'
  | 'missing label'
  | 'label not known to the model';

export interface SkippedRow {
  /** 1-based line where the row starts. */
  line: number;
  reason: SkipReason;
  /** What exactly was wrong, e.g. "expected 2 fields, found 3" or the unknown label. */
  detail: string;
}

/** A row that has a text and a gold label (the label as written in the file). */
export interface LabeledRow {
  kind: 'row';
  line: number;
  text: string;
  label: string;
}

export type DatasetRow = LabeledRow | ({ kind: 'skipped' } & SkippedRow);

/** How a dataset file is read: its format and which columns hold the text and the label. */
export interface DatasetSchema {
  path: string;
  format: DatasetFormat;
  /** CSV/TSV: whether the first record names the columns. Always false for JSONL. */
  hasHeader: boolean;
  /** Column names (header, or JSON keys seen in the first rows), or "1".."n" without a header. */
  columns: string[];
  /** One or more columns; several are joined with a space (AG News: title + description). */
  textColumns: string[];
  labelColumn: string;
  /** Gold labels of the first rows read to infer the schema, with their counts. */
  sampleLabels: Map<string, number>;
}

/** What the caller may fix instead of letting the reader infer it. */
export interface SchemaOptions {
  format?: DatasetFormat;
  /** A column name or 1-based position; several separated by commas are joined. */
  textColumn?: string;
  labelColumn?: string;
  hasHeader?: boolean;
}

export interface ReadProgress {
  bytesRead: number;
  totalBytes: number;
}

export interface ReadOptions {
  signal?: AbortSignal;
  /** Called as the file is read, at most once per chunk (64 KiB). */
  onProgress?: (progress: ReadProgress) => void;
  /**
   * For callers on a UI thread (the extension host): give the event loop a turn at least this often,
   * in milliseconds. Without it, rows of chunks already read ahead are parsed in one stretch.
   */
  yieldEveryMs?: number;
  /** Rows (a CSV record, a TSV or JSONL line) larger than this many bytes are skipped as 'too large'. */
  maxRowBytes?: number;
}

/**
 * The default cap on one row: far above any real labeled text (SST-2 rows are under 300 bytes),
 * far below what would make tokenizing and classifying it take minutes and gigabytes.
 */
export const defaultMaxRowBytes = 1024 * 1024;

/** The columns, header and label mapping a user chose for a dataset file (Configure Columns…). */
export interface DatasetColumns extends SchemaOptions {
  /** Gold label -> model label. */
  labelMap?: Record<string, string>;
}
