// What the HTTP layer needs from one served model: a Classifier and Explainer (classifier/classifier.ts)
// under a name, with the graph's signature and raw runs for the v2 protocol. The implementation over
// the supervised worker is in workerModel.ts; keeping this seam small lets routes and batching stay
// engine-agnostic.
import type { Classifier, Explainer } from '../classifier/classifier';
import type { ModelSignature } from '../classifier/types';
import type { Float32Tensor, Int64Tensor } from './v2codec';

export interface ServedModel extends Classifier, Explainer {
  readonly name: string;
  readonly signature: ModelSignature;
  /** The worker process running the model (tests kill it). */
  readonly pid: number | undefined;
  /** False while the worker restarts or reloads the model. */
  isReady(): boolean;
  /** Why the model is not ready, for the error body. */
  notReadyReason(): string;
  infer(feeds: Record<string, Int64Tensor>, outputNames: string[], signal?: AbortSignal): Promise<Record<string, Float32Tensor>>;
  dispose(): Promise<void>;
}
