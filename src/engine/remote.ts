// The remote backend: the engine's graph runs on an Open Inference Protocol (KServe v2) server —
// Triton, KServe, or `textclf serve` — instead of a local onnxruntime session. Tokenization,
// batching, windows and the cache stay in the engine; only int64 tensors go out and logits come
// back. Requests time out, a 503 (or a refused connection) is retried with backoff, and status()
// tells whether the server answered last time and why not.
import type { InferenceBackend, LoadedSession } from './session';
import type { ModelSignature, RemoteBackendOptions, RemoteBackendStatus, TensorSpec } from '../classifier/types';

const DEFAULT_TIMEOUT_MS = 30_000;
/** With the backoff (or a server's Retry-After of 1 s) this rides out about 6 s of unavailability. */
const DEFAULT_RETRIES = 6;
const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5_000;

export class RemoteBackendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RemoteBackendError';
  }
}

interface TensorLike {
  data: unknown;
  dims: readonly number[];
}

/** HTTP statuses worth another try: the server is starting, restarting its worker, or overloaded. */
const retryableStatus = new Set([429, 502, 503, 504]);

export class RemoteSession implements InferenceBackend {
  /**
   * Requests the server works on at once, as far as the engine knows: it keeps several batches per
   * lane in flight (engine.ts RUNS_QUEUED_PER_LANE), so the network round trip overlaps the server's work.
   */
  readonly parallelism = 2;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  private readonly state: RemoteBackendStatus;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly inferUrl: string;

  private constructor(
    private readonly options: RemoteBackendOptions,
    private readonly baseUrl: string,
    readonly signature: ModelSignature,
  ) {
    this.inputNames = signature.inputs.map((input) => input.name);
    this.outputNames = signature.outputs.map((output) => output.name);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.retries = options.retries ?? DEFAULT_RETRIES;
    this.inferUrl = `${baseUrl}/v2/models/${encodeURIComponent(options.model)}/infer`;
    this.state = { url: baseUrl, model: options.model, state: 'up', requests: 0, retries: 0, failures: 0 };
  }

  /** Reads the model's metadata (inputs, outputs) from the server; fails with the server's reason. */
  static async connect(options: RemoteBackendOptions): Promise<RemoteSession> {
    const baseUrl = normalizedUrl(options.url);
    if (!options.model) throw new RemoteBackendError('remote backend: no model name (setting textClassifier.remote.model)');
    const probe = new RemoteSession(options, baseUrl, { inputs: [], outputs: [] });
    const metadata = await probe.call('GET', `${baseUrl}/v2/models/${encodeURIComponent(options.model)}`, undefined, 'read the model metadata');
    return new RemoteSession(options, baseUrl, signatureOf(metadata, baseUrl, options.model));
  }

  async run(feeds: Record<string, TensorLike>, fetches: readonly string[]): Promise<Record<string, TensorLike>> {
    const inputs = Object.entries(feeds).map(([name, tensor]) => ({
      name,
      shape: [...tensor.dims],
      datatype: 'INT64',
      data: Array.from(tensor.data as BigInt64Array, Number),
    }));
    const body = JSON.stringify({ inputs, outputs: fetches.map((name) => ({ name })) });
    const answer = (await this.call('POST', this.inferUrl, body, 'run inference')) as { outputs?: unknown } | null;
    const outputs: Record<string, TensorLike> = {};
    for (const output of (Array.isArray(answer?.outputs) ? answer.outputs : []) as (WireTensor | null)[]) {
      if (typeof output?.name !== 'string' || !Array.isArray(output.shape) || !Array.isArray(output.data)) continue;
      if (output.datatype !== 'FP32') throw this.fail(`output '${output.name}' is ${output.datatype}; expected FP32`);
      const data = Float32Array.from(output.data.flat(Infinity) as number[]);
      const expected = output.shape.reduce((product: number, dim: number) => product * dim, 1);
      if (data.length !== expected) throw this.fail(`output '${output.name}' has ${data.length} values for shape [${output.shape.join(',')}]`);
      outputs[output.name] = { data, dims: output.shape };
    }
    const missing = fetches.find((name) => !outputs[name]);
    if (missing) throw this.fail(`the answer has no output '${missing}'`);
    return outputs;
  }

  status(): RemoteBackendStatus {
    return { ...this.state };
  }

  async release(): Promise<void> {
    // Nothing held: fetch's connection pool closes idle sockets itself.
  }

  /** One HTTP exchange with retries on a refused connection or 429/502/503/504; a timeout fails at once. */
  private async call(method: string, url: string, body: string | undefined, what: string): Promise<unknown> {
    this.state.requests++;
    let lastProblem = '';
    for (let attempt = 0; attempt <= this.retries; attempt++) {
      let retryAfterMs: number | undefined;
      try {
        const response = await fetch(url, {
          method,
          body,
          headers: {
            ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
            ...(this.options.token ? { Authorization: `Bearer ${this.options.token}` } : {}),
          },
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        const text = await response.text();
        if (response.ok) {
          this.state.state = 'up';
          this.state.lastError = undefined;
          this.state.lastSuccessAt = new Date().toISOString();
          try {
            return JSON.parse(text);
          } catch {
            throw this.fail(`${what}: the answer is not JSON (${text.slice(0, 80)})`);
          }
        }
        const reason = serverError(text) ?? response.statusText;
        lastProblem = `HTTP ${response.status}: ${reason}`;
        if (!retryableStatus.has(response.status)) throw this.fail(`${what}: ${lastProblem}${hint(response.status)}`);
        const retryAfter = Number(response.headers.get('retry-after'));
        if (Number.isFinite(retryAfter) && retryAfter >= 0) retryAfterMs = retryAfter * 1000;
      } catch (error) {
        if (error instanceof RemoteBackendError) throw error;
        lastProblem = networkProblem(error, this.timeoutMs);
        // A server that took the whole timeout is busy or stuck: retrying would multiply the wait.
        if ((error as Error)?.name === 'TimeoutError') throw this.fail(`${what}: ${lastProblem}`);
      }
      if (attempt < this.retries) {
        this.state.retries++;
        const backoff = Math.min(FIRST_BACKOFF_MS * 2 ** attempt, MAX_BACKOFF_MS);
        await sleep(Math.min(retryAfterMs ?? backoff, MAX_BACKOFF_MS) * (0.75 + Math.random() / 2));
      }
    }
    this.state.state = 'down';
    throw this.fail(`${what}: ${lastProblem} (gave up after ${this.retries + 1} attempts)`);
  }

  private fail(problem: string): RemoteBackendError {
    const message = `remote inference server ${this.baseUrl}, model '${this.options.model}': ${problem}`;
    this.state.failures++;
    this.state.lastError = message;
    if (this.state.state !== 'down') this.state.state = 'error';
    return new RemoteBackendError(message);
  }
}

function normalizedUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RemoteBackendError(`remote backend: "${url}" is not a URL (setting textClassifier.remote.url, e.g. http://localhost:8000)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new RemoteBackendError(`remote backend: "${url}" must start with http:// or https:// (setting textClassifier.remote.url)`);
  }
  return parsed.href.replace(/\/+$/, '');
}

/** A tensor as the server's JSON may hold it: every field is checked before use. */
type WireTensor = { name?: unknown; datatype?: unknown; shape?: unknown; data?: unknown };

function signatureOf(metadata: unknown, url: string, model: string): ModelSignature {
  const tensors = (list: unknown, role: string): TensorSpec[] => {
    if (!Array.isArray(list)) throw new RemoteBackendError(`remote inference server ${url}: model '${model}' metadata has no ${role} list`);
    return (list as WireTensor[]).map((tensor) => ({ name: String(tensor.name), datatype: String(tensor.datatype), shape: ((tensor.shape ?? []) as unknown[]).map(Number) }));
  };
  const fields = metadata as { inputs?: unknown; outputs?: unknown } | null;
  return { inputs: tensors(fields?.inputs, 'inputs'), outputs: tensors(fields?.outputs, 'outputs') };
}

/** `{"error": "..."}` is the protocol's error body. */
function serverError(text: string): string | undefined {
  try {
    const body = JSON.parse(text);
    return typeof body?.error === 'string' ? body.error : undefined;
  } catch {
    return text.trim().slice(0, 200) || undefined;
  }
}

function hint(status: number): string {
  if (status === 401 || status === 403) return ' (check textClassifier.remote.token)';
  if (status === 404) return ' (check textClassifier.remote.model and that the server has loaded it)';
  return '';
}

function networkProblem(error: unknown, timeoutMs: number): string {
  const err = error as Error & { cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  // fetch's own message is "fetch failed"; the reason (connect ECONNREFUSED …, bad port) is its cause.
  const cause = err?.cause;
  return `unreachable (${cause?.message || cause?.code || err?.message || String(error)})`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The engine's seam: a remote server in the place of an onnxruntime session. */
export async function connectRemote(options: RemoteBackendOptions): Promise<LoadedSession> {
  const session = await RemoteSession.connect(options);
  return { session, provider: null, fallbacks: [], threads: 0, signature: session.signature, remoteStatus: () => session.status() };
}
