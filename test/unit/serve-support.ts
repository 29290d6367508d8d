// HTTP helpers for the serve tests: plain node:http requests (fetch would hide what the server
// sends on the wire, e.g. a connection it closes), and the bundled model's tokenizer.
import * as http from 'node:http';
import * as path from 'node:path';
import { Tokenizer } from 'tokenizers';

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  bytes: Buffer;
  text: string;
  json: any;
}

export function request(
  url: string,
  method: string,
  pathname: string,
  options: {
    body?: unknown;
    raw?: string | Buffer;
    token?: string;
    headers?: Record<string, string>;
    agent?: http.Agent;
    /** Called once the whole request has been handed to the operating system. */
    onSent?: () => void;
  } = {},
): Promise<HttpAnswer> {
  const payload = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  return new Promise((resolve, reject) => {
    const req = http.request(
      new URL(pathname, url),
      {
        method,
        agent: options.agent,
        headers: {
          ...(payload !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {}),
          ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const bytes = Buffer.concat(chunks);
          const text = bytes.toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes, text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (options.onSent) req.on('finish', options.onSent);
    req.end(payload);
  });
}

/** The model's own tokenizer.json through the native `tokenizers` binding: text -> token ids. */
export function tokenizerOf(modelDir: string): (text: string) => Promise<number[]> {
  const tokenizer = Tokenizer.fromFile(path.join(modelDir, 'tokenizer.json'));
  tokenizer.disablePadding();
  tokenizer.disableTruncation();
  return async (text) => (await tokenizer.encode(text)).getIds();
}

/** Token ids of each text, right-padded with 0 to the longest, as [batch, sequence] int64 tensors. */
export async function tensorsFor(encode: (text: string) => Promise<number[]>, texts: string[]) {
  const rows = await Promise.all(texts.map((text) => encode(text)));
  const width = Math.max(...rows.map((ids) => ids.length));
  const ids = rows.map((row) => [...row, ...new Array(width - row.length).fill(0)]);
  const mask = rows.map((row) => [...row.map(() => 1), ...new Array(width - row.length).fill(0)]);
  return { shape: [texts.length, width], ids, mask };
}
