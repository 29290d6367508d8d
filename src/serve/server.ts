// `textclf serve`: the engine behind an HTTP server on the Open Inference Protocol (KServe v2) and
// a text endpoint. node:http only. Safe defaults: loopback, a bearer token required off loopback,
// body and batch limits, graceful drain on close.
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { packageVersion } from '../classifier/packagePaths';
import type { ClassifierClient } from '../classifier/client';
import { physicalCores } from '../classifier/cores';
import type { EngineOptions } from '../classifier/types';
import { checkBrowserRequest } from './browser';
import { Cancellation } from './cancellation';
import { HttpError, unavailable } from './errors';
import { isLoopbackHost, sendError, sendJson, sendJsonWithBinary } from './http';
import { Routes } from './routes';
import type { ServedModel } from './servedModel';
import { attachWorkerModel, loadWorkerModel } from './workerModel';
import { errorMessage, errorStack } from '../classifier/errors';

export interface ServeOptions {
  /**
   * What to serve, each under its model name: a model directory (in a worker of its own), or a
   * client whose worker already has the model loaded (the editor's; left running on close).
   */
  models: (string | ClassifierClient)[];
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Bearer token every request but the health probes must carry; required off loopback. */
  token?: string;
  /** While the engine is busy, merge requests arriving within this many ms into one engine call. */
  batchDelayMs?: number;
  /** Rows in one engine call, and the largest batch a v2 infer request may send. */
  maxBatch?: number;
  /** false: every request is its own engine call. */
  dynamicBatching?: boolean;
  /** Engine calls per model running at once (each queues in the worker). */
  maxInFlight?: number;
  maxBodyBytes?: number;
  /** Texts in one /v1/classify request. */
  maxInputs?: number;
  /** Characters in one text of a request (413 above it). */
  maxTextChars?: number;
  /** Origins whose web pages may call the service ('*': any); requests from other origins get 403. */
  allowOrigins?: string[];
  /** How long close() waits for requests in flight before cutting connections. */
  drainTimeoutMs?: number;
  engine?: EngineOptions;
  /** Worker script, when not dist/worker.js (tests run from out/). */
  workerScript?: string;
  log?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  port: number;
  models: ServedModel[];
  /** Stops accepting, answers the requests in flight, then stops the workers. */
  close(): Promise<void>;
}

export const serveDefaults = {
  host: '127.0.0.1',
  port: 8000,
  /** Short: the next batch should reach the worker while the one before still runs. */
  batchDelayMs: 1,
  maxBatch: 64,
  maxInFlight: 2,
  maxBodyBytes: 10 * 1024 * 1024,
  maxInputs: 1024,
  /** A 1,000,000-character text takes seconds of CPU; a larger one is refused before it reaches the worker. */
  maxTextChars: 1_000_000,
  drainTimeoutMs: 30_000,
  /**
   * The most texts per onnxruntime run inside one engine call. A merged batch holds texts of all
   * lengths; the engine sorts them and cuts runs that pad little (a run of 32 mixed SST-2 sentences
   * pads to 3x the real tokens). Within the batcher's calls of 10-30 texts, 8 and 32 cost the same.
   */
  engineBatchSize: 8,
};

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const settings = { ...serveDefaults, ...withoutUndefined(options) };
  const log = options.log ?? (() => {});
  checkExposure(settings.host, options.token);
  if (options.models.length === 0) throw new Error('textclf serve needs at least one --model DIR');

  const models: ServedModel[] = [];
  try {
    for (const source of options.models) {
      const engine = servedEngineOptions(options.engine);
      const model =
        typeof source === 'string'
          ? await loadWorkerModel(source, { engine, workerScript: options.workerScript, log })
          : await attachWorkerModel(source);
      models.push(model);
      const clash = models.find((other) => other !== model && other.name === model.name);
      if (clash) throw new Error(`two models are named '${model.name}' (${clash.info.dir} and ${model.info.dir}); serve them from differently named directories`);
    }
  } catch (error) {
    await Promise.all(models.map((model) => model.dispose()));
    throw error;
  }

  const routes = new Routes(
    models,
    { maxBatch: settings.maxBatch, maxInputs: settings.maxInputs, maxBodyBytes: settings.maxBodyBytes, maxTextChars: settings.maxTextChars },
    { enabled: settings.dynamicBatching ?? true, delayMs: settings.batchDelayMs, maxInFlight: settings.maxInFlight },
    packageVersion(),
  );

  let draining = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;
  const expectedAuthorization = options.token ? Buffer.from(options.token) : undefined;
  const browserPolicy = { allowOrigins: options.allowOrigins ?? [] };
  // Without a token, a loopback server answers only requests addressed to a loopback name: a web
  // page whose domain is made to resolve to 127.0.0.1 (DNS rebinding) must not read the answers.
  const checkHostHeader = !expectedAuthorization && isLoopbackHost(settings.host);

  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- the handler catches every error and answers it, so it never rejects
  const server = http.createServer(async (request, response) => {
    inFlight++;
    // The response closing before it was sent means the client went away: cancel its work.
    const cancellation = new Cancellation();
    response.on('close', () => {
      if (!response.writableFinished) cancellation.abort(new Error('client disconnected'));
    });
    try {
      const pathname = (request.url ?? '/').split('?', 1)[0];
      if (draining) throw unavailable('the server is shutting down');
      const browser = checkBrowserRequest(request, browserPolicy);
      for (const [name, value] of Object.entries(browser.cors)) response.setHeader(name, value);
      if (browser.preflight) {
        response.writeHead(browser.preflight.status, browser.preflight.headers).end();
        return;
      }
      if (expectedAuthorization && !pathname.startsWith('/v2/health/')) checkToken(request, expectedAuthorization);
      if (checkHostHeader) checkLoopbackHostHeader(request);
      const reply = await routes.handle(request.method ?? 'GET', pathname, request, cancellation);
      const headers: Record<string, string> = draining ? { Connection: 'close' } : {};
      if (reply.binary) sendJsonWithBinary(response, reply.status, reply.body, reply.binary, headers);
      else sendJson(response, reply.status, reply.body, headers);
    } catch (error) {
      if (!cancellation.aborted) sendError(response, toHttpError(error, log));
    } finally {
      inFlight--;
      if (inFlight === 0) drained?.();
    }
  });
  server.keepAliveTimeout = 65_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (error: NodeJS.ErrnoException) => {
    await Promise.all(models.map((model) => model.dispose()));
    if (error.code === 'EADDRINUSE') throw new Error(`port ${settings.port} on ${settings.host} is in use; pick another with --port`);
    throw error;
  });

  const port = (server.address() as AddressInfo).port;
  const hostInUrl = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  const url = `http://${hostInUrl}:${port}`;
  log(`textclf serve: listening on ${url} (models: ${models.map((model) => model.name).join(', ')})`);

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      draining = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        log(`textclf serve: draining ${inFlight} request(s) in flight`);
        const allAnswered = new Promise<void>((resolve) => (drained = resolve));
        const deadline = new Promise<void>((resolve) => setTimeout(resolve, settings.drainTimeoutMs).unref());
        await Promise.race([allAnswered, deadline]);
      }
      server.closeAllConnections();
      await stopped;
      for (const line of routes.batchingSummary()) log(`textclf serve: ${line}`);
      await Promise.all(models.map((model) => model.dispose()));
      log('textclf serve: stopped');
    })());

  return { url, port, models, close };
}

/**
 * The engine options of a model served from its directory: runs of engineBatchSize texts, and one
 * inference thread fewer than the machine has cores, since the HTTP server needs one for its own
 * thread. On two cores one inference thread answers more requests than two: the second only takes
 * turns with the server, and waking it for every small batch costs CPU.
 */
export function servedEngineOptions(engine: EngineOptions = {}): EngineOptions {
  return { ...engine, batchSize: engine.batchSize ?? serveDefaults.engineBatchSize, threads: engine.threads ?? Math.max(1, physicalCores() - 1) };
}

/** Refuses to expose the service beyond this machine without a token. */
function checkExposure(host: string, token: string | undefined): void {
  if (token !== undefined && token.length < 8) throw new Error('--token must be at least 8 characters');
  if (!isLoopbackHost(host) && !token) {
    throw new Error(
      `refusing to listen on ${host} without a token: anyone who can reach this machine could use the service. ` +
        'Pass --token T (or set TEXTCLF_SERVE_TOKEN), or bind --host 127.0.0.1.',
    );
  }
}

/** The scheme is case-insensitive (RFC 7235); the token is compared in constant time. */
function checkToken(request: http.IncomingMessage, expected: Buffer): void {
  const credentials = /^bearer +(\S+) *$/i.exec(request.headers.authorization ?? '');
  const given = Buffer.from(credentials?.[1] ?? '');
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) {
    throw new HttpError(401, 'missing or wrong bearer token (send "Authorization: Bearer <token>")', {
      'WWW-Authenticate': 'Bearer realm="textclf"',
    });
  }
}

function checkLoopbackHostHeader(request: http.IncomingMessage): void {
  const host = request.headers.host ?? '';
  // host, host:port, [v6] or [v6]:port; anything after a bracketed address but a port is another name.
  const parts = /^(\[[^\]]*\]|[^:[\]]*)(?::\d*)?$/.exec(host);
  if (!parts || !isLoopbackHost(parts[1])) {
    throw new HttpError(403, `Host '${host}' is not this machine: a server on loopback without a token answers requests to localhost or 127.0.0.1 only`);
  }
}

function toHttpError(error: unknown, log: (line: string) => void): HttpError {
  if (error instanceof HttpError) return error;
  const message = errorMessage(error);
  const name = error instanceof Error ? error.name : '';
  if (name === 'WorkerRestartedError' || /worker (restarted|is not running|exited)|queue is full/i.test(message)) {
    return unavailable(message);
  }
  log(`textclf serve: internal error: ${errorStack(error)}`);
  return new HttpError(500, message);
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
