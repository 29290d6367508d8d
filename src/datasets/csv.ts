// CSV records through csv-parse (quoted multi-line fields, BOM), each with the line it starts on
// and a check of its own bytes for invalid UTF-8. csv-parse reports where each record ends (in
// bytes); the chunks read since the previous record are kept until then, so the record's bytes
// give its line breaks and its encoding check. Records come out in batches, those completed by one
// chunk of the file: an async step per record cost more than parsing it (CPU, and garbage that
// made every collection of a busy worker slower).
import { isUtf8 } from 'node:buffer';
import { CsvError, Info, parse } from 'csv-parse';
import type { RawRecord } from './records';
import { invalidUtf8Detail, tooLargeProblem } from './records';
import { startsWithBom } from './source';
import { defaultMaxRowBytes } from './types';

interface ParsedRecord {
  record: string[];
  info: Info & { error?: CsvError };
}

export async function* readCsvRecordBatches(chunks: AsyncIterable<Buffer>, delimiter = ',', maxRowBytes = defaultMaxRowBytes): AsyncGenerator<RawRecord[]> {
  const window = new ByteWindow();
  // With relaxed quotes and column counts the only error left is a quote still open at the end of
  // the file; it swallows the rest of the file and is reported after the last record.
  const unreadable: CsvError[] = [];
  const parser = parse({
    delimiter,
    bom: true,
    info: true,
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (error) => {
      if (error) unreadable.push(error);
      return undefined;
    },
  });
  let failure: Error | undefined;
  parser.on('error', (error) => (failure ??= error));

  let end = 0;
  let linesBefore = 0;
  const take = (to: number) => {
    const bytes = window.slice(end, to);
    const leading = leadingLineBreaks(bytes, end === 0);
    const line = linesBefore + leading.lines + 1;
    linesBefore += countLineBreaks(bytes);
    end = to;
    window.release(end);
    return { line, bytes: bytes.subarray(leading.bytes) };
  };
  const toRecord = ({ record, info }: ParsedRecord): RawRecord | undefined => {
    const { line, bytes } = take(info.bytes);
    if (bytes.length > maxRowBytes) return { line, problem: tooLargeProblem(bytes.length, maxRowBytes) };
    if (record.every((field) => field.trim() === '')) return undefined;
    if (!isUtf8(bytes)) return { line, problem: { reason: 'invalid UTF-8', detail: invalidUtf8Detail(bytes) } };
    if (info.error) return { line, fields: record, problem: { reason: 'malformed', detail: fieldCountDetail(info.error) } };
    return { line, fields: record };
  };
  /** The records parsed so far and not yet taken. */
  const drain = (): RawRecord[] => {
    if (failure) throw failure;
    const batch: RawRecord[] = [];
    for (let parsed: ParsedRecord | null; (parsed = parser.read() as ParsedRecord | null) !== null; ) {
      const record = toRecord(parsed);
      if (record) batch.push(record);
    }
    return batch;
  };

  try {
    for await (const chunk of chunks) {
      window.append(chunk);
      parser.write(chunk);
      const batch = drain();
      if (batch.length > 0) yield batch;
    }
    parser.end();
    const rest: RawRecord[] = [];
    for await (const parsed of parser as AsyncIterable<ParsedRecord>) {
      const record = toRecord(parsed);
      if (record) rest.push(record);
    }
    if (failure) throw failure;
    for (const error of unreadable) rest.push({ line: take(window.end).line, problem: { reason: 'malformed', detail: unreadableDetail(error) } });
    if (rest.length > 0) yield rest;
  } finally {
    parser.destroy();
  }
}

function fieldCountDetail(error: CsvError): string {
  const counts = /expect (\d+), got (\d+)/.exec(error.message);
  return counts ? `expected ${counts[1]} fields, found ${counts[2]}` : error.message;
}

function unreadableDetail(error: CsvError): string {
  return error.code === 'CSV_QUOTE_NOT_CLOSED' ? `a quote opened in this row is never closed; the rest of the file (to line ${error.lines}) is part of it` : error.message;
}

/** Blank lines (skipped by the parser) and the BOM before a record. */
function leadingLineBreaks(bytes: Buffer, atFileStart: boolean): { bytes: number; lines: number } {
  let at = atFileStart && startsWithBom(bytes) ? 3 : 0;
  let lines = 0;
  while (at < bytes.length && (bytes[at] === 0x0a || bytes[at] === 0x0d)) {
    if (bytes[at] === 0x0a || bytes[at + 1] !== 0x0a) lines++;
    at++;
  }
  return { bytes: at, lines };
}

/** \n, \r\n and a lone \r each end a line. */
function countLineBreaks(bytes: Buffer): number {
  let lines = 0;
  for (let at = 0; at < bytes.length; at++) {
    if (bytes[at] === 0x0a || (bytes[at] === 0x0d && bytes[at + 1] !== 0x0a)) lines++;
  }
  return lines;
}

/** The file's bytes from the last record's end onwards, as read so far. */
class ByteWindow {
  private chunks: { start: number; bytes: Buffer }[] = [];
  end = 0;

  append(bytes: Buffer): void {
    this.chunks.push({ start: this.end, bytes });
    this.end += bytes.length;
  }

  slice(from: number, to: number): Buffer {
    const parts: Buffer[] = [];
    for (const { start, bytes } of this.chunks) {
      const chunkEnd = start + bytes.length;
      if (chunkEnd <= from || start >= to) continue;
      parts.push(bytes.subarray(Math.max(from - start, 0), Math.min(to, chunkEnd) - start));
    }
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  }

  release(before: number): void {
    while (this.chunks.length > 0 && this.chunks[0].start + this.chunks[0].bytes.length <= before) this.chunks.shift();
  }
}
