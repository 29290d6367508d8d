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
  return new WorkerModel(client, status.model, checkInputs(status.model, signature), false);
}

function checkInputs(info: ModelInfo, signature: ModelSignature): ModelSignature {
  const notInt64 = signature.inputs.find((input) => input.datatype !== 'INT64');
  if (notInt64) throw new Error(`${info.onnxFile}: input '${notInt64.name}' is ${notInt64.datatype}; textclf serve serves INT64 inputs only`);
  return signature;
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
    return new WorkerModel(client, info, checkInputs(info, await client.signature()), true);
  } catch (error) {
    await client.dispose();
    throw error;
  }
}

class WorkerModel implements ServedModel {
  readonly name: string;
  private ready = true;
  private reason = '';
  private disposed = false;
  private poll: NodeJS.Timeout | undefined;
  private readonly restartSubscription: { dispose(): void };

  constructor(
    private readonly client: ClassifierClient,
    readonly info: ModelInfo,
    readonly signature: ModelSignature,
    /** Whether dispose() stops the client (and its worker). */
    private readonly ownsClient: boolean,
  ) {
    this.name = info.name;
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
