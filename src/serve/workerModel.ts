// A served model over the supervised worker: one ClassifierClient (one worker process) per model.
// The client restarts a dead worker and reloads the model; until the reload is done the model
// reports not ready, so requests get a quick 503 instead of waiting on a worker that is starting.
import type { ClassifyDocumentOptions, ClassifyOptions } from '../classifier/classifier';
import { ClassifierClient } from '../classifier/client';
import type { Explanation } from '../classifier/explanation';
import type { Classification, ClassifiedSegment, EngineOptions, ModelInfo, ModelSignature, Unit } from '../classifier/types';
import type { ServedModel } from './servedModel';
import type { Float32Tensor, Int64Tensor } from './v2codec';

/** How often readiness is checked while the worker restarts. */
const READY_POLL_MS = 100;

export interface WorkerModelOptions {
  engine?: EngineOptions;
  workerScript?: string;
  log: (line: string) => void;
}

/**
 * Serves the model a caller's client already has loaded (the editor's own worker). The client
 * stays the caller's: closing the server does not dispose it.
 */
export async function attachWorkerModel(client: ClassifierClient): Promise<ServedModel> {
  const status = await client.status();
  if (!status.model) throw new Error('the worker has no model loaded; load one before serving it');
  const signature = await client.signature();
  return new WorkerModel(client, status.model, signature, false);
}

/**
 * The signature clients see: every integer input as INT64, as KServe clients send token ids; the
 * engine feeds each input in the type the graph declares (an int32 graph gets int32 tensors).
 */
function servedSignature(info: ModelInfo, graph: ModelSignature): ModelSignature {
  const other = graph.inputs.find((input) => input.datatype !== 'INT64' && input.datatype !== 'INT32');
  if (other) throw new Error(`${info.onnxFile}: input '${other.name}' is ${other.datatype}; textclf serve serves integer (INT64 or INT32) inputs only`);
  return { ...graph, inputs: graph.inputs.map((input) => ({ ...input, datatype: 'INT64' })) };
}

/** A value of an input the graph declares INT32 that does not fit in it would wrap around to another id; refused like a
 * value onnxruntime rejects (routes.ts answers 400 to the request that sent it, not its batch-mates). */
function checkInt32Range(feeds: Record<string, Int64Tensor>, int32Inputs: ReadonlySet<string>): void {
  for (const name of int32Inputs) {
    const data = feeds[name]?.data ?? [];
    const index = data.findIndex((value) => value > 2147483647n || value < -2147483648n);
    if (index >= 0) throw new Error(`input '${name}' element ${index} is ${data[index]}, outside the INT32 range of the graph's input`);
  }
}

export async function loadWorkerModel(modelDir: string, options: WorkerModelOptions): Promise<ServedModel> {
  const client = new ClassifierClient({
    workerScript: options.workerScript,
    log: (line) => options.log(`textclf serve: ${line}`),
    // The batchers bound what reaches the client; this only guards against a runaway without batching.
    maxQueue: 4096,
    requestTimeoutMs: 120_000,
    // An engine call holds a few dozen short texts: tokenizing them on one thread is quick, and the
    // tokenizer's parallel pool would only spin between calls on the cores the HTTP server needs.
    env: { TOKENIZERS_PARALLELISM: 'false' },
  });
  try {
    const info = await client.loadModel(modelDir, options.engine);
    return new WorkerModel(client, info, await client.signature(), true);
  } catch (error) {
    await client.dispose();
    throw error;
  }
}

class WorkerModel implements ServedModel {
  readonly name: string;
  readonly signature: ModelSignature;
  /** Inputs the graph declares INT32 (served as INT64). */
  private readonly int32Inputs: ReadonlySet<string>;
  private ready = true;
  private reason = '';
  private disposed = false;
  private poll: NodeJS.Timeout | undefined;
  private readonly restartSubscription: { dispose(): void };

  constructor(
    private readonly client: ClassifierClient,
    readonly info: ModelInfo,
    graph: ModelSignature,
    /** Whether dispose() stops the client (and its worker). */
    private readonly ownsClient: boolean,
  ) {
    this.name = info.name;
    this.signature = servedSignature(info, graph);
    this.int32Inputs = new Set(graph.inputs.filter((input) => input.datatype === 'INT32').map((input) => input.name));
    this.restartSubscription = client.onRestart((reason) => {
      this.ready = false;
      this.reason = `the worker is restarting (${reason})`;
      this.waitUntilLoaded();
    });
  }

  get labels(): readonly string[] {
    return this.info.labels;
  }

  get pid(): number | undefined {
    return this.client.pid;
  }

  isReady(): boolean {
    return this.ready;
  }

  notReadyReason(): string {
    return this.reason;
  }

  classify(texts: string[], options?: ClassifyOptions): Promise<Classification[]> {
    return this.client.classify(texts, options);
  }

  classifyDocument(text: string, unit: Unit, options?: ClassifyDocumentOptions): Promise<ClassifiedSegment[]> {
    return this.client.classifyDocument(text, unit, options);
  }

  explain(texts: string[], options?: Omit<ClassifyOptions, 'topK'>): Promise<Explanation[]> {
    return this.client.explain(texts, options);
  }

  infer(feeds: Record<string, Int64Tensor>, outputNames: string[], signal?: AbortSignal): Promise<Record<string, Float32Tensor>> {
    checkInt32Range(feeds, this.int32Inputs);
    return this.client.infer(feeds, outputNames, { signal });
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    clearTimeout(this.poll);
    this.restartSubscription.dispose();
    if (this.ownsClient) await this.client.dispose();
  }

  /** The client reloads the model after a restart; ready again once the worker reports it loaded. */
  private waitUntilLoaded(): void {
    clearTimeout(this.poll);
    const check = async () => {
      if (this.disposed) return;
      try {
        const status = await this.client.status();
        if (status.model) {
          this.ready = true;
          this.reason = '';
          return;
        }
      } catch {
        // Still restarting (or restarting again): look again shortly.
      }
      if (!this.disposed) this.poll = setTimeout(() => void check(), READY_POLL_MS);
    };
    this.poll = setTimeout(() => void check(), READY_POLL_MS);
  }
}
