// A code lens above each classified unit with its top label and score; clicking it shows the unit
// in the Results view. Lenses are provided bare and resolved by VS Code for the visible ones only,
// so a document with ten thousand units costs the extension host little.
import * as vscode from 'vscode';
import type { ClassifiedSegment } from '../classifier/types';
import type { Config } from '../config';
import { topLabelText } from './labels';
import type { ResultsStore } from './results';

class UnitLens extends vscode.CodeLens {
  constructor(range: vscode.Range, readonly uri: vscode.Uri, readonly unit: ClassifiedSegment) {
    super(range);
  }
}

export class ResultsCodeLensProvider implements vscode.CodeLensProvider<UnitLens>, vscode.Disposable {
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

  provideCodeLenses(document: vscode.TextDocument): UnitLens[] {
    const results = this.results.get(document.uri);
    if (!results || !this.config.codeLensEnabled) return [];
    return results.units.map((unit) => {
      const start = document.positionAt(unit.start);
      return new UnitLens(new vscode.Range(start, start), document.uri, unit);
    });
  }

  resolveCodeLens(lens: UnitLens): UnitLens {
    const { unit } = lens;
    const windows = unit.windows > 1 ? ` (${unit.windows} windows)` : '';
    lens.command = {
      title: topLabelText(unit.labels) + windows,
      tooltip: unit.labels.map((score) => `${score.label} ${score.score.toFixed(3)}`).join(' · '),
      command: 'textClassifier.showInResults',
      arguments: [lens.uri, unit.start],
    };
    return lens;
  }

  dispose(): void {
    this.subscriptions.forEach((subscription) => subscription.dispose());
    this.changed.dispose();
  }
}
