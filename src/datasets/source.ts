// The bytes of a dataset file as a stream of chunks, with progress by bytes and cancellation.
import * as fs from 'node:fs';
import { ReadOptions } from './types';

const chunkBytes = 1 << 16;

export async function* fileChunks(path: string, options: ReadOptions = {}): AsyncGenerator<Buffer> {
  const totalBytes = (await fs.promises.stat(path)).size;
  const stream = fs.createReadStream(path, { highWaterMark: chunkBytes });
  let bytesRead = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      options.signal?.throwIfAborted();
      bytesRead += chunk.length;
      options.onProgress?.({ bytesRead, totalBytes });
      yield chunk;
    }
  } finally {
    stream.destroy();
  }
}

const utf8Bom = Buffer.from([0xef, 0xbb, 0xbf]);

export function startsWithBom(bytes: Buffer): boolean {
  return bytes.length >= 3 && bytes.subarray(0, 3).equals(utf8Bom);
}
