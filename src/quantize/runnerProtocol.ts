// Messages between the host (runner.ts: the extension host) and the quantize process
// (src/engine/quantizeProcess.ts). Everything in them survives structured cloning.
import type { QuantizeJob, QuantizeJobProgress, QuantizeJobResult } from './job';

export type HostToQuantizer = { type: 'quantize'; job: QuantizeJob };

export type QuantizerToHost =
  | { type: 'progress'; progress: QuantizeJobProgress }
  | { type: 'done'; result: QuantizeJobResult }
  | { type: 'error'; name: string; message: string };
