// Small node:http helpers: request bodies read under a size limit (JSON, or the Open Inference
// Protocol's JSON-plus-binary form), JSON and binary answers, loopback detection.
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as net from 'node:net';
import { badRequest, HttpError } from './errors';
import { errorMessage } from '../classifier/errors';

/** The binary tensor data extension: the body is this many bytes of JSON, then raw tensor bytes. */
export const inferenceHeaderLength = 'inference-header-content-length';

export function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const tooLarge = () =>
    new HttpError(413, `request body is larger than the limit of ${maxBytes} bytes (--max-body-bytes)`, { Connection: 'close' });
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(tooLarge());
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    request.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) {
        request.removeAllListeners('data');
        request.pause();
        reject(tooLarge());
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
    // A client that hangs up mid-body: 'end' never comes.
    request.on('close', () => {
      if (!request.complete) reject(new HttpError(400, 'the client closed the connection before sending the whole body'));
    });
  });
}

export function parseJson(bytes: Buffer): unknown {
  const text = bytes.toString('utf8');
  if (text.trim() === '') throw badRequest('the request body is empty; send a JSON object');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequest(`the request body is not valid JSON: ${errorMessage(error)}`);
  }
}

export async function readJsonBody(request: IncomingMessage, maxBytes: number): Promise<unknown> {
  return parseJson(await readBody(request, maxBytes));
}

/** A v2 infer body: the JSON part and, with the binary extension, the raw bytes after it. */
export async function readInferBody(request: IncomingMessage, maxBytes: number): Promise<{ json: unknown; binary?: Buffer }> {
  const body = await readBody(request, maxBytes);
  const header = request.headers[inferenceHeaderLength];
  if (header === undefined) return { json: parseJson(body) };
  const jsonLength = Number(header);
  if (!Number.isSafeInteger(jsonLength) || jsonLength < 0 || jsonLength > body.length) {
    throw badRequest(`${inferenceHeaderLength} is ${JSON.stringify(header)}; it must be the JSON part's length, at most the body's ${body.length} bytes`);
  }
  return { json: parseJson(body.subarray(0, jsonLength)), binary: body.subarray(jsonLength) };
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (response.headersSent || response.destroyed) return;
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(payload),
    ...headers,
  });
  response.end(payload);
}

/** JSON followed by raw tensor bytes, as the binary tensor data extension answers. */
export function sendJsonWithBinary(response: ServerResponse, status: number, body: unknown, binary: Buffer[], headers: Record<string, string> = {}): void {
  if (response.headersSent || response.destroyed) return;
  const json = Buffer.from(JSON.stringify(body));
  const payload = Buffer.concat([json, ...binary]);
  response.writeHead(status, {
    'Content-Type': 'application/octet-stream',
    'Content-Length': payload.length,
    'Inference-Header-Content-Length': json.length,
    ...headers,
  });
  response.end(payload);
}

export function sendError(response: ServerResponse, error: HttpError): void {
  sendJson(response, error.status, { error: error.message }, error.headers);
}

/** 127.0.0.0/8, ::1, ::ffff:127.x and the name localhost. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost') return true;
  if (net.isIPv4(bare)) return bare.startsWith('127.');
  if (net.isIPv6(bare)) return bare === '::1' || /^::ffff:127\./i.test(bare);
  return false;
}
