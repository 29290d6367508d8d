// Wiring only: builds the services, registers the commands and providers, returns the public API.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ClassifierClient, RequestCancelledError } from './classifier/client';
import { Config } from './config';
import { ExplanationService } from './editor/explanations';
import { EvaluationService } from './editor/evaluation';
import { EvaluationStore } from './evaluation/store';
import { describeCheck } from './classifier/checkSummary';
import type { ModelCheck } from './classifier/types';
import { downloadedModelsRoot, downloadFromHub, type ConfirmDownload } from './hub/downloadCommand';
import { DocumentClassifier } from './editor/classify';
import { ResultsCodeLensProvider } from './views/codeLens';
import { ResultDecorations } from './views/decorations';
import { datasetCommands } from './views/datasets/commands';
import { DatasetSettings } from './editor/datasetSettings';
import { DatasetSummaries } from './editor/datasetSummaries';
import { DatasetsTreeProvider } from './views/datasets/tree';
import { explainClassification } from './views/explainClassification';
import { ExplanationDecorations } from './views/explainDecorations';
import { ExplanationHoverProvider, HoveredUnits, ScoreHoverProvider } from './views/hover';
import { pickModel } from './views/modelPicker';
import { ModelManager } from './editor/models';
import { ReportPanels } from './views/report/panel';
import { comparisonCommands } from './views/report/compareCommands';
import { ComparisonPanels } from './views/report/comparePanel';
import { ResultsStore } from './editor/results';
import { arrangeResults } from './views/arrangeResults';
import { ResultsTreeProvider, type Arrangement, type ResultNode } from './views/resultsTree';
import { serviceCommands } from './views/service/commands';
import { LocalService } from './editor/localService';
import { ServiceStatusItem } from './views/service/statusItem';
import { StatusBar } from './views/statusBar';
import { StatusReport } from './views/statusReport';
import { trainingCommands } from './views/training/commands';
import { TrainingService } from './editor/training';
import { QuantizeService } from './editor/quantize';
import { quantizeModel, type QuantizeCommandOptions } from './views/quantizeModel';
import { errorMessage, errorStack } from './classifier/errors';
import type { Command } from './views/command';

/** What activate() returns: the services, for other extensions and the integration tests. */
export interface TextClassifierApi {
  readonly client: ClassifierClient;
  readonly models: ModelManager;
  readonly results: ResultsStore;
  readonly resultsTree: ResultsTreeProvider;
  readonly resultsView: vscode.TreeView<ResultNode>;
  readonly decorations: ResultDecorations;
  readonly classifier: DocumentClassifier;
  readonly datasets: DatasetsTreeProvider;
  readonly evaluations: EvaluationService;
  readonly reports: ReportPanels;
  /** Two evaluations side by side: comparisons.show(a, b) (e.g. fp32 and int8). */
  readonly comparisons: ComparisonPanels;
  readonly training: TrainingService;
  readonly service: LocalService;
  readonly serviceStatus: ServiceStatusItem;
  readonly explanations: ExplanationService;
  readonly explanationDecorations: ExplanationDecorations;
  readonly quantize: QuantizeService;
}

/** The extension's services; owns every disposable and disposes them in reverse order. */
class Ctx implements TextClassifierApi, vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  readonly config = new Config();
  readonly log = this.own(vscode.window.createOutputChannel('Text Classifier', { log: true }));
  readonly client: ClassifierClient;
  readonly models: ModelManager;
  readonly results = this.own(new ResultsStore());
  readonly resultsTree = this.own(new ResultsTreeProvider(this.results, this.config));
  readonly resultsView = this.own(vscode.window.createTreeView('textClassifier.results', { treeDataProvider: this.resultsTree, showCollapseAll: true }));
  readonly decorations = this.own(new ResultDecorations(this.results, this.config));
  readonly statusBar: StatusBar;
  readonly classifier: DocumentClassifier;
  readonly statusReport: StatusReport;
  readonly datasetSettings: DatasetSettings;
  readonly evaluations: EvaluationService;
  readonly datasets: DatasetsTreeProvider;
  readonly reports: ReportPanels;
  readonly comparisons: ComparisonPanels;
  readonly training: TrainingService;
  readonly service: LocalService;
  readonly serviceStatus: ServiceStatusItem;
  readonly explanations: ExplanationService;
  readonly explanationDecorations: ExplanationDecorations;
  readonly quantize: QuantizeService;

  constructor(readonly extension: vscode.ExtensionContext) {
    this.client = new ClassifierClient({
      workerScript: path.join(extension.extensionPath, 'dist', 'worker.js'),
      log: (line) => this.log.info(`[worker] ${line}`),
    });
    this.own({ dispose: () => void this.client.dispose() });
    this.own(this.client.onRestart((reason) => {
      this.log.warn(`worker restarted: ${reason}`);
      void vscode.window.showWarningMessage(`Text Classifier worker restarted: ${reason}`);
    }));
    this.resultsTree.showArrangementIn(this.resultsView);
    this.models = this.own(new ModelManager(extension, this.client, this.config, this.log));
    this.statusBar = this.own(new StatusBar(this.models));
    this.classifier = this.own(new DocumentClassifier(this.client, this.models, this.results, this.config, this.statusBar, this.log));
    this.statusReport = this.own(new StatusReport(this.client, this.models, () => this.service?.info));
    this.own(vscode.languages.registerCodeLensProvider(textDocuments, this.own(new ResultsCodeLensProvider(this.results, this.config))));
    this.explanations = this.own(new ExplanationService(this.client, this.models));
    this.explanationDecorations = this.own(new ExplanationDecorations(this.results));
    const hoveredUnits = new HoveredUnits(this.results, this.classifier, this.log);
    // Registered first so that VS Code lists it after the scores (it orders the newest provider first).
    this.own(vscode.languages.registerHoverProvider(textDocuments, new ExplanationHoverProvider(hoveredUnits, this.explanations, this.explanationDecorations, this.config)));
    this.own(vscode.languages.registerHoverProvider(textDocuments, new ScoreHoverProvider(hoveredUnits, this.models, this.config)));
    this.datasetSettings = this.own(new DatasetSettings(extension.workspaceState));
    const evaluationsRoot = path.join((extension.storageUri ?? extension.globalStorageUri).fsPath, 'evaluations');
    this.evaluations = this.own(new EvaluationService(this.client, this.models, new EvaluationStore(evaluationsRoot), this.log));
    this.datasets = this.own(new DatasetsTreeProvider(this.own(new DatasetSummaries()), this.datasetSettings, this.evaluations, () => this.config.datasets, () => this.models.model?.labels));
    this.own(vscode.window.createTreeView('textClassifier.datasets', { treeDataProvider: this.datasets, showCollapseAll: true }));
    this.reports = this.own(new ReportPanels(extension.extensionUri, this.evaluations.store, { models: this.models, explanations: this.explanations }));
    this.comparisons = this.own(new ComparisonPanels(extension.extensionUri, this.evaluations.store));
    this.training = this.own(new TrainingService(extension, this.evaluations, this.config, this.log));
    this.service = this.own(new LocalService(this.client, this.models, this.config, this.log));
    this.serviceStatus = this.own(new ServiceStatusItem(this.service));
    this.quantize = this.own(new QuantizeService(extension.extensionPath, this.log));
    for (const [name, factory] of Object.entries({ ...commands, ...datasetCommands, ...trainingCommands, ...serviceCommands, ...comparisonCommands })) {
      this.own(vscode.commands.registerCommand(`textClassifier.${name}`, reportingErrors(this, name, factory(this))));
    }
  }

  own<T extends vscode.Disposable>(disposable: T): T {
    this.disposables.push(disposable);
    return disposable;
  }

  dispose(): void {
    for (const disposable of this.disposables.reverse()) disposable.dispose();
  }
}

/** Files and unsaved documents; not output channels, diffs of other schemes or virtual documents. */
const textDocuments: vscode.DocumentSelector = [{ scheme: 'file' }, { scheme: 'untitled' }];

/** Each command: a small function of the context. */
const commands: Record<string, (ctx: Ctx) => Command> = {
  classifyDocument: (ctx) => async (uri?: vscode.Uri) => {
    const document = uri ? await vscode.workspace.openTextDocument(uri) : activeEditor().document;
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Classifying ${path.basename(document.uri.path)}`, cancellable: true },
      async (progress, token) => {
        const request = new AbortController();
        const cancellation = token.onCancellationRequested(() => request.abort());
        let reported = 0;
        try {
          return await ctx.classifier.classifyDocument(document, {
            signal: request.signal,
            onProgress: (done, total) => {
              const percent = (100 * done) / Math.max(1, total);
              progress.report({ message: `${done} of ${total} units`, increment: percent - reported });
              reported = percent;
            },
          });
        } finally {
          cancellation.dispose();
        }
      },
    );
  },
  classifySelection: (ctx) => async () => {
    const classified = await ctx.classifier.classifySelections(activeEditor());
    const summary = classified.map((unit) => unit.labels.map((score) => `${score.label} ${score.score.toFixed(2)}`).join(', ')).join(' | ');
    void vscode.window.showInformationMessage(`Text Classifier: ${summary}`);
    return classified;
  },
  clearResults: (ctx) => () => ctx.results.clear(),
  arrangeResults: (ctx) => (change?: Partial<Arrangement>) => (change ? ctx.resultsTree.arrange(change) : arrangeResults(ctx.resultsTree, ctx.config)),
  toggleLowConfidenceFilter: (ctx) => () => ctx.resultsTree.arrange({ lowConfidenceOnly: !ctx.resultsTree.arrangement.lowConfidenceOnly }),
  showAllConfidence: (ctx) => () => ctx.resultsTree.arrange({ lowConfidenceOnly: false }),
  showMoreResults: (ctx) => (node: Extract<ResultNode, { kind: 'more' }>) => ctx.resultsTree.showMore(node),
  selectModel: (ctx) => async (dir?: string) => {
    const variant = ctx.config.engineOptions.modelVariant;
    const choice = dir ? { dir } : await pickModel(ctx.models, downloadedModelsRoot(ctx.extension), ctx.training.trainedModels(), {
      check: (modelDir) => ctx.models.checks.check(modelDir, variant),
      known: (modelDir) => ctx.models.checks.cached(modelDir, variant),
    });
    if (choice === 'download') return downloadAndUse(ctx);
    return choice ? useModel(ctx, choice.dir, choice.check) : undefined;
  },
  /** `options.confirm` answers the Use / Cancel question itself (tests, other extensions); it gets what the user would see. */
  downloadModel: (ctx) => (repoId?: string, options?: { confirm?: ConfirmDownload }) => downloadAndUse(ctx, repoId, options?.confirm),
  toggleLiveClassification: (ctx) => async () => {
    const on = !ctx.config.liveClassification;
    await ctx.config.setLiveClassification(on);
    void vscode.window.setStatusBarMessage(`Text Classifier: live classification ${on ? 'on' : 'off'}`, 3000);
    const editor = vscode.window.activeTextEditor;
    if (on && editor && !ctx.results.get(editor.document.uri)) await ctx.classifier.classifyDocument(editor.document);
    return on;
  },
  showStatus: (ctx) => () => ctx.statusReport.show(),
  quantizeModel: (ctx) => (options?: QuantizeCommandOptions) => quantizeModel(
    { quantize: ctx.quantize, models: ctx.models, datasets: ctx.datasets, datasetSettings: ctx.datasetSettings, globalModelsRoot: ctx.training.globalModelsRoot },
    options,
  ),
  revealUnit: () => async (uri: vscode.Uri, start: number, end: number) => {
    const document = await vscode.workspace.openTextDocument(uri);
    const range = new vscode.Range(document.positionAt(start), document.positionAt(end));
    await vscode.window.showTextDocument(document, { selection: range, preserveFocus: false });
  },
  explainClassification: (ctx) => (target?: ResultNode | vscode.Uri, start?: number) =>
    explainClassification(
      { results: ctx.results, classifier: ctx.classifier, explanations: ctx.explanations, decorations: ctx.explanationDecorations, activity: ctx.statusBar },
      target, start,
    ),
  showInResults: (ctx) => async (uri: vscode.Uri, start: number) => {
    const node = ctx.resultsTree.unitNode(uri, start);
    if (node) await ctx.resultsView.reveal(node, { select: true, focus: true, expand: true });
  },
};

async function downloadAndUse(ctx: Ctx, repoId?: string, confirm?: ConfirmDownload) {
  const modelDir = await downloadFromHub(ctx.extension, ctx.config, ctx.client, ctx.log, repoId, confirm);
  return modelDir ? useModel(ctx, modelDir) : undefined;
}

/** `check`: what Select Model… found when it listed the model, said again in the status bar. */
async function useModel(ctx: Ctx, dir: string, check?: ModelCheck) {
  const model = await ctx.models.use(dir);
  // What the load found (as `textclf models --check` reports it); a directory the engine cannot run was refused with its one-sentence reason.
  const kind = model.problemType === 'regression' ? 'regression' : `${model.labels.length} labels: ${model.labels.join(', ')}`;
  const found = check ? describeCheck(check) : `${model.modelType}, ${model.variant ?? 'fp32'}, ${kind}, ${model.maxTokens}-token windows`;
  void vscode.window.setStatusBarMessage(`Text Classifier: using ${model.name} (${found})`, 5000);
  return model;
}

function activeEditor(): vscode.TextEditor {
  const editor = vscode.window.activeTextEditor;
  if (!editor) throw new Error('Open a text document first.');
  return editor;
}

/** A failed command shows its error and logs it in full; a cancelled one says nothing. */
function reportingErrors(ctx: Ctx, name: string, command: Command): Command {
  return async (...args) => {
    try {
      return await command(...args);
    } catch (error) {
      if (error instanceof RequestCancelledError || (error instanceof Error && /cancelled/i.test(error.message))) {
        ctx.log.info(`${name}: ${errorMessage(error)}`);
        return undefined;
      }
      ctx.log.error(`${name} failed: ${errorStack(error)}`);
      void vscode.window.showErrorMessage(`Text Classifier: ${errorMessage(error)}`, 'Show Log').then((choice) => {
        if (choice) ctx.log.show();
      });
      return undefined;
    }
  };
}

let active: Ctx | undefined;

export function activate(context: vscode.ExtensionContext): TextClassifierApi {
  active = new Ctx(context);
  context.subscriptions.push(active);
  return active;
}

/** Lets VS Code wait for the local service to drain and the worker to shut down. */
export async function deactivate(): Promise<void> {
  await active?.service.stop().catch(() => undefined);
  await active?.client.dispose();
}
