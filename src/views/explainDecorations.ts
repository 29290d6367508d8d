// Explain Classification in the editor: each word of an explained unit gets a background by its
// contribution to the unit's label, one hue for the label and one against it, in a few intensities
// (theme colours contributed in package.json: textClassifier.explanationFor1..4 and explanationAgainst1..4,
// one dot each so that the report's webview can use them as CSS variables).
// Hovering a coloured word shows its contribution. The colouring clears when the document is edited,
// on Clear Results, and when the same unit is explained again (the command toggles it).
import * as vscode from 'vscode';
import { contributionsTo, type Explanation } from '../classifier/explanation';
import type { Segment } from '../classifier/types';
import { formatContribution, intensitySteps, intensityStep, strongestContribution } from './contributions';
import type { ResultsStore } from '../editor/results';

/** An explained unit whose words are coloured: `explanation` word offsets are relative to `start`. */
export interface ShownExplanation extends Segment {
  uri: vscode.Uri;
  explanation: Explanation;
}

/** The decorations of a document: per direction, per intensity (index 0 = faintest). */
export interface ExplanationColouring {
  for: vscode.DecorationOptions[][];
  against: vscode.DecorationOptions[][];
}

const steps = Array.from({ length: intensitySteps }, (_, index) => index + 1);

function decorationType(colour: string): vscode.TextEditorDecorationType {
  return vscode.window.createTextEditorDecorationType({ backgroundColor: new vscode.ThemeColor(colour), borderRadius: '3px' });
}

export class ExplanationDecorations implements vscode.Disposable {
  private readonly forTypes = steps.map((step) => decorationType(`textClassifier.explanationFor${step}`));
  private readonly againstTypes = steps.map((step) => decorationType(`textClassifier.explanationAgainst${step}`));
  /** Per document, per unit start. */
  private readonly shown = new Map<string, Map<number, ShownExplanation>>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(results: ResultsStore) {
    this.subscriptions = [
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.contentChanges.length > 0) this.clear(event.document.uri);
      }),
      vscode.workspace.onDidCloseTextDocument((document) => this.shown.delete(document.uri.toString())),
      vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach((editor) => this.paint(editor))),
      results.onDidChange((uri) => {
        if (uri === undefined) this.clearAll(); // Clear Results
      }),
    ];
  }

  /** The explained units of a document whose words are coloured now. */
  shownIn(uri: vscode.Uri): ShownExplanation[] {
    return [...(this.shown.get(uri.toString())?.values() ?? [])];
  }

  isShown(uri: vscode.Uri, unit: Segment): boolean {
    const shown = this.shown.get(uri.toString())?.get(unit.start);
    return shown !== undefined && shown.end === unit.end;
  }

  show(document: vscode.TextDocument, unit: Segment, explanation: Explanation): void {
    const key = document.uri.toString();
    const units = this.shown.get(key) ?? new Map<number, ShownExplanation>();
    // Units of one document do not overlap; one explained with another unit setting replaces those it overlaps.
    for (const [start, other] of units) if (other.start < unit.end && unit.start < other.end) units.delete(start);
    units.set(unit.start, { uri: document.uri, start: unit.start, end: unit.end, text: unit.text, explanation });
    this.shown.set(key, units);
    this.repaint(document.uri);
  }

  hide(uri: vscode.Uri, unit: Segment): void {
    this.shown.get(uri.toString())?.delete(unit.start);
    this.repaint(uri);
  }

  /** The decorations the document's editors show (tests compare them with the explanation). */
  colouring(document: vscode.TextDocument): ExplanationColouring {
    const colouring: ExplanationColouring = { for: steps.map(() => []), against: steps.map(() => []) };
    for (const unit of this.shownIn(document.uri)) {
      const label = unit.explanation.labels[0]?.label;
      const words = contributionsTo(unit.explanation, label);
      const strongest = strongestContribution(words);
      for (const word of words) {
        const step = intensityStep(word.contribution, strongest);
        if (step === 0) continue;
        const range = new vscode.Range(document.positionAt(unit.start + word.start), document.positionAt(unit.start + word.end));
        const direction = word.contribution > 0 ? 'raised' : 'lowered';
        const hoverMessage = new vscode.MarkdownString(`\`${formatContribution(word.contribution)}\` ${direction} **${label}**`);
        colouring[word.contribution > 0 ? 'for' : 'against'][step - 1].push({ range, hoverMessage });
      }
    }
    return colouring;
  }

  private repaint(uri: vscode.Uri): void {
    for (const editor of vscode.window.visibleTextEditors) if (editor.document.uri.toString() === uri.toString()) this.paint(editor);
  }

  private paint(editor: vscode.TextEditor): void {
    const colouring = this.colouring(editor.document);
    this.forTypes.forEach((type, index) => editor.setDecorations(type, colouring.for[index]));
    this.againstTypes.forEach((type, index) => editor.setDecorations(type, colouring.against[index]));
  }

  private clear(uri: vscode.Uri): void {
    if (this.shown.delete(uri.toString())) this.repaint(uri);
  }

  private clearAll(): void {
    this.shown.clear();
    vscode.window.visibleTextEditors.forEach((editor) => this.paint(editor));
  }

  dispose(): void {
    this.subscriptions.forEach((subscription) => subscription.dispose());
    [...this.forTypes, ...this.againstTypes].forEach((type) => type.dispose());
    this.shown.clear();
  }
}
