// Splits a byte stream into lines without decoding it, so that each line keeps its exact bytes
// (checked for invalid UTF-8 on their own) and its 1-based line number. Used for TSV and JSONL,
// where one line is one record.
import { startsWithBom } from './source';

export interface ByteLine {
  /** 1-based line number. */
  line: number;
  /** The line's bytes without the line break (\n or \r\n) and without a leading BOM. */
  bytes: Buffer;
}

const newline = 0x0a;
const carriageReturn = 0x0d;

export async function* splitLines(chunks: AsyncIterable<Buffer>): AsyncGenerator<ByteLine> {
  let pending: Buffer[] = [];
  let line = 0;
  const finish = (tail: Buffer): ByteLine => {
    let bytes = pending.length === 0 ? tail : Buffer.concat([...pending, tail]);
    pending = [];
    line++;
    if (line === 1 && startsWithBom(bytes)) bytes = bytes.subarray(3);
    if (bytes.length > 0 && bytes[bytes.length - 1] === carriageReturn) bytes = bytes.subarray(0, bytes.length - 1);
    return { line, bytes };
  };
  for await (const chunk of chunks) {
    let from = 0;
    for (let at = chunk.indexOf(newline, from); at !== -1; at = chunk.indexOf(newline, from)) {
      yield finish(chunk.subarray(from, at));
      from = at + 1;
    }
    if (from < chunk.length) pending.push(chunk.subarray(from));
  }
  if (pending.length > 0) yield finish(Buffer.alloc(0));
}
