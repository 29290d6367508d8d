// The worker process (forked by client.ts): owns one Engine and answers the requests of
// protocol.ts. Jobs on the loaded model run side by side, a model load alone (jobs.ts); status and
// cancel are answered between inference batches, since every batch yields to the event loop.
import * as fs from 'node:fs';
import type { EvaluationProgress } from '../datasets/evaluate';
import { runEvaluationJob } from './evaluationJob';
import { BundleError } from './bundle';
import { Engine } from './engine';
import { checkModel } from './inspect';
import type { Method, Request, Result, WireError, WorkerMessage, WorkerStatus } from '../classifier/protocol';
import { EXCLUSIVE_METHODS, IMMEDIATE_METHODS } from '../classifier/protocol';
import { JobQueue } from './jobs';
import { checkHostMessage } from './messageCheck';

/** Progress messages are rate-limited: the host only needs enough to move a progress bar. */
const PROGRESS_INTERVAL_MS = 100;

let engine: Engine | undefined;
const controllers = new Map<number, AbortController>();
const jobs = new JobQueue();

function send(message: WorkerMessage): void {
  process.send?.(message);
}

function wireError(error: unknown): WireError {
  if (error instanceof BundleError) return { name: error.name, message: error.message, file: error.file };
  if (error instanceof Error) {
    const name = error.name === 'AbortError' ? 'RequestCancelledError' : error.name;
    return { name, message: name === 'RequestCancelledError' ? 'request cancelled' : error.message };
  }
  return { name: 'Error', message: String(error) };
}

function requireEngine(): Engine {
  if (!engine) throw new Error('no model loaded (load a model directory first)');
  return engine;
}

function progressReporter(request: Request): ((done: number, total: number) => void) | undefined {
  if (!request.progress) return undefined;
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (done < total && now - last < PROGRESS_INTERVAL_MS) return;
    last = now;
    send({ type: 'progress', id: request.id, done, total });
  };
}

/** Rate-limited like progressReporter; the message carries the runner's rows, rows/s and bytes. */
function evaluationProgressReporter(request: Request): ((progress: EvaluationProgress) => void) | undefined {
  if (!request.progress) return undefined;
  let last = 0;
  return (progress) => {
    const now = Date.now();
    if (now - last < PROGRESS_INTERVAL_MS) return;
    last = now;
    send({ type: 'progress', id: request.id, done: progress.bytesRead, total: progress.totalBytes, evaluation: progress });
  };
}

async function perform(request: Request, signal: AbortSignal): Promise<Result<Method>> {
  const onProgress = progressReporter(request);
  switch (request.type) {
    case 'load': {
      const previous = engine;
      const loaded = await Engine.load(request.modelDir, request.options, previous);
      engine = loaded;
      await previous?.dispose();
      const { executionProvider, providerFallbacks, threads } = loaded.status();
      for (const fallback of providerFallbacks) send({ type: 'log', message: `execution provider ${fallback.provider} not used: ${fallback.reason}` });
      send({ type: 'log', message: `loaded ${loaded.model.onnxFile} on ${executionProvider ? `${executionProvider} with ${threads} threads` : `remote server ${request.options?.remote?.url}`}` });
      return loaded.model;
    }
    case 'classify':
      return requireEngine().classifyPacked(request.texts, { signal, onProgress });
    case 'explain':
      return requireEngine().explainPacked(request.texts, { signal, onProgress });
    case 'classifyDocument':
      return requireEngine().classifyDocumentPacked(request.text, request.unit, { signal, onProgress, prose: request.prose });
    case 'infer':
      return requireEngine().run(request.feeds, request.outputNames);
    case 'signature':
      return requireEngine().signature;
    case 'evaluate': {
      const evaluating = requireEngine();
      return runEvaluationJob(request, evaluating.model.labels, (texts, jobSignal, onTexts) => evaluating.classify(texts, { signal: jobSignal, onProgress: onTexts }), {
        signal,
        onProgress: evaluationProgressReporter(request),
      });
    }
    case 'checkModel':
      return checkModel(request.modelDir, { variant: request.variant });
    case 'status':
      return status();
    case 'shutdown':
      setImmediate(() => void shutdown());
      return null;
  }
}

/**
 * The worker's own highest RSS. On Linux getrusage's maxRSS (process.resourceUsage) includes the parent's
 * RSS at the fork: a worker of 128 MB forked from an 850 MB process reported 807 MB. /proc/self/status
 * VmHWM counts this process's memory only. Elsewhere, maxRSS.
 */
function peakRssBytes(): number {
  try {
    const kilobytes = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (kilobytes) return Number(kilobytes[1]) * 1024;
  } catch {
    // no /proc: not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}

function status(): WorkerStatus {
  const memory = process.memoryUsage();
  const engineStatus = engine?.status() ?? {
    model: null,
    executionProvider: null,
    providerFallbacks: [],
    threads: 0,
    cache: { size: 0, capacity: 0, hits: 0, misses: 0 },
  };
  return {
    ...engineStatus,
    pid: process.pid,
    rssBytes: memory.rss,
    peakRssBytes: peakRssBytes(),
    heapUsedBytes: memory.heapUsed,
    workerQueue: jobs.size,
  };
}

async function answer(request: Request, controller: AbortController): Promise<void> {
  try {
    const result = await perform(request, controller.signal);
    send({ type: 'result', id: request.id, result });
  } catch (error) {
    send({ type: 'error', id: request.id, error: wireError(error) });
  } finally {
    controllers.delete(request.id);
    releaseMemoryAfter(request);
  }
}

/** Characters of input after which the worker collects garbage at once (client.ts starts it with --expose-gc). */
const LARGE_INPUT_CHARS = 100_000;

/**
 * A huge text leaves V8's heap grown by its tokens, windows and scores; without a full collection the
 * worker would keep holding that memory until some later request happened to trigger one.
 */
function releaseMemoryAfter(request: Request): void {
  const chars = request.type === 'classify' ? request.texts.reduce((sum, text) => sum + text.length, 0) : request.type === 'classifyDocument' ? request.text.length : 0;
  const collect = (globalThis as { gc?: () => void }).gc;
  if (chars >= LARGE_INPUT_CHARS && collect) setImmediate(collect);
}

function onMessage(received: unknown): void {
  const checked = checkHostMessage(received);
  if ('problem' in checked) {
    if (checked.id !== undefined) send({ type: 'error', id: checked.id, error: { name: 'ProtocolError', message: `malformed request: ${checked.problem}` } });
    else send({ type: 'log', message: `ignored a malformed message: ${checked.problem}` });
    return;
  }
  const message = checked.ok;
  if (message.type === 'cancel') {
    const controller = controllers.get(message.id);
    if (!controller) return;
    controller.abort();
    // A job still waiting (behind a model load) is answered at once, not when its turn comes.
    if (jobs.remove(message.id)) {
      controllers.delete(message.id);
      send({ type: 'error', id: message.id, error: wireError(controller.signal.reason) });
    }
    return;
  }
  const request = message;
  const controller = new AbortController();
  controllers.set(request.id, controller);
  if (IMMEDIATE_METHODS.has(request.type)) {
    void answer(request, controller);
    return;
  }
  jobs.add({ id: request.id, exclusive: EXCLUSIVE_METHODS.has(request.type), run: () => answer(request, controller) });
}

async function shutdown(): Promise<void> {
  for (const controller of controllers.values()) controller.abort();
  await engine?.dispose().catch(() => undefined);
  process.exit(0);
}

process.on('message', onMessage);
// Without its host the worker has nobody to answer: leave instead of lingering as an orphan.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready', pid: process.pid });
