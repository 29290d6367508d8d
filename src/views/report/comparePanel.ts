// Two evaluations of one dataset side by side: one webview panel per pair (A, B). The comparison is
// computed here (src/evaluation/compare.ts, streaming both runs' predictions) and posted to the page
// (media/report/compare.js); its rows open the dataset at their line, its buttons open either run's
// report or swap the sides. Same strict CSP as the single report.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { checkComparable, compareEvaluations, type Comparison } from '../../evaluation/compare';
import type { EvaluationRecord, EvaluationStore } from '../../evaluation/store';
import { pageHtml } from './panel';

const viewType = 'textClassifier.comparison';

/** What the page keeps (vscode.setState) so that the comparison can be restored after a reload. */
interface PageState {
  /** The evaluations' ids, A then B. */
  ids: [string, string];
}

/** Messages from the page. */
export type ComparisonRequest =
  | { type: 'ready' }
  | { type: 'openLine'; line: number }
  | { type: 'openReport'; side: 'a' | 'b' }
  | { type: 'swap' };

interface OpenComparison {
  panel: vscode.WebviewPanel;
  a: EvaluationRecord;
  b: EvaluationRecord;
  comparison: Promise<Comparison>;
}

export class ComparisonPanels implements vscode.Disposable {
  private readonly panels = new Map<string, OpenComparison>();
  private readonly serializer: vscode.Disposable;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly store: EvaluationStore,
  ) {
    this.serializer = vscode.window.registerWebviewPanelSerializer(viewType, {
      deserializeWebviewPanel: (panel, state: PageState | undefined) => this.restore(panel, state),
    });
  }

  /** The open comparison panel of A and B (tests read its HTML). */
  panel(a: EvaluationRecord, b: EvaluationRecord): vscode.WebviewPanel | undefined {
    return this.panels.get(key(a, b))?.panel;
  }

  /**
   * Opens (or reveals) the comparison of two evaluations of the same dataset, e.g. fp32 and int8; resolves
   * with what the page shows, and rejects (closing the panel) when they cannot be compared.
   */
  show(a: EvaluationRecord, b: EvaluationRecord, column: vscode.ViewColumn = vscode.ViewColumn.Active): Promise<Comparison> {
    const open = this.panels.get(key(a, b));
    if (open) {
      open.panel.reveal();
      return open.comparison;
    }
    try {
      checkComparable(a, b);
    } catch (error) {
      return Promise.reject(error);
    }
    const panel = vscode.window.createWebviewPanel(viewType, title(a, b), column, this.webviewOptions());
    return this.attach(panel, a, b).comparison;
  }

  private webviewOptions(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return { enableScripts: true, localResourceRoots: [this.media], retainContextWhenHidden: true };
  }

  private get media(): vscode.Uri {
    return vscode.Uri.joinPath(this.extensionUri, 'media', 'report');
  }

  private async restore(panel: vscode.WebviewPanel, state: PageState | undefined): Promise<void> {
    const [a, b] = Array.isArray(state?.ids) ? await Promise.all(state.ids.map((id) => this.store.byId(id))) : [];
    if (!a || !b || this.panels.has(key(a, b))) {
      panel.dispose(); // an evaluation is gone (storage cleared) or the comparison is open already
      return;
    }
    panel.webview.options = this.webviewOptions();
    panel.title = title(a, b);
    // E.g. a predictions file removed since: the panel closes (attach) and says why.
    this.attach(panel, a, b).comparison.catch((error) => vscode.window.showWarningMessage(`Text Classifier: the comparison could not be restored: ${error instanceof Error ? error.message : String(error)}`));
  }

  private attach(panel: vscode.WebviewPanel, a: EvaluationRecord, b: EvaluationRecord): OpenComparison {
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'text-classifier.svg');
    const cancel = new AbortController();
    const comparison = compareEvaluations(
      { record: a, predictionsFile: this.store.predictionsFile(a) },
      { record: b, predictionsFile: this.store.predictionsFile(b) },
      { signal: cancel.signal },
    );
    const entry: OpenComparison = { panel, a, b, comparison };
    this.panels.set(key(a, b), entry);
    panel.webview.html = pageHtml(panel.webview, this.media, { script: 'compare.js', styles: ['report.css', 'compare.css'], title: 'Evaluation comparison' });
    panel.onDidDispose(() => {
      cancel.abort();
      if (this.panels.get(key(a, b)) === entry) this.panels.delete(key(a, b));
    });
    panel.webview.onDidReceiveMessage((message: ComparisonRequest) => this.onRequest(entry, message));
    comparison.catch(() => panel.dispose()); // the caller (the command) shows why
    return entry;
  }

  private onRequest(entry: OpenComparison, message: ComparisonRequest): void {
    switch (message.type) {
      case 'ready':
        void entry.comparison.then(
          (comparison) => entry.panel.webview.postMessage({ type: 'comparison', comparison: pageData(comparison) }),
          () => undefined,
        );
        return;
      case 'openLine':
        void vscode.commands.executeCommand('textClassifier.openDatasetLine', entry.a.datasetPath, message.line);
        return;
      case 'openReport':
        void vscode.commands.executeCommand('textClassifier.openReport', message.side === 'a' ? entry.a : entry.b);
        return;
      case 'swap':
        entry.panel.dispose();
        void this.show(entry.b, entry.a).catch((error) => vscode.window.showErrorMessage(`Text Classifier: ${error instanceof Error ? error.message : String(error)}`));
        return;
    }
  }

  dispose(): void {
    this.serializer.dispose();
    for (const { panel } of this.panels.values()) panel.dispose();
  }
}

const key = (a: EvaluationRecord, b: EvaluationRecord) => `${a.id}|${b.id}`;

function title(a: EvaluationRecord, b: EvaluationRecord): string {
  return `Compare: ${path.basename(a.datasetPath)} · ${a.model.name} vs ${b.model.name}`;
}

/** What the page draws: the comparison, with the dataset's name. */
function pageData(comparison: Comparison) {
  return { ...comparison, dataset: { path: comparison.datasetPath, name: path.basename(comparison.datasetPath) } };
}
