// Inference lanes: one onnxruntime session per worker thread, each with a single intra-op thread, and
// whole batches spread over them. For a small model the per-operator work is too small to split across
// threads (an intra-op pool spends much of each run handing out and waiting for microsecond pieces);
// running independent batches side by side keeps every core on useful work, and the event loop that
// tokenizes and answers requests never waits for a run.
import { Worker } from 'node:worker_threads';
import type * as ort from 'onnxruntime-node';
import type { InferenceBackend } from './session';

interface TensorMessage {
  type: ort.Tensor.Type;
  data: ort.Tensor.DataType;
  dims: readonly number[];
}

type LaneReply =
  | { kind: 'ready'; inputNames: string[]; outputNames: string[]; inputMetadata: ort.InferenceSession.ValueMetadata[]; outputMetadata: ort.InferenceSession.ValueMetadata[] }
  | { kind: 'failed'; message: string }
  | { kind: 'result'; id: number; outputs: Record<string, TensorMessage>[] }
  | { kind: 'error'; id: number; message: string }
  | { kind: 'stopped' };

// The lane thread's code. A string, so that it runs the same from the TypeScript build, every esbuild
// bundle and a test, with nothing more to ship; onnxruntime-node is required by the path the host
// resolved. A message carries one or more runs, done in order and answered together (each message to
// and from a thread costs tens of microseconds of CPU, as much as a small run). Outputs go back by
// transfer (the lane allocated them); feeds arrive as copies.
const LANE_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.onnxruntimePath);
ort.InferenceSession.create(workerData.onnxFile, workerData.sessionOptions).then((session) => {
  let stopping = false;
  const runAll = async ({ id, runs, fetches }) => {
    try {
      const outputs = [];
      const transfer = [];
      for (const feeds of runs) {
        if (stopping) throw new Error('the inference session is being released');
        const tensors = {};
        for (const name of Object.keys(feeds)) tensors[name] = new ort.Tensor(feeds[name].type, feeds[name].data, feeds[name].dims);
        const results = await session.run(tensors, fetches);
        const named = {};
        for (const name of Object.keys(results)) {
          const { type, data, dims } = results[name];
          named[name] = { type, data, dims };
          if (ArrayBuffer.isView(data)) transfer.push(data.buffer);
        }
        outputs.push(named);
      }
      parentPort.postMessage({ kind: 'result', id, outputs }, transfer);
    } catch (error) {
      parentPort.postMessage({ kind: 'error', id, message: String(error && error.message || error) });
    }
  };
  let previous = Promise.resolve();
  parentPort.on('message', (message) => {
    if (message.stop) {
      stopping = true;
      previous = previous.then(() => parentPort.postMessage({ kind: 'stopped' }));
    } else previous = previous.then(() => runAll(message));
  });
  parentPort.postMessage({ kind: 'ready', inputNames: session.inputNames, outputNames: session.outputNames,
    inputMetadata: session.inputMetadata, outputMetadata: session.outputMetadata });
}, (error) => parentPort.postMessage({ kind: 'failed', message: String(error && error.message || error) }));
`;

interface Pending {
  resolve: (outputs: Record<string, TensorMessage>[]) => void;
  reject: (error: Error) => void;
}

class Lane {
  readonly pending = new Map<number, Pending>();
  /** Why the thread stopped (it then takes no more runs). */
  failure: Error | undefined;
  /** stop() holds the thread referenced until it answers: a run settling meanwhile must not unref it. */
  private stopping = false;

  constructor(readonly thread: Worker) {
    thread.on('message', (reply: LaneReply) => {
      if (reply.kind !== 'result' && reply.kind !== 'error') return;
      const request = this.pending.get(reply.id)!;
      this.pending.delete(reply.id);
      if (reply.kind === 'result') request.resolve(reply.outputs);
      else request.reject(new Error(reply.message));
    });
    const fail = (error: Error): void => {
      this.failure ??= error;
      for (const request of this.pending.values()) request.reject(this.failure);
      this.pending.clear();
    };
    thread.on('error', fail);
    thread.on('exit', (code) => fail(new Error(`inference thread exited (code ${code})`)));
  }

  /**
   * Ends the thread once its current run is done, the runs still queued failing: terminating a thread in
   * the middle of a native run can abort the whole process.
   */
  async stop(): Promise<void> {
    if (!this.failure) {
      await new Promise<void>((resolve) => {
        const onReply = (reply: LaneReply): void => {
          if (reply.kind === 'stopped') stopped();
        };
        const stopped = (): void => {
          this.thread.off('message', onReply);
          this.thread.off('exit', stopped);
          resolve();
        };
        this.thread.on('message', onReply);
        this.thread.once('exit', stopped);
        this.stopping = true;
        this.thread.ref(); // an idle lane is unreferenced; the process must not end before it answers
        this.thread.postMessage({ stop: true });
      });
    }
    await this.thread.terminate();
  }

  run(id: number, runs: Record<string, TensorMessage>[], fetches: readonly string[]): Promise<Record<string, TensorMessage>[]> {
    if (this.failure) return Promise.reject(this.failure);
    // An idle lane does not keep the process alive (a CLI run ends when its work does); a busy one must.
    if (this.pending.size === 0) this.thread.ref();
    return new Promise<Record<string, TensorMessage>[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.thread.postMessage({ id, runs, fetches });
    }).finally(() => {
      if (this.pending.size === 0 && !this.stopping) this.thread.unref();
    });
  }
}

export class LaneSessions implements InferenceBackend {
  private nextId = 0;

  private constructor(
    private readonly lanes: Lane[],
    readonly inputNames: readonly string[],
    readonly outputNames: readonly string[],
    readonly inputMetadata: readonly ort.InferenceSession.ValueMetadata[],
    readonly outputMetadata: readonly ort.InferenceSession.ValueMetadata[],
  ) {}

  /** How many runs make progress at once. */
  get parallelism(): number {
    return this.lanes.length;
  }

  /** Starts `count` threads, each loading `onnxFile` with `sessionOptions` (intra-op threads forced to 1). */
  static async open(onnxFile: string, count: number, sessionOptions: ort.InferenceSession.SessionOptions): Promise<LaneSessions> {
    const workerData = {
      onnxruntimePath: require.resolve('onnxruntime-node'),
      onnxFile,
      sessionOptions: { ...sessionOptions, intraOpNumThreads: 1, interOpNumThreads: 1 },
    };
    const threads = Array.from({ length: count }, () => new Worker(LANE_SOURCE, { eval: true, workerData, resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 32 } }));
    const started = await Promise.allSettled(threads.map((thread) => firstReply(thread)));
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) {
      await Promise.all(threads.map((thread) => thread.terminate()));
      throw (failed as PromiseRejectedResult).reason;
    }
    const ready = (started[0] as PromiseFulfilledResult<Extract<LaneReply, { kind: 'ready' }>>).value;
    for (const thread of threads) thread.unref();
    return new LaneSessions(threads.map((thread) => new Lane(thread)), ready.inputNames, ready.outputNames, ready.inputMetadata, ready.outputMetadata);
  }

  run(feeds: Record<string, ort.Tensor>, fetches: readonly string[]): Promise<Record<string, { data: unknown; dims: readonly number[] }>> {
    return this.runMany([feeds], fetches)[0];
  }

  /**
   * The runs, in order, on the lane with the fewest messages waiting, in one message; a promise per run.
   * The feeds are copied, so the caller keeps its arrays.
   */
  runMany(feeds: Record<string, ort.Tensor>[], fetches: readonly string[]): Promise<Record<string, { data: unknown; dims: readonly number[] }>>[] {
    const runs = feeds.map((tensors) => {
      const messages: Record<string, TensorMessage> = {};
      for (const [name, tensor] of Object.entries(tensors)) messages[name] = { type: tensor.type, data: tensor.data, dims: tensor.dims };
      return messages;
    });
    const working = this.lanes.filter((lane) => !lane.failure);
    const reply = working.length === 0
      ? Promise.reject(this.lanes[0].failure!)
      : working.reduce((best, lane) => (lane.pending.size < best.pending.size ? lane : best)).run(this.nextId++, runs, fetches);
    return runs.map((_, i) => reply.then((outputs) => outputs[i]));
  }

  async release(): Promise<void> {
    await Promise.all(this.lanes.map((lane) => lane.stop()));
  }
}

function firstReply(thread: Worker): Promise<Extract<LaneReply, { kind: 'ready' }>> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number): void => reject(new Error(`inference thread exited (code ${code}) before its session was ready`));
    thread.once('error', reject);
    thread.once('exit', onExit);
    thread.once('message', (reply: LaneReply) => {
      thread.off('error', reject);
      thread.off('exit', onExit);
      if (reply.kind === 'ready') resolve(reply);
      else reject(new Error(reply.kind === 'failed' ? reply.message : `unexpected first message from an inference thread: ${reply.kind}`));
    });
  });
}
