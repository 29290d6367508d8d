// The evaluation report: one webview panel per dataset and model. The page (media/report) draws the
// metrics and charts from the record posted to it; its buttons and rows run the extension's commands
// (open a dataset line, export the predictions, copy the metrics). Strict CSP: only this extension's media files and one nonce.
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EvaluationRecord } from '../../evaluation/store';

/** Skipped rows sent to the page; the rest are counted (the record keeps them all). */
const maxSkippedShown = 500;

/** Messages from the page. */
export type ReportRequest =
  | { type: 'ready' }
  | { type: 'openLine'; line: number }
  | { type: 'export'; format: 'csv' | 'jsonl' }
  | { type: 'copyMetrics' };

export class ReportPanels implements vscode.Disposable {
  private readonly panels = new Map<string, { panel: vscode.WebviewPanel; record: EvaluationRecord }>();
  private active: string | undefined;

  constructor(private readonly extensionUri: vscode.Uri) {}

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
    const media = vscode.Uri.joinPath(this.extensionUri, 'media', 'report');
    const panel = vscode.window.createWebviewPanel('textClassifier.report', title(record), column, {
      enableScripts: true,
      localResourceRoots: [media],
      retainContextWhenHidden: true,
    });
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'text-classifier.svg');
    const entry = { panel, record };
    this.panels.set(record.id, entry);
    this.active = record.id;
    panel.webview.html = pageHtml(panel.webview, media);
    panel.onDidChangeViewState(() => {
      if (panel.active) this.active = record.id;
    });
    panel.onDidDispose(() => {
      this.panels.delete(record.id);
      if (this.active === record.id) this.active = undefined;
    });
    panel.webview.onDidReceiveMessage((message: ReportRequest) => this.onRequest(entry, message));
    return panel;
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
    }
  }

  dispose(): void {
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
    dataset: { path: record.datasetPath, name: path.basename(record.datasetPath) },
    model: record.model,
    executionProvider: record.executionProvider,
    finishedAt: record.finishedAt,
    result: { ...result, skippedRows: skippedRows.slice(0, maxSkippedShown) },
  };
}

export function pageHtml(webview: vscode.Webview, media: vscode.Uri): string {
  const nonce = randomBytes(16).toString('base64');
  const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(media, name)).toString();
  const csp = [`default-src 'none'`, `style-src ${webview.cspSource}`, `img-src ${webview.cspSource}`, `font-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('report.css')}">
<title>Evaluation report</title>
</head>
<body>
<main id="report" aria-busy="true"><p class="loading">Loading the report…</p></main>
<script nonce="${nonce}" src="${asset('report.js')}"></script>
</body>
</html>`;
}
