// A code lens above each classified unit with its top label and score; clicking it shows the unit
// in the Results view.
import * as vscode from 'vscode';
import type { Config } from '../config';
import { topLabelText } from './labels';
import type { ResultsStore } from './results';

export class ResultsCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly results: ResultsStore, private readonly config: Config) {
    this.subscriptions = [
      results.onDidChange(() => this.changed.fire()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('textClassifier.codeLens.enabled')) this.changed.fire();
      }),
    ];
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const results = this.results.get(document.uri);
    if (!results || !this.config.codeLensEnabled) return [];
    return results.units.map((unit) => {
      const start = document.positionAt(unit.start);
      const windows = unit.windows > 1 ? ` (${unit.windows} windows)` : '';
      return new vscode.CodeLens(new vscode.Range(start, start), {
        title: topLabelText(unit.labels) + windows,
        tooltip: unit.labels.map((score) => `${score.label} ${score.score.toFixed(3)}`).join(' · '),
        command: 'textClassifier.showInResults',
        arguments: [document.uri, unit.start],
      });
    });
  }

  dispose(): void {
    this.subscriptions.forEach((subscription) => subscription.dispose());
    this.changed.dispose();
  }
}
