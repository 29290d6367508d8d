// The one contract between the extension host (client.ts) and the worker process (worker.ts).
// Every request names its method in `type` and carries an id; the worker answers with exactly one
// `result` or `error` for that id, and may send `progress` before. Results travel compactly: scores
// as one Float32Array in label order (structured clone over `serialization: 'advanced'`), never
// one object with label strings per text. To add a method, add an entry to `Methods`.
import type { EvaluationProgress } from '../datasets/evaluate';
import type { EvaluationJobParams, EvaluationJobResult } from '../evaluation/types';
import type { PackedExplanations } from './explanation';
import type { PackedScores, PackedSegments } from './scores';
import type { EngineOptions, EngineStatus, ModelCheck, ModelInfo, ModelSignature, ModelVariant, RawTensor, Unit } from './types';

export interface WorkerStatus extends EngineStatus {
  pid: number;
  rssBytes: number;
  /** Highest resident set size of the worker so far. */
  peakRssBytes: number;
  heapUsedBytes: number;
  /** Work requests the worker holds (running or waiting). */
  workerQueue: number;
}

/** A method without parameters. */
export type NoParams = Record<never, never>;

export interface Methods {
  load: { params: { modelDir: string; options?: EngineOptions }; result: ModelInfo };
  classify: { params: { texts: string[] }; result: PackedScores };
  /** `prose`: Markdown, classify only its prose (segment.ts SegmentOptions). */
  classifyDocument: { params: { text: string; unit: Unit; prose?: boolean }; result: PackedSegments };
  /** Per-word contributions to every label, by occlusion (src/engine/explain.ts). */
  explain: { params: { texts: string[] }; result: PackedExplanations };
  /** Raw run of the loaded graph (serve's v2 infer): int64 feeds by input name -> float outputs by name. */
  infer: { params: { feeds: Record<string, RawTensor<BigInt64Array>>; outputNames?: string[] }; result: Record<string, RawTensor<Float32Array>> };
  /** The loaded graph's inputs and outputs (serve's v2 model metadata). */
  signature: { params: NoParams; result: ModelSignature };
  /** Run the loaded model over a labeled dataset (src/engine/evaluationJob.ts); progress carries `evaluation`. */
  evaluate: { params: EvaluationJobParams; result: EvaluationJobResult };
  /** What a model directory holds and whether this engine runs it (`textclf models --check`; src/engine/inspect.ts). */
  checkModel: { params: { modelDir: string; variant?: ModelVariant }; result: ModelCheck };
  status: { params: NoParams; result: WorkerStatus };
  shutdown: { params: NoParams; result: null };
}

export type Method = keyof Methods;
export type Params<M extends Method> = Methods[M]['params'];
export type Result<M extends Method> = Methods[M]['result'];

/** Methods answered at once, outside the job queue. */
export const IMMEDIATE_METHODS: ReadonlySet<Method> = new Set<Method>(['status', 'shutdown']);
/** Methods that replace the engine: they run alone, after the jobs before them (the others run side by side). */
export const EXCLUSIVE_METHODS: ReadonlySet<Method> = new Set<Method>(['load']);

export type Request<M extends Method = Method> = {
  [K in M]: { type: K; id: number; /** Send progress messages. */ progress?: boolean } & Params<K>;
}[M];

/** Stop request `id`: it is answered with a RequestCancelledError if it had not finished. */
export interface CancelMessage {
  type: 'cancel';
  id: number;
}

export type HostMessage = Request | CancelMessage;

export interface WireError {
  name: string;
  message: string;
  /** The file a BundleError names. */
  file?: string;
}

export type WorkerMessage =
  | { type: 'ready'; pid: number }
  | { type: 'result'; id: number; result: Result<Method> }
  | { type: 'error'; id: number; error: WireError }
  | { type: 'progress'; id: number; done: number; total: number; /** evaluate: rows, rows/s, bytes. */ evaluation?: EvaluationProgress }
  | { type: 'log'; message: string };
