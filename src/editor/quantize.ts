// Quantize Model…, host side: runs the quantize job in its own process (runQuantize forks
// dist/quantize.js; nothing heavy runs on the extension host) with a cancellable progress notification;
// a cancel kills the process and leaves no partial directory.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { QuantizeJob, QuantizeJobProgress, QuantizeJobResult } from '../quantize/job';
import { QuantizeCancelledError, runQuantize } from '../quantize/runner';
import { withCancellableProgress } from './cancellableProgress';

/** How the last quantize run ended, for tests and other extensions. */
export type QuantizeOutcome = { status: 'quantized'; result: QuantizeJobResult } | { status: 'cancelled' } | { status: 'failed'; error: string };

export class QuantizeService implements vscode.Disposable {
  private readonly ended = new vscode.EventEmitter<QuantizeOutcome>();
  readonly onDidEnd = this.ended.event;
  private running = false;

  constructor(
    private readonly extensionPath: string,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** The result, or undefined when cancelled (by the notification's Cancel button or `signal`); errors propagate. */
  async quantizeWithProgress(job: QuantizeJob, signal?: AbortSignal): Promise<QuantizeJobResult | undefined> {
    if (this.running) throw new Error('a model is already being quantized; wait for it or cancel it first');
    this.running = true;
    const title = `Quantizing ${path.basename(job.modelDir)} to int8`;
    this.log.info(`quantize ${job.modelDir} -> ${job.outDir}${job.dataset ? `, comparing on ${job.dataset.path}` : ''}`);
    try {
      const result = await withCancellableProgress(title, signal, (report, cancel) =>
        runQuantize(job, {
          script: path.join(this.extensionPath, 'dist', 'quantize.js'),
          signal: cancel,
          onProgress: (state) => report(describeProgress(state)),
          log: (line) => this.log.warn(`[quantize] ${line}`),
        }),
      );
      this.log.info(`quantized ${result.sourceFile} -> ${result.quantizedFile}: ${result.quantizedBytes} bytes (${((100 * result.quantizedBytes) / result.sourceBytes).toFixed(1)} % of ${result.sourceBytes}), ${result.graph.matMuls} matrix products, ${result.seconds.toFixed(1)} s`);
      this.ended.fire({ status: 'quantized', result });
      return result;
    } catch (error) {
      if (error instanceof QuantizeCancelledError) {
        this.log.info(`quantizing ${job.modelDir} cancelled`);
        void vscode.window.setStatusBarMessage('Text Classifier: quantizing cancelled', 5000);
        this.ended.fire({ status: 'cancelled' });
        return undefined;
      }
      this.ended.fire({ status: 'failed', error: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      this.running = false;
    }
  }

  dispose(): void {
    this.ended.dispose();
  }
}

function describeProgress(state: QuantizeJobProgress): string {
  if (state.stage === 'evaluating') return `evaluating the ${state.model === 'before' ? 'original' : 'quantized'} model: ${state.rows} rows (${Math.floor(state.fraction * 100)} %)`;
  if (state.stage === 'quantizing') return `quantizing ${state.done} of ${state.total} weights`;
  return state.stage === 'reading' ? 'reading the model…' : 'writing the quantized model…';
}
