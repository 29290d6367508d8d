// Evaluate Model on Dataset, host side: runs the current model over a dataset file in the worker
// (client.evaluate), shows progress with rows/s and time left and a Cancel button, and keeps the
// result per dataset and model in the workspace storage.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ClassifierClient } from '../classifier/client';
import type { ExecutionProviderName, ModelInfo } from '../classifier/types';
import type { EvaluationProgress } from '../datasets/evaluate';
import { createLabelMapping } from '../datasets/labels';
import { inspectDataset } from '../datasets/schema';
import type { ModelManager } from './models';
import type { DatasetColumns } from '../datasets/types';
import { describeProgress } from '../evaluation/progress';
import { EvaluationRecord, EvaluationStore, predictionsFileName } from '../evaluation/store';

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (progress: EvaluationProgress) => void;
  /** Another worker and the model it has loaded (e.g. a model just trained), instead of the editor's. */
  worker?: { client: ClassifierClient; model: ModelInfo; executionProvider: ExecutionProviderName | null };
  /** Leave out the rows the model was trained on (its training manifest lists them). */
  heldOutOnly?: boolean;
}

export class EvaluationService implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<EvaluationRecord>();
  /** Fires when an evaluation finished and was stored. */
  readonly onDidChange = this.changed.event;
  private readonly running = new Set<string>();

  constructor(
    private readonly client: ClassifierClient,
    private readonly models: ModelManager,
    readonly store: EvaluationStore,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** Evaluates the current model on `datasetPath`; rejects (and stores nothing) when cancelled or failed. */
  async run(datasetPath: string, columns: DatasetColumns, options: RunOptions = {}): Promise<EvaluationRecord> {
    const model = options.worker?.model ?? (await this.models.ensureLoaded());
    const id = EvaluationStore.idFor(datasetPath, model.dir, model.variant);
    if (this.running.has(id)) throw new Error(`${datasetPath} is already being evaluated with ${model.name}`);
    this.running.add(id);
    const partial = this.store.startRun();
    this.log.info(`evaluating ${model.name} on ${datasetPath}`);
    try {
      const { labelMap, ...schemaOptions } = columns;
      // Here rather than in the worker, so that a mismatch arrives as a LabelMappingError with its details.
      createLabelMapping(model.labels, (await inspectDataset(datasetPath, schemaOptions)).sampleLabels, labelMap);
      const result = await (options.worker?.client ?? this.client).evaluate(
        { ...schemaOptions, labelMap, datasetPath, predictionsFile: path.join(partial, predictionsFileName), modelDir: model.dir, heldOutOnly: options.heldOutOnly },
        options,
      );
      if (result.evaluated === 0) {
        const reasons = Object.entries(result.skippedByReason).map(([reason, rows]) => `${rows} ${reason}`).join(', ');
        throw new Error(`no row of ${datasetPath} could be evaluated (${result.total} rows${reasons ? `: ${reasons}` : ''})`);
      }
      const record: EvaluationRecord = {
        id,
        datasetPath,
        columns,
        model: modelOf(model),
        executionProvider: options.worker ? options.worker.executionProvider : this.models.executionProvider,
        finishedAt: new Date().toISOString(),
        result,
      };
      await this.store.commit(partial, record);
      this.log.info(`evaluated ${model.name} on ${datasetPath}: accuracy ${(result.accuracy * 100).toFixed(2)} %, ${result.evaluated} of ${result.total} rows, ${result.skipped} skipped, ${result.rowsPerSecond.toFixed(0)} rows/s`);
      this.changed.fire(record);
      return record;
    } catch (error) {
      await this.store.discard(partial);
      throw error;
    } finally {
      this.running.delete(id);
    }
  }

  /** run() with a cancellable progress notification. */
  async runWithProgress(datasetPath: string, columns: DatasetColumns, options: Pick<RunOptions, 'heldOutOnly'> = {}): Promise<EvaluationRecord> {
    const model = await this.models.ensureLoaded();
    const title = `Evaluating ${model.name} on ${path.basename(datasetPath)}`;
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
      const cancel = new AbortController();
      const subscription = token.onCancellationRequested(() => cancel.abort());
      let reported = 0;
      try {
        return await this.run(datasetPath, columns, {
          ...options,
          signal: cancel.signal,
          onProgress: (state) => {
            const percent = (100 * state.bytesRead) / Math.max(state.totalBytes, 1);
            progress.report({ message: describeProgress(state), increment: percent - reported });
            reported = percent;
          },
        });
      } finally {
        subscription.dispose();
      }
    });
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** The record's model: a graph other than fp32 (e.g. quantized) is named, so that fp32 and int8 runs tell apart. */
function modelOf(model: ModelInfo): EvaluationRecord['model'] {
  const variant = model.variant && model.variant !== 'fp32' ? model.variant : undefined;
  return { name: variant ? `${model.name} (${variant})` : model.name, dir: model.dir, labels: model.labels, ...(variant ? { variant } : {}) };
}
