// What the HTTP layer needs from one served model. The implementation over the supervised worker
// is in workerModel.ts; keeping this seam small lets routes and batching stay engine-agnostic.
import type { Explanation } from '../classifier/explanation';
import type { Classification, ModelInfo, ModelSignature } from '../classifier/types';
import type { Float32Tensor, Int64Tensor } from './v2codec';

export interface ServedModel {
  readonly name: string;
  readonly info: ModelInfo;
  readonly signature: ModelSignature;
  /** The worker process running the model (tests kill it). */
  readonly pid: number | undefined;
  /** False while the worker restarts or reloads the model. */
  isReady(): boolean;
  /** Why the model is not ready, for the error body. */
  notReadyReason(): string;
  classify(texts: string[], signal?: AbortSignal): Promise<Classification[]>;
  /** Per-word contributions to every label (occlusion, src/engine/explain.ts). */
  explain(texts: string[], signal?: AbortSignal): Promise<Explanation[]>;
  infer(feeds: Record<string, Int64Tensor>, outputNames: string[], signal?: AbortSignal): Promise<Record<string, Float32Tensor>>;
  dispose(): Promise<void>;
}
