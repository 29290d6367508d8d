// A code lens above each classified unit (and classified selection) with its top label and score (a
// regression model's value as "label = value"), a "?" when the score is uncertain and "edited — re-classify" once its text changed; clicking it shows
// the unit in the Results view (a stale one: classifies the document again). Shown where
// textClassifier.display asks for lenses. Lenses are provided bare and resolved by VS Code for the visible ones only.
// A document with thousands of units gets lenses only around the lines its editors show (more as
// they scroll): handing VS Code ten thousand lenses at once costs the extension host about 30 ms
// of uninterrupted work, twice that on a busy machine.
import * as vscode from 'vscode';
import type { Config } from '../config';
import { showsLenses } from './display';
import { isUncertain, scoresAreValues, staleText, topLabelText } from './labels';
import { firstUnitEndingAtOrAfter, type ResultsStore, type ResultUnit } from '../editor/results';

/** Documents with more units than this get lenses around their visible lines only. */
const allLensesUpTo = 1000;
/** Lines above and below the visible ones that get lenses, so that scrolling finds them there. */
const marginLines = 500;

class UnitLens extends vscode.CodeLens {
  /** `explain`: the "Explain" action beside the score lens. */
  /** `values`: the unit's scores are a regression model's values. */
  constructor(range: vscode.Range, readonly uri: vscode.Uri, readonly unit: ResultUnit, readonly values: boolean, readonly selection = false, readonly explain = false) {
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
        if (['codeLens.enabled', 'display', 'lowConfidenceThreshold'].some((name) => event.affectsConfiguration(`textClassifier.${name}`))) this.changed.fire();
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
    if (!results || !showsLenses(this.config, results)) return [];
    let units = results.units;
    const window = units.length > allLensesUpTo ? visibleWindow(document) : undefined;
    if (window) {
      this.covered.set(key, window);
      const from = firstUnitEndingAtOrAfter(units, document.offsetAt(new vscode.Position(window.first, 0)));
      const to = firstUnitEndingAtOrAfter(units, document.offsetAt(new vscode.Position(window.last + 1, 0)));
      units = units.slice(from, to + 1);
    }
    return [
      ...units.flatMap((unit) => this.lensesFor(document, unit, scoresAreValues(results), false)),
      ...results.selections.flatMap((selection) => this.lensesFor(document, selection, scoresAreValues(results), true)),
    ];
  }

  /** The lenses of one unit, at its start. */
  private lensesFor(document: vscode.TextDocument, unit: ResultUnit, values: boolean, selection: boolean): UnitLens[] {
    const start = document.positionAt(unit.start);
    const range = new vscode.Range(start, start);
    const lenses = [new UnitLens(range, document.uri, unit, values, selection)];
    // A stale unit's words no longer match its scores, and a selection is not a unit the command can find.
    if (!selection && !unit.stale) lenses.push(new UnitLens(range, document.uri, unit, values, false, true));
    return lenses;
  }

  resolveCodeLens(lens: UnitLens): UnitLens {
    const { unit, values } = lens;
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
    const uncertain = isUncertain(unit.labels, this.config.lowConfidenceThreshold, values);
    const prefix = lens.selection ? 'selection: ' : '';
    const scores = unit.labels.map((score) => `${score.label}${values ? ' =' : ''} ${score.score.toFixed(3)}`).join(' · ') + (values ? ' (regression: values, not probabilities)' : '');
    lens.command = unit.stale
      ? {
        title: `${prefix}${staleText} (was ${topLabelText(unit.labels, values)})`,
        tooltip: `Edited since it was classified (then: ${scores}). Click to classify the document again.`,
        command: 'textClassifier.classifyDocument',
        arguments: [lens.uri],
      }
      : {
        title: prefix + topLabelText(unit.labels, values) + (uncertain ? ' ?' : '') + windows,
        tooltip: scores + (uncertain ? ` — uncertain: top score below ${this.config.lowConfidenceThreshold.toFixed(2)}` : ''),
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
