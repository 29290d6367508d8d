// A code lens above each classified unit with its top label and score; clicking it shows the unit
// in the Results view. Lenses are provided bare and resolved by VS Code for the visible ones only.
// A document with thousands of units gets lenses only around the lines its editors show (more as
// they scroll): handing VS Code ten thousand lenses at once costs the extension host about 30 ms
// of uninterrupted work, twice that on a busy machine.
import * as vscode from 'vscode';
import type { ClassifiedSegment } from '../classifier/types';
import type { Config } from '../config';
import { topLabelText } from './labels';
import { firstUnitEndingAtOrAfter, type ResultsStore } from './results';

/** Documents with more units than this get lenses around their visible lines only. */
const allLensesUpTo = 1000;
/** Lines above and below the visible ones that get lenses, so that scrolling finds them there. */
const marginLines = 500;

class UnitLens extends vscode.CodeLens {
  /** `explain`: the "Explain" action beside the score lens. */
  constructor(range: vscode.Range, readonly uri: vscode.Uri, readonly unit: ClassifiedSegment, readonly explain = false) {
    super(range);
  }
}

interface LineWindow {
  first: number;
  last: number;
}

export class ResultsCodeLensProvider implements vscode.CodeLensProvider<UnitLens>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];
  /** Per large document: the lines the last lenses covered. */
  private readonly covered = new Map<string, LineWindow>();

  constructor(private readonly results: ResultsStore, private readonly config: Config) {
    this.subscriptions = [
      results.onDidChange(() => this.changed.fire()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('textClassifier.codeLens.enabled')) this.changed.fire();
      }),
      vscode.window.onDidChangeTextEditorVisibleRanges(({ textEditor, visibleRanges }) => {
        const covered = this.covered.get(textEditor.document.uri.toString());
        if (covered && visibleRanges.some((range) => range.start.line < covered.first || range.end.line > covered.last)) this.changed.fire();
      }),
    ];
  }

  provideCodeLenses(document: vscode.TextDocument): UnitLens[] {
    const key = document.uri.toString();
    this.covered.delete(key);
    const results = this.results.get(document.uri);
    if (!results || !this.config.codeLensEnabled) return [];
    let units = results.units;
    const window = units.length > allLensesUpTo ? visibleWindow(document) : undefined;
    if (window) {
      this.covered.set(key, window);
      const from = firstUnitEndingAtOrAfter(units, document.offsetAt(new vscode.Position(window.first, 0)));
      const to = firstUnitEndingAtOrAfter(units, document.offsetAt(new vscode.Position(window.last + 1, 0)));
      units = units.slice(from, to + 1);
    }
    return units.flatMap((unit) => {
      const start = document.positionAt(unit.start);
      const range = new vscode.Range(start, start);
      return [new UnitLens(range, document.uri, unit), new UnitLens(range, document.uri, unit, true)];
    });
  }

  resolveCodeLens(lens: UnitLens): UnitLens {
    const { unit } = lens;
    if (lens.explain) {
      lens.command = {
        title: 'Explain',
        tooltip: 'Colour the words by how much they raised or lowered the label (again: clear)',
        command: 'textClassifier.explainClassification',
        arguments: [lens.uri, unit.start],
      };
      return lens;
    }
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

/** The lines the editors of `document` show, widened by the margin; undefined when no editor shows it. */
function visibleWindow(document: vscode.TextDocument): LineWindow | undefined {
  const ranges = vscode.window.visibleTextEditors.filter((editor) => editor.document === document).flatMap((editor) => editor.visibleRanges);
  if (ranges.length === 0) return undefined;
  return {
    first: Math.max(0, Math.min(...ranges.map((range) => range.start.line)) - marginLines),
    last: Math.min(document.lineCount - 1, Math.max(...ranges.map((range) => range.end.line)) + marginLines),
  };
}
