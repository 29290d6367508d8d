// Train Classifier…, host side: runs a training job in its own process (runTraining forks
// dist/training.js; nothing heavy runs on the extension host), shows its progress in a cancellable
// notification and the output channel, then evaluates the new model, and the base model when its labels
// are the same, on the test split in a second worker (the editor's model stays as it is until the user
// picks "Use This Model"), and remembers the model for Select Model….
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ClassifierClient } from '../classifier/client';
import type { Config } from '../config';
import { withCancellableProgress } from './cancellableProgress';
import type { EvaluationService } from './evaluation';
import type { EvaluationRecord } from '../evaluation/store';
import { TrainingCancelledError } from '../training/head';
import type { LinearHeadSettings } from '../training/linearHead';
import { readTrainingMetadata } from '../training/modelDirectory';
import { formatDuration, formatPercent, type TrainingProgress } from '../training/progress';
import type { PytorchSettings } from '../training/pytorch';
import { checkPytorch } from '../training/pytorchCheck';
import { runTraining } from '../training/runner';
import type { TrainingJob } from '../training/runnerProtocol';
import type { TrainingMethod, TrainingReport } from '../training/train';
import type { DatasetColumns } from '../datasets/types';
import { methodName } from '../views/training/describe';
import { errorMessage } from '../classifier/errors';

/** The data to train on: one file to split here, or train/validation/test files. */
export interface TrainingData {
  /** For messages and default folder names: the file name, or the name of the explorer's group. */
  name: string;
  train: string;
  validation?: string;
  test?: string;
  /** Columns chosen with Configure Columns… (the label mapping is not used: the new model learns the dataset's own labels). */
  columns: DatasetColumns;
}

export interface TrainingRequest {
  data: TrainingData;
  method: TrainingMethod;
  baseModel: string;
  output: string;
  overwrite?: boolean;
  seed?: number;
  linearHead?: LinearHeadSettings;
  pytorch?: PytorchSettings;
}

export interface TrainingResult {
  modelDir: string;
  report: TrainingReport;
  /** The new model on the test split, as the report webview shows it. */
  trained: EvaluationRecord;
  /** The base model on the same split, when it has the same labels. */
  base?: EvaluationRecord;
  /** Why the base model was not compared, when it was not. */
  baseNotCompared?: string;
}

/** How the last training ended (what the user was shown), for tests and other extensions. */
export type TrainingOutcome =
  | { status: 'trained'; result: TrainingResult }
  | { status: 'cancelled' }
  | { status: 'failed'; error: string };

const trainedKey = 'textClassifier.trainedModels';
/** Output-channel lines for the many small steps (feature batches, head epochs): at most one per interval. */
const logIntervalMs = 2_000;

export class TrainingService implements vscode.Disposable {
  private readonly ended = new vscode.EventEmitter<TrainingOutcome>();
  readonly onDidEnd = this.ended.event;
  private last: TrainingOutcome | undefined;
  private running = false;

  constructor(
    private readonly extension: vscode.ExtensionContext,
    private readonly evaluations: EvaluationService,
    private readonly config: Config,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  get lastOutcome(): TrainingOutcome | undefined {
    return this.last;
  }

  /** Models trained here that still exist, newest first. */
  trainedModels(): string[] {
    return this.extension.globalState.get<string[]>(trainedKey, []).filter((dir) => readTrainingMetadata(dir) !== null);
  }

  /** The Python for PyTorch fine-tuning (setting textClassifier.training.python), undefined for the default. */
  get python(): string | undefined {
    return this.config.trainingPython;
  }

  /** Where new models go when there is no workspace folder. */
  get globalModelsRoot(): string {
    return path.join(this.extension.globalStorageUri.fsPath, 'trained-models');
  }

  /**
   * Trains with a cancellable progress notification (and `signal`, for callers that cancel by themselves);
   * records the outcome; errors propagate to the command.
   */
  async trainWithProgress(request: TrainingRequest, signal?: AbortSignal): Promise<TrainingResult | undefined> {
    if (this.running) throw new Error('a classifier is already being trained; wait for it or cancel it first');
    this.running = true;
    const title = `Training ${path.basename(request.output)} (${methodName(request.method)})`;
    try {
      const result = await withCancellableProgress(title, signal, (report, cancel) => this.train(request, cancel, report));
      this.end({ status: 'trained', result });
      return result;
    } catch (error) {
      if (error instanceof TrainingCancelledError) {
        this.log.info(`training ${request.output} cancelled; no model was written`);
        void vscode.window.setStatusBarMessage('Text Classifier: training cancelled, no model was written', 5000);
        this.end({ status: 'cancelled' });
        return undefined;
      }
      this.end({ status: 'failed', error: errorMessage(error) });
      throw error;
    } finally {
      this.running = false;
    }
  }

  private async train(request: TrainingRequest, signal: AbortSignal, show: (message: string) => void): Promise<TrainingResult> {
    const { data } = request;
    const pytorch = { ...request.pytorch, python: request.pytorch?.python ?? this.python };
    if (request.method === 'pytorch') {
      // Before any work: a missing Python or torch is said at once, with what to install.
      show('checking for Python and torch…');
      const availability = await checkPytorch({ python: pytorch.python });
      if (!availability.available) throw new Error(`PyTorch fine-tuning is unavailable: ${availability.reason} (setting textClassifier.training.python)`);
    }
    const { labelMap: _notUsed, ...schema } = data.columns;
    const job: TrainingJob = {
      method: request.method,
      baseModel: request.baseModel,
      output: request.output,
      overwrite: request.overwrite,
      seed: request.seed,
      linearHead: request.linearHead,
      pytorch,
      engine: this.config.engineOptions,
      dataset: { files: { train: data.train, validation: data.validation, test: data.test, schema } },
    };
    const splitNote = data.test ? `its train/validation/test files` : `a seeded stratified 80/10/10 split of ${path.basename(data.train)}`;
    this.log.info(`training ${request.output}: ${methodName(request.method)} on ${data.name} (${splitNote}), base model ${request.baseModel}`);
    show(`reading ${data.name}…`);
    const report = await runTraining(job, {
      signal,
      onProgress: this.progressReporter(show),
      log: (line) => this.log.warn(`[training] ${line}`),
    });
    await this.remember(report.outputDir);
    this.log.info(
      `trained ${report.outputDir}: test accuracy ${formatPercent(report.test.accuracy)}, macro-F1 ${formatPercent(report.test.macroF1)} on ${report.examples.test} examples, ` +
        `validation accuracy ${formatPercent(report.validation.accuracy)}; ${formatDuration(report.totalMs)}`,
    );
    for (const metrics of report.test.perLabel) {
      this.log.info(`  ${metrics.label}: precision ${formatPercent(metrics.precision)}, recall ${formatPercent(metrics.recall)}, F1 ${formatPercent(metrics.f1)} (${metrics.support} test examples)`);
    }
    if (report.skipped.length > 0) this.log.warn(`${report.skipped.length} rows of ${data.name} were skipped (the first ones are listed above)`);

    show('evaluating the new model on the test split…');
    const testFile = data.test ?? this.writeTestSplit(report, data.name);
    const testColumns: DatasetColumns = data.test ? schema : { format: 'jsonl', textColumn: 'text', labelColumn: 'label' };
    return this.compare(report, request.baseModel, testFile, testColumns, signal, show);
  }

  /** The new model, and the base model when its labels are the dataset's, on the test split, in a worker of their own. */
  private async compare(report: TrainingReport, baseModel: string, testFile: string, columns: DatasetColumns, signal: AbortSignal, show: (message: string) => void): Promise<TrainingResult> {
    const client = new ClassifierClient({
      workerScript: path.join(this.extension.extensionPath, 'dist', 'worker.js'),
      log: (line) => this.log.info(`[report worker] ${line}`),
    });
    try {
      const evaluate = async (modelDir: string) => {
        const model = await client.loadModel(modelDir, { ...this.config.engineOptions, cacheSize: 0 });
        const { executionProvider } = await client.status();
        return this.evaluations.run(testFile, columns, { signal, worker: { client, model, executionProvider } });
      };
      const trained = await evaluate(report.outputDir);
      const baseLabels = readLabels(baseModel);
      const sameLabels = baseLabels !== undefined && [...baseLabels].sort().join('\n') === [...report.labels].sort().join('\n');
      if (!sameLabels) {
        const reason = `its labels (${baseLabels?.join(', ') ?? 'unreadable'}) are not the dataset's (${report.labels.join(', ')})`;
        this.log.info(`the base model is not evaluated on the test split: ${reason}`);
        return { modelDir: report.outputDir, report, trained, baseNotCompared: reason };
      }
      show('evaluating the base model on the same split…');
      return { modelDir: report.outputDir, report, trained, base: await evaluate(baseModel) };
    } catch (error) {
      // The model is complete and kept: only its report is missing.
      if (signal.aborted) throw new Error(`the report was cancelled; the model ${report.outputDir} is complete and kept`, { cause: error });
      throw new Error(`the model ${report.outputDir} is complete, but evaluating it on the test split failed: ${errorMessage(error)}`, { cause: error });
    } finally {
      await client.dispose();
    }
  }

  /** The test examples of a split made here, as JSONL in extension storage (the report opens its rows there). */
  private writeTestSplit(report: TrainingReport, datasetName: string): string {
    const folder = path.join((this.extension.storageUri ?? this.extension.globalStorageUri).fsPath, 'training', path.basename(report.outputDir));
    fs.mkdirSync(folder, { recursive: true });
    const file = path.join(folder, `${path.basename(datasetName).replace(/\.[^.]+$/, '')}.test.jsonl`);
    fs.writeFileSync(file, report.testExamples.map((example) => `${JSON.stringify({ text: example.text, label: example.label, line: example.line })}\n`).join(''));
    return file;
  }

  /** Each progress event in the notification; the output channel gets every phase change and, for the many small steps, a line every few seconds. */
  private progressReporter(show: (message: string) => void): (progress: TrainingProgress) => void {
    let lastLogged = 0;
    let lastPhase = '';
    return (progress) => {
      const left = progress.remainingMs === undefined ? '' : ` · about ${formatDuration(progress.remainingMs)} left`;
      const line = `${progress.message}${left}`;
      show(line);
      const frequent = progress.epoch !== undefined || (progress.phase === 'features' && progress.total !== undefined);
      const now = Date.now();
      if (!frequent || progress.phase !== lastPhase || now - lastLogged >= logIntervalMs) {
        this.log.info(`[training] ${line}`);
        lastLogged = now;
      }
      lastPhase = progress.phase;
    };
  }

  private async remember(dir: string): Promise<void> {
    const known = this.extension.globalState.get<string[]>(trainedKey, []).filter((known) => known !== dir);
    await this.extension.globalState.update(trainedKey, [dir, ...known]);
  }

  private end(outcome: TrainingOutcome): void {
    this.last = outcome;
    this.ended.fire(outcome);
  }

  dispose(): void {
    this.ended.dispose();
  }
}

/** The labels of a model directory's config.json (id2label in id order), or undefined. */
function readLabels(modelDir: string): string[] | undefined {
  try {
    const config = JSON.parse(fs.readFileSync(path.join(modelDir, 'config.json'), 'utf8')) as { id2label?: Record<string, string> };
    if (!config.id2label) return undefined;
    return Object.entries(config.id2label).sort(([a], [b]) => Number(a) - Number(b)).map(([, label]) => label);
  } catch {
    return undefined;
  }
}
