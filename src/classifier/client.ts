// The host side of the worker process: forks it, sends requests of protocol.ts, and supervises it.
// A worker that dies is restarted with backoff; the requests it held fail with WorkerRestartedError,
// the last model is loaded again, and requests made meanwhile wait and then run on the new worker.
import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import type { EvaluationProgress } from '../datasets/evaluate';
import type { EvaluationJobParams, EvaluationJobResult } from '../evaluation/types';
import type { HostMessage, Method, Params, Result, WireError, WorkerMessage, WorkerStatus } from './protocol';
import { unpackScore, unpackScores } from './scores';
import { unpackExplanation, type Explanation } from './explanation';
import { checkDocument, checkTexts, type Classifier, type Explainer } from './classifier';
import type { Classification, ClassifiedSegment, EngineOptions, ModelCheck, ModelInfo, ModelSignature, ModelVariant, RawTensor, Unit } from './types';

/** Document units the host unpacks between two turns of its event loop. */
const UNPACK_SLICE = 1000;
/** Explained words the host unpacks between two turns of its event loop. */
const UNPACK_WORDS_SLICE = 10_000;

export class WorkerRestartedError extends Error {
  constructor(readonly reason: string) {
    super(`Text Classifier worker restarted: ${reason}`);
    this.name = 'WorkerRestartedError';
  }
}

export class RequestCancelledError extends Error {
  constructor(what: string) {
    super(`Text Classifier request cancelled: ${what}`);
    this.name = 'RequestCancelledError';
  }
}

export class RequestTimeoutError extends Error {
  constructor(what: string, timeoutMs: number) {
    super(`Text Classifier request timed out after ${timeoutMs} ms: ${what}`);
    this.name = 'RequestTimeoutError';
  }
}

export class QueueFullError extends Error {
  constructor(limit: number) {
    super(`Text Classifier queue is full (${limit} requests waiting); try again when some have finished`);
    this.name = 'QueueFullError';
  }
}

/** An error the worker reported (a BundleError keeps the file it names). */
export class WorkerError extends Error {
  readonly file?: string;
  constructor(wire: WireError) {
    super(wire.message);
    this.name = wire.name;
    this.file = wire.file;
  }
}

export interface ClientOptions {
  /** The bundled worker; default: worker.js beside the running bundle (dist/), or dist/worker.js from out/. */
  workerScript?: string;
  /** Per request, from when it is made; default 5 minutes. */
  requestTimeoutMs?: number;
  /** Requests waiting or running at once; one more is refused with QueueFullError. Default 64. */
  maxQueue?: number;
  log?: (line: string) => void;
  /** First restart delay; doubles while the worker keeps dying without finishing a request. */
  restartDelayMs?: number;
  maxRestartDelayMs?: number;
  /** Extra environment variables for the worker (on top of this process's). */
  env?: Record<string, string>;
}

export interface RequestOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, evaluation?: EvaluationProgress) => void;
  /** Overrides the client's request timeout; 0: none. */
  timeoutMs?: number;
}

export type ClientStatus = WorkerStatus & { queue: number; restarts: number };

interface Pending {
  id: number;
  message: HostMessage;
  what: string;
  sent: boolean;
  /** Internal requests (the reload after a restart) do not count against the queue bound. */
  internal: boolean;
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
  onProgress?: (done: number, total: number, evaluation?: EvaluationProgress) => void;
  cleanup: () => void;
}

const DEFAULT_TIMEOUT_MS = 5 * 60_000;
const DEFAULT_MAX_QUEUE = 64;
/**
 * A worker that does not answer a cancelled request within this time is presumed stuck (in a native
 * call) and killed. The engine stops between batches; one batch of a large model can take seconds.
 */
const CANCEL_GRACE_MS = 30_000;
/** Worker deaths before it ever got ready, in a row, after which requests fail instead of waiting. */
const MAX_FAILED_STARTS = 3;

export class ClassifierClient implements Classifier, Explainer {
  private readonly workerScript: string;
  private readonly timeoutMs: number;
  private readonly maxQueue: number;
  private readonly log: (line: string) => void;
  private readonly restartDelayMs: number;
  private readonly maxRestartDelayMs: number;
  private readonly workerEnv: Record<string, string>;

  private worker: ChildProcess | undefined;
  private ready = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private disposed = false;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly stuckTimers = new Map<number, NodeJS.Timeout>();
  private lastModel: { modelDir: string; options?: EngineOptions; info: ModelInfo } | undefined;
  private readonly restartListeners = new Set<(reason: string) => void>();
  private crashesWithoutSuccess = 0;
  private failedStarts = 0;
  private restarts = 0;
  private stderrTail: string[] = [];

  constructor(options: ClientOptions = {}) {
    this.workerScript = options.workerScript ?? defaultWorkerScript();
    this.timeoutMs = options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxQueue = options.maxQueue ?? DEFAULT_MAX_QUEUE;
    this.log = options.log ?? (() => undefined);
    this.restartDelayMs = options.restartDelayMs ?? 200;
    this.maxRestartDelayMs = options.maxRestartDelayMs ?? 30_000;
    this.workerEnv = options.env ?? {};
  }

  /** Worker pid, for tests that kill it. */
  get pid(): number | undefined {
    return this.worker?.pid;
  }

  async loadModel(modelDir: string, options?: EngineOptions): Promise<ModelInfo> {
    const absolute = path.resolve(modelDir);
    const model = await this.request('load', { modelDir: absolute, options }, `load ${absolute}`);
    this.lastModel = { modelDir: absolute, options, info: model };
    return model;
  }

  /** The model loadModel last loaded (the worker keeps it when a later load fails). */
  get info(): ModelInfo {
    if (!this.lastModel) throw new Error('Text Classifier client: no model loaded (call loadModel first)');
    return this.lastModel.info;
  }

  get labels(): readonly string[] {
    return this.info.labels;
  }

  async classify(texts: string[], opts: RequestOptions & { topK?: number } = {}): Promise<Classification[]> {
    checkTexts(texts);
    if (texts.length === 0) return [];
    const packed = await this.request('classify', { texts }, `classify ${texts.length} texts`, opts);
    return unpackScores(packed, opts.topK);
  }

  /** `prose`: a Markdown document of which only the prose is classified (segment.ts SegmentOptions). */
  async classifyDocument(text: string, unit: Unit, opts: RequestOptions & { topK?: number; prose?: boolean } = {}): Promise<ClassifiedSegment[]> {
    checkDocument(text, unit);
    const packed = await this.request('classifyDocument', { text, unit, ...(opts.prose ? { prose: true } : {}) }, `classify a document by ${unit}`, opts);
    // A slice at a time, letting the event loop turn in between: the extension host runs this, and a
    // 1 MB document has ten thousand units.
    const segments: ClassifiedSegment[] = new Array(packed.starts.length);
    for (let from = 0; from < segments.length; from += UNPACK_SLICE) {
      if (from > 0) await new Promise((resolve) => setImmediate(resolve));
      for (let i = from; i < Math.min(from + UNPACK_SLICE, segments.length); i++) {
        const start = packed.starts[i];
        const end = packed.ends[i];
        const { labels, windows, tokens } = unpackScore(packed.results, i, opts.topK);
        segments[i] = { start, end, text: text.slice(start, end), labels, windows, tokens };
      }
    }
    return segments;
  }

  /**
   * Why each text got its scores: per-word contributions to every label (contributionsTo and
   * topContributions in explanation.ts pick one label's); labels, windows and tokens are classify's.
   */
  async explain(texts: string[], opts: RequestOptions = {}): Promise<Explanation[]> {
    checkTexts(texts);
    if (texts.length === 0) return [];
    const packed = await this.request('explain', { texts }, `explain ${texts.length} texts`, opts);
    // Unpacked a slice of words at a time, letting the event loop turn in between (the extension host runs this).
    const explanations: Explanation[] = new Array(texts.length);
    let unpackedSinceTurn = 0;
    for (let i = 0; i < texts.length; i++) {
      if (unpackedSinceTurn >= UNPACK_WORDS_SLICE) {
        await new Promise((resolve) => setImmediate(resolve));
        unpackedSinceTurn = 0;
      }
      explanations[i] = unpackExplanation(packed, i, texts[i]);
      unpackedSinceTurn += explanations[i].words.length;
    }
    return explanations;
  }

  /** Raw run of the loaded graph (serve's v2 infer): int64 feeds by input name -> float outputs by name. */
  infer(feeds: Record<string, RawTensor<BigInt64Array>>, outputNames?: string[], opts: RequestOptions = {}): Promise<Record<string, RawTensor<Float32Array>>> {
    const rows = Object.values(feeds)[0]?.dims[0] ?? 0;
    return this.request('infer', { feeds, outputNames }, `infer a batch of ${rows}`, opts);
  }

  /**
   * Runs the loaded model over a labeled dataset in the worker; every prediction goes to
   * `params.predictionsFile`. No timeout: a large dataset takes as long as it takes; cancel with the signal.
   */
  evaluate(params: EvaluationJobParams, opts: { signal?: AbortSignal; onProgress?: (progress: EvaluationProgress) => void } = {}): Promise<EvaluationJobResult> {
    const onProgress = opts.onProgress && ((_done: number, _total: number, progress?: EvaluationProgress) => progress && opts.onProgress!(progress));
    return this.request('evaluate', params, `evaluate ${params.datasetPath}`, { signal: opts.signal, onProgress, timeoutMs: 0 });
  }

  /** What a model directory holds and whether the engine runs it, checked in the worker (it loads the graph once). */
  checkModel(modelDir: string, variant?: ModelVariant, opts: RequestOptions = {}): Promise<ModelCheck> {
    return this.request('checkModel', { modelDir, variant }, `check ${modelDir}`, opts);
  }

  /** The loaded graph's inputs and outputs. */
  signature(): Promise<ModelSignature> {
    return this.request('signature', {}, 'signature');
  }

  async status(): Promise<ClientStatus> {
    const status = await this.request('status', {}, 'status');
    return { ...status, queue: this.countQueued(), restarts: this.restarts };
  }

  /** Fires when the worker died and was restarted; its in-flight requests were rejected with WorkerRestartedError. */
  onRestart(listener: (reason: string) => void): { dispose(): void } {
    this.restartListeners.add(listener);
    return { dispose: () => this.restartListeners.delete(listener) };
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.restartTimer);
    for (const timer of this.stuckTimers.values()) clearTimeout(timer);
    for (const pending of [...this.pending.values()]) this.settle(pending, () => pending.reject(new Error('Text Classifier client disposed')));
    const worker = this.worker;
    this.worker = undefined;
    if (!worker || worker.exitCode !== null || worker.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    if (worker.connected) worker.send({ type: 'shutdown', id: 0 } satisfies HostMessage);
    const killTimer = setTimeout(() => worker.kill('SIGKILL'), 2_000);
    await exited;
    clearTimeout(killTimer);
  }

  private countQueued(): number {
    let count = 0;
    for (const pending of this.pending.values()) if (!pending.internal) count++;
    return count;
  }

  private request<M extends Method>(method: M, params: Params<M>, what: string, opts: RequestOptions = {}, internal = false): Promise<Result<M>> {
    if (this.disposed) return Promise.reject(new Error('Text Classifier client disposed'));
    if (opts.signal?.aborted) return Promise.reject(new RequestCancelledError(what));
    if (!internal && this.countQueued() >= this.maxQueue) return Promise.reject(new QueueFullError(this.maxQueue));
    const id = this.nextId++;
    const message = { type: method, id, progress: opts.onProgress !== undefined, ...params } as HostMessage;
    return new Promise<Result<M>>((resolve, reject) => {
      const onAbort = () => this.abandon(id, new RequestCancelledError(what));
      const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
      const timer = timeoutMs > 0 ? setTimeout(() => this.abandon(id, new RequestTimeoutError(what, timeoutMs)), timeoutMs) : undefined;
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const pending: Pending = {
        id,
        message,
        what,
        sent: false,
        internal,
        resolve: resolve as (result: unknown) => void,
        reject,
        onProgress: opts.onProgress,
        cleanup: () => {
          clearTimeout(timer);
          opts.signal?.removeEventListener('abort', onAbort);
        },
      };
      this.pending.set(id, pending);
      this.ensureWorker();
      if (this.ready) this.transmit(pending);
    });
  }

  /** Gives up on a request (cancelled or timed out) and tells the worker; a worker that ignores that is stuck. */
  private abandon(id: number, error: Error): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.settle(pending, () => pending.reject(error));
    if (!pending.sent || !this.worker?.connected) return;
    const worker = this.worker;
    worker.send({ type: 'cancel', id } satisfies HostMessage);
    this.stuckTimers.set(
      id,
      setTimeout(() => {
        this.stuckTimers.delete(id);
        if (this.worker === worker) {
          this.log(`worker did not stop "${pending.what}" within ${CANCEL_GRACE_MS} ms of its cancellation; killing it`);
          worker.kill('SIGKILL');
        }
      }, CANCEL_GRACE_MS),
    );
  }

  private settle(pending: Pending, finish: () => void): void {
    if (!this.pending.delete(pending.id)) return;
    pending.cleanup();
    finish();
  }

  private transmit(pending: Pending): void {
    pending.sent = true;
    this.worker!.send(pending.message);
  }

  private ensureWorker(): void {
    if (this.worker || this.restartTimer || this.disposed) return;
    if (!fs.existsSync(this.workerScript)) {
      const error = new Error(`Text Classifier worker script not found: ${this.workerScript} (build it with "npm run build")`);
      for (const pending of [...this.pending.values()]) this.settle(pending, () => pending.reject(error));
      return;
    }
    this.stderrTail = [];
    const worker = fork(this.workerScript, [], {
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // A young generation of at most 3 × 4 MB: tokenizing thousands of texts a second otherwise grows
      // it to V8's 3 × 16 MB, for no measurable speed (peak RSS 262 -> 240 MB on the bench sentences).
      // --expose-gc: the worker collects at once after a huge input (worker.ts releaseMemoryAfter).
      execArgv: ['--max-semi-space-size=4', '--expose-gc'],
      // Inside VS Code process.execPath is Electron; this makes it behave as plain Node.
      env: { ...process.env, ...this.workerEnv, ELECTRON_RUN_AS_NODE: '1' },
    });
    this.worker = worker;
    this.ready = false;
    if (worker.stdout) readline.createInterface({ input: worker.stdout }).on('line', (line) => this.logLine(line, false));
    if (worker.stderr) readline.createInterface({ input: worker.stderr }).on('line', (line) => this.logLine(line, true));
    worker.on('message', (message: WorkerMessage) => this.onMessage(worker, message));
    worker.on('error', (error) => {
      this.log(`worker process error: ${error.message}`);
      // A worker that could not be spawned at all never emits 'exit'.
      if (worker.pid === undefined) this.onExit(worker, `could not start (${error.message})`);
    });
    worker.on('exit', (code, signal) => this.onExit(worker, signal ? `killed by ${signal}` : `exited with code ${code}`));
  }

  private logLine(line: string, isStderr: boolean): void {
    if (line.trim() === '') return;
    this.log(`worker: ${line}`);
    if (isStderr) this.stderrTail = [...this.stderrTail.slice(-4), line];
  }

  private onMessage(worker: ChildProcess, message: WorkerMessage): void {
    if (worker !== this.worker) return;
    switch (message.type) {
      case 'ready':
        this.onReady(message.pid);
        return;
      case 'log':
        this.log(message.message);
        return;
      case 'progress':
        this.pending.get(message.id)?.onProgress?.(message.done, message.total, message.evaluation);
        return;
      case 'result':
      case 'error': {
        clearTimeout(this.stuckTimers.get(message.id));
        this.stuckTimers.delete(message.id);
        const pending = this.pending.get(message.id);
        if (!pending) return;
        if (message.type === 'result') {
          this.crashesWithoutSuccess = 0;
          this.settle(pending, () => pending.resolve(message.result));
        } else {
          this.settle(pending, () => pending.reject(new WorkerError(message.error)));
        }
      }
    }
  }

  private onReady(pid: number): void {
    this.ready = true;
    this.failedStarts = 0;
    this.log(`worker ${pid} ready`);
    if (this.lastModel && this.restarts > 0) {
      const { modelDir, options } = this.lastModel;
      this.request('load', { modelDir, options }, `reload ${modelDir}`, {}, true).then(
        () => this.log(`reloaded ${modelDir} after the restart`),
        (error: Error) => this.log(`could not reload ${modelDir} after the restart: ${error.message}`),
      );
    }
    // Requests made while the worker was starting, in order, after the reload just sent.
    for (const pending of this.pending.values()) if (!pending.sent) this.transmit(pending);
  }

  private onExit(worker: ChildProcess, how: string): void {
    if (worker !== this.worker) return;
    const wasReady = this.ready;
    this.worker = undefined;
    this.ready = false;
    if (this.disposed) return;
    const detail = this.stderrTail.length > 0 ? `; last output: ${this.stderrTail.join(' | ')}` : '';
    const reason = how + detail;
    const error = new WorkerRestartedError(reason);
    for (const pending of [...this.pending.values()]) {
      if (pending.sent) this.settle(pending, () => pending.reject(error));
    }
    for (const timer of this.stuckTimers.values()) clearTimeout(timer);
    this.stuckTimers.clear();
    this.failedStarts = wasReady ? 0 : this.failedStarts + 1;
    if (this.failedStarts >= MAX_FAILED_STARTS) {
      // A worker that cannot even start will not start next time either: fail what waits, stop trying.
      this.log(`worker failed to start ${this.failedStarts} times in a row (${reason}); not restarting until the next request`);
      const startError = new Error(`Text Classifier worker cannot start: ${reason}`);
      for (const pending of [...this.pending.values()]) this.settle(pending, () => pending.reject(startError));
      this.failedStarts = 0;
      return;
    }
    this.restarts++;
    const delay = Math.min(this.restartDelayMs * 2 ** this.crashesWithoutSuccess, this.maxRestartDelayMs);
    this.crashesWithoutSuccess++;
    this.log(`worker ${reason}; restarting in ${delay} ms`);
    for (const listener of this.restartListeners) listener(reason);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      this.ensureWorker();
    }, delay);
  }
}

/** worker.js beside the running bundle (dist/cli.js, dist/extension.js), or dist/worker.js from compiled out/. */
function defaultWorkerScript(): string {
  const beside = path.join(__dirname, 'worker.js');
  if (path.basename(__dirname) === 'dist' && fs.existsSync(beside)) return beside;
  for (let dir = __dirname; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'dist', 'worker.js');
    if (fs.existsSync(candidate)) return candidate;
  }
  return beside;
}
