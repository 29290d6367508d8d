// The command "Explain Classification": finds the unit (at the cursor, a code lens's unit or a Results
// tree row), explains it in the worker and colours its words; run again on the same unit, it clears them.
import * as vscode from 'vscode';
import { contributionsTo, type Explanation } from '../classifier/explanation';
import type { Segment } from '../classifier/types';
import type { ExplanationService } from '../editor/explanations';
import type { Activity, DocumentClassifier } from '../editor/classify';
import { isShown, noDecisiveWord } from './contributions';
import type { ExplanationDecorations } from './explainDecorations';
import type { ResultsStore } from '../editor/results';
import type { ResultNode } from './resultsTree';

export interface ExplainedUnit extends Segment {
  uri: vscode.Uri;
  /** Word offsets are relative to `start`. */
  explanation: Explanation;
}

export interface ExplainDependencies {
  results: ResultsStore;
  classifier: DocumentClassifier;
  explanations: ExplanationService;
  decorations: ExplanationDecorations;
  activity: Activity;
}

/**
 * `target`: a Results tree unit row, or a document with an offset in the unit (a code lens, the hover's
 * link); none: the unit at the cursor. A unit without a result is classified first. Resolves to the explained unit, or to undefined when
 * the run cleared the unit's colouring.
 */
export async function explainClassification(deps: ExplainDependencies, target?: ResultNode | vscode.Uri, start?: number): Promise<ExplainedUnit | undefined> {
  const { document, unit } = await unitToExplain(deps, target, start);
  if (deps.decorations.isShown(document.uri, unit)) {
    deps.decorations.hide(document.uri, unit);
    return undefined;
  }
  const version = document.version;
  const explanation = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: 'Explaining the classification' },
    () => deps.activity.track(deps.explanations.explain(document.uri, unit)),
  );
  if (document.version !== version) throw new Error(`${vscode.workspace.asRelativePath(document.uri)} changed while its text was explained; run Explain Classification again.`);
  deps.decorations.show(document, unit, explanation);
  const label = explanation.labels[0]?.label ?? '';
  if (!contributionsTo(explanation, label).some((word) => isShown(word.contribution))) void vscode.window.showInformationMessage(`Text Classifier: ${noDecisiveWord(label)}`);
  return { uri: document.uri, ...unit, explanation };
}

async function unitToExplain(deps: ExplainDependencies, target: ResultNode | vscode.Uri | undefined, start: number | undefined): Promise<{ document: vscode.TextDocument; unit: Segment }> {
  if (target instanceof vscode.Uri) {
    const document = await vscode.workspace.openTextDocument(target);
    const offset = start ?? 0;
    const unit = deps.results.unitAt(document.uri, offset) ?? (await deps.classifier.classifyUnitAt(document, document.positionAt(offset)));
    if (!unit) throw new Error(`${vscode.workspace.asRelativePath(document.uri)} has no text to explain at offset ${offset}.`);
    return { document, unit: segmentIn(document, unit) };
  }
  if (target) {
    if (target.kind !== 'unit' && target.kind !== 'label') throw new Error('Explain Classification explains one unit: choose a unit row.');
    const document = await vscode.workspace.openTextDocument(target.results.uri);
    return { document, unit: segmentIn(document, target.unit) };
  }
  const editor = vscode.window.activeTextEditor;
  if (!editor) throw new Error('Open a text document and put the cursor in the text to explain.');
  const { document } = editor;
  const position = editor.selection.active;
  const unit = deps.results.unitAt(document.uri, document.offsetAt(position)) ?? (await deps.classifier.classifyUnitAt(document, position));
  if (!unit) throw new Error('There is no text at the cursor to explain.');
  return { document, unit: segmentIn(document, unit) };
}

/** The unit's range with the document's text in it now. */
function segmentIn(document: vscode.TextDocument, unit: Segment): Segment {
  const text = document.getText(new vscode.Range(document.positionAt(unit.start), document.positionAt(unit.end)));
  return { start: unit.start, end: unit.end, text };
}
