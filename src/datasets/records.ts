// Raw records of a dataset file, one per row, each with its starting line: fields for CSV/TSV,
// the parsed object for JSONL. A row that cannot be read carries the problem instead, so the
// caller can list it as skipped; blank lines are not rows.
import { isUtf8 } from 'node:buffer';
import { readCsvRecordBatches } from './csv';
import { splitLines } from './lines';
import { fileChunks } from './source';
import { DatasetFormat, defaultMaxRowBytes, ReadOptions } from './types';
import { errorMessage } from '../classifier/errors';

export interface RecordProblem {
  reason: 'malformed' | 'invalid UTF-8' | 'too large';
  detail: string;
}

export interface RawRecord {
  /** 1-based line where the record starts. */
  line: number;
  /** CSV and TSV. */
  fields?: string[];
  /** JSONL. */
  object?: Record<string, unknown>;
  problem?: RecordProblem;
}

export async function* readRecords(path: string, format: DatasetFormat, options: ReadOptions = {}): AsyncGenerator<RawRecord> {
  for await (const batch of readRecordBatches(path, format, options)) yield* batch;
}

/** The records in file order, in batches (CSV: those one chunk of the file completes; TSV, JSONL: one record each). */
export function readRecordBatches(path: string, format: DatasetFormat, options: ReadOptions = {}): AsyncGenerator<RawRecord[]> {
  switch (format) {
    case 'csv':
      return readCsvRecordBatches(fileChunks(path, options), ',', options.maxRowBytes);
    case 'tsv':
      return singles(readTsvRecords(path, options));
    case 'jsonl':
      return singles(readJsonlRecords(path, options));
  }
}

async function* singles(records: AsyncIterable<RawRecord>): AsyncGenerator<RawRecord[]> {
  for await (const record of records) yield [record];
}

export function tooLargeProblem(bytes: number, limit = defaultMaxRowBytes): RecordProblem {
  return { reason: 'too large', detail: `the row has ${bytes.toLocaleString('en-US')} bytes; rows of more than ${limit.toLocaleString('en-US')} bytes are skipped` };
}

export function invalidUtf8Detail(bytes: Buffer): string {
  const decoded = new TextDecoder('utf-8').decode(bytes);
  const column = decoded.indexOf('\uFFFD');
  return `invalid UTF-8 byte sequence${column >= 0 ? ` at column ${column + 1}` : ''}`;
}

/** TSV has no quoting (the GLUE/SST-2 and SMS Spam files): one line is one record, fields split on tabs. */
async function* readTsvRecords(path: string, options: ReadOptions): AsyncGenerator<RawRecord> {
  const limit = options.maxRowBytes ?? defaultMaxRowBytes;
  for await (const { line, bytes } of splitLines(fileChunks(path, options))) {
    if (isBlank(bytes)) continue;
    if (bytes.length > limit) {
      yield { line, problem: tooLargeProblem(bytes.length, limit) };
      continue;
    }
    if (!isUtf8(bytes)) {
      yield { line, problem: { reason: 'invalid UTF-8', detail: invalidUtf8Detail(bytes) } };
      continue;
    }
    yield { line, fields: bytes.toString('utf8').split('\t') };
  }
}

async function* readJsonlRecords(path: string, options: ReadOptions): AsyncGenerator<RawRecord> {
  const limit = options.maxRowBytes ?? defaultMaxRowBytes;
  for await (const { line, bytes } of splitLines(fileChunks(path, options))) {
    if (isBlank(bytes)) continue;
    if (bytes.length > limit) {
      yield { line, problem: tooLargeProblem(bytes.length, limit) };
      continue;
    }
    if (!isUtf8(bytes)) {
      yield { line, problem: { reason: 'invalid UTF-8', detail: invalidUtf8Detail(bytes) } };
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(bytes.toString('utf8'));
    } catch (error) {
      yield { line, problem: { reason: 'malformed', detail: `invalid JSON: ${errorMessage(error)}` } };
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      yield { line, problem: { reason: 'malformed', detail: 'expected a JSON object' } };
      continue;
    }
    yield { line, object: value as Record<string, unknown> };
  }
}

function isBlank(bytes: Buffer): boolean {
  for (const byte of bytes) if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) return false;
  return true;
}
