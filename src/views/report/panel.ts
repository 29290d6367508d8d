// The evaluation report: one webview panel per dataset and model. The page (media/report) draws the
// metrics and charts from the record posted to it; its buttons and rows run the extension's commands
// (open a dataset line, export the predictions, copy the metrics, use the model, explain a row's
// classification). Strict CSP: only this extension's media files and one nonce.
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { contributionsTo } from '../../classifier/explanation';
import type { ExplanationService, LoadedModel } from '../../editor/explanations';
import type { EvaluationRecord, EvaluationStore } from '../../evaluation/store';
import { errorMessage } from '../../classifier/errors';

const viewType = 'textClassifier.report';

/** What the page keeps (vscode.setState) so that the report can be restored after a reload. */
interface PageState {
  /** Absent in states kept before evaluation ids were kept. */
  id?: string;
  datasetPath: string;
  modelDir: string;
}

/** Skipped rows sent to the page; the rest are counted (the record keeps them all). */
const maxSkippedShown = 500;

/** Messages from the page. */
export type ReportRequest =
  | { type: 'ready' }
  | { type: 'openLine'; line: number }
  | { type: 'export'; format: 'csv' | 'jsonl' }
  | { type: 'copyMetrics' }
  | { type: 'useModel' }
  | { type: 'explain'; id: number; text: string }
  | { type: 'evaluateHeldOut' }
  | { type: 'evaluateAllRows' }
  | { type: 'compareWith' };

/** The answer to 'explain': the row's words with their contributions to `label`, or why there are none. */
export type RowExplanation =
  | { type: 'explanation'; id: number; label: string; words: { word: string; start: number; end: number; contribution: number }[]; wordsPerGroup: number }
  | { type: 'explanation'; id: number; error: string };

/** What explains a row: the editor's worker, with the model it has loaded. */
export interface RowExplainer {
  models: LoadedModel;
  explanations: ExplanationService;
}

export class ReportPanels implements vscode.Disposable {
  private readonly panels = new Map<string, { panel: vscode.WebviewPanel; record: EvaluationRecord }>();
  private active: string | undefined;

  private readonly serializer: vscode.Disposable;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly store: EvaluationStore,
    private readonly explainer: RowExplainer,
  ) {
    // Reports open when the window closed come back after a reload, from the stored evaluation.
    this.serializer = vscode.window.registerWebviewPanelSerializer(viewType, {
      deserializeWebviewPanel: (panel, state: PageState | undefined) => this.restore(panel, state),
    });
  }

  /** The record of the report last focused, for the palette commands. */
  get activeRecord(): EvaluationRecord | undefined {
    return this.active ? this.panels.get(this.active)?.record : undefined;
  }

  /** The open report panel of an evaluation (tests read its HTML). */
  panel(id: string): vscode.WebviewPanel | undefined {
    return this.panels.get(id)?.panel;
  }

  /** `column`: where a new panel opens (e.g. Beside, for two reports side by side). */
  show(record: EvaluationRecord, column: vscode.ViewColumn = vscode.ViewColumn.Active): vscode.WebviewPanel {
    const open = this.panels.get(record.id);
    if (open) {
      open.record = record;
      void open.panel.webview.postMessage({ type: 'report', report: pageData(record) });
      open.panel.reveal();
      this.active = record.id;
      return open.panel;
    }
    const panel = vscode.window.createWebviewPanel(viewType, title(record), column, this.webviewOptions());
    this.attach(panel, record);
    return panel;
  }

  private webviewOptions(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return { enableScripts: true, localResourceRoots: [this.media], retainContextWhenHidden: true };
  }

  private get media(): vscode.Uri {
    return vscode.Uri.joinPath(this.extensionUri, 'media', 'report');
  }

  private async restore(panel: vscode.WebviewPanel, state: PageState | undefined): Promise<void> {
    const record = state && (await (state.id ? this.store.byId(state.id) : this.store.get(state.datasetPath, state.modelDir)));
    if (!record || this.panels.has(record.id)) {
      panel.dispose(); // the evaluation is gone (storage cleared) or its report is open already
      return;
    }
    panel.webview.options = this.webviewOptions();
    panel.title = title(record);
    this.attach(panel, record);
  }

  private attach(panel: vscode.WebviewPanel, record: EvaluationRecord): void {
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'text-classifier.svg');
    const entry = { panel, record };
    this.panels.set(record.id, entry);
    this.active = record.id;
    panel.webview.html = pageHtml(panel.webview, this.media);
    panel.onDidChangeViewState(() => {
      if (panel.active) this.active = record.id;
    });
    panel.onDidDispose(() => {
      this.panels.delete(record.id);
      if (this.active === record.id) this.active = undefined;
    });
    panel.webview.onDidReceiveMessage((message: ReportRequest) => this.onRequest(entry, message));
  }

  private onRequest(entry: { panel: vscode.WebviewPanel; record: EvaluationRecord }, message: ReportRequest): void {
    const { record } = entry;
    switch (message.type) {
      case 'ready':
        void entry.panel.webview.postMessage({ type: 'report', report: pageData(record) });
        return;
      case 'openLine':
        void vscode.commands.executeCommand('textClassifier.openDatasetLine', record.datasetPath, message.line);
        return;
      case 'export':
        void vscode.commands.executeCommand('textClassifier.exportPredictions', record, message.format);
        return;
      case 'copyMetrics':
        void vscode.commands.executeCommand('textClassifier.copyMetrics', record);
        return;
      case 'useModel':
        // Select Model…'s own path: loads it in the editor's worker and remembers it.
        void vscode.commands.executeCommand('textClassifier.selectModel', record.model.dir);
        return;
      case 'explain':
        void this.explainRow(record, message.id, message.text).then((answer) => entry.panel.webview.postMessage(answer));
        return;
      case 'evaluateHeldOut':
      case 'evaluateAllRows':
        // The model in the editor's worker, as every Evaluate; the report in front is replaced by the new one.
        void vscode.commands.executeCommand('textClassifier.evaluateDataset', record.datasetPath, { heldOutOnly: message.type === 'evaluateHeldOut' });
        return;
      case 'compareWith':
        // Compare Evaluations… with this side chosen: asks for the other model's evaluation of the dataset.
        void vscode.commands.executeCommand('textClassifier.compareEvaluations', record);
        return;
    }
  }

  /** A row's words coloured by the report's model: only when the editor's worker has that model loaded. */
  private async explainRow(record: EvaluationRecord, id: number, text: string): Promise<RowExplanation> {
    try {
      const model = await this.explainer.models.ensureLoaded();
      if (model.dir !== record.model.dir) {
        return { type: 'explanation', id, error: `The editor runs ${model.name}, not ${record.model.name} that made this report: choose Use This Model to see which words pushed its prediction.` };
      }
      const explanation = await this.explainer.explanations.explainText(text);
      const label = explanation.labels[0]?.label ?? '';
      return { type: 'explanation', id, label, words: contributionsTo(explanation, label), wordsPerGroup: explanation.wordsPerGroup };
    } catch (error) {
      return { type: 'explanation', id, error: `Could not explain this row: ${errorMessage(error)}` };
    }
  }

  dispose(): void {
    this.serializer.dispose();
    for (const { panel } of this.panels.values()) panel.dispose();
  }
}

function title(record: EvaluationRecord): string {
  return `Report: ${path.basename(record.datasetPath)} · ${record.model.name}`;
}

/** What the page draws. */
function pageData(record: EvaluationRecord) {
  const { skippedRows, ...result } = record.result;
  return {
    id: record.id,
    dataset: { path: record.datasetPath, name: path.basename(record.datasetPath) },
    model: record.model,
    executionProvider: record.executionProvider,
    finishedAt: record.finishedAt,
    result: { ...result, skippedRows: skippedRows.slice(0, maxSkippedShown) },
  };
}

/** A report page: report.js (one evaluation) or compare.js (two), after the helpers both use (common.js). */
export function pageHtml(webview: vscode.Webview, media: vscode.Uri, page: { script: string; styles: string[]; title: string } = { script: 'report.js', styles: ['report.css'], title: 'Evaluation report' }): string {
  const nonce = randomBytes(16).toString('base64');
  const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(media, name)).toString();
  const csp = [`default-src 'none'`, `style-src ${webview.cspSource}`, `img-src ${webview.cspSource}`, `font-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${page.styles.map((style) => `<link rel="stylesheet" href="${asset(style)}">`).join('\n')}
<title>${page.title}</title>
</head>
<body>
<main id="report" aria-busy="true"><p class="loading">Loading the report…</p></main>
<script nonce="${nonce}" src="${asset('common.js')}"></script>
<script nonce="${nonce}" src="${asset(page.script)}"></script>
</body>
</html>`;
}
