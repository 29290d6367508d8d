// A regression model (problem_type: regression, the compat bert-regression directory) in the editor:
// its scores are values, not probabilities, so the lens, the hover, the Results view and the gutter
// marks show "label = value" unclamped, without score bars and without uncertainty marks.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ModelInfo } from '../../../src/classifier/types';
import type { DocumentResults } from '../../../src/editor/results';
import type { ResultNode } from '../../../src/views/resultsTree';
import { compatModelsOrSkip, compatTexts } from '../../support/compatModels';
import { bundledModel } from '../../support/paths';
import { extensionApi, setSetting } from '../helpers';

type UnitNode = Extract<ResultNode, { kind: 'unit' }>;

function hoverText(hovers: vscode.Hover[]): string {
  return hovers.flatMap((hover) => hover.contents).map((content) => (typeof content === 'string' ? content : content.value)).join('\n');
}

describe('regression model in the editor', function () {
  this.timeout(120_000);
  let results: DocumentResults;
  let editor: vscode.TextEditor;

  before(async function () {
    this.timeout(300_000);
    const modelDir = path.join(compatModelsOrSkip(this), 'bert-regression');
    const api = await extensionApi();
    // A high threshold: any probability would look uncertain, a value must not.
    await setSetting('lowConfidenceThreshold', 0.99);
    await setSetting('unit', 'paragraph');
    const model = await vscode.commands.executeCommand<ModelInfo>('textClassifier.selectModel', modelDir);
    assert.equal(model?.problemType, 'regression');
    editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ content: compatTexts.slice(0, 12).join('\n\n'), language: 'plaintext' }));
    results = (await vscode.commands.executeCommand<DocumentResults>('textClassifier.classifyDocument'))!;
    assert.equal(results.units.length, 12);
    assert.equal(api.models.model?.problemType, 'regression');
  });

  after(async () => {
    await setSetting('lowConfidenceThreshold', undefined);
    await setSetting('display', undefined);
    await vscode.commands.executeCommand('textClassifier.clearResults');
    while (vscode.window.activeTextEditor) await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await vscode.commands.executeCommand('textClassifier.selectModel', bundledModel('sentiment-sst2'));
  });

  it('stores the values unclamped, with the problem type', () => {
    assert.equal(results.problemType, 'regression');
    assert.deepEqual(results.modelLabels, ['score']);
    assert.ok(results.units.some((unit) => unit.labels[0].score < 0 || unit.labels[0].score > 1), `some value lies outside 0–1: ${results.units.map((unit) => unit.labels[0].score).join(', ')}`);
  });

  it('each code lens reads "score = value", without the "?" of an uncertain probability', async () => {
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri, 100);
    const ours = lenses.filter((lens) => lens.command?.command === 'textClassifier.showInResults').sort((a, b) => a.range.start.line - b.range.start.line);
    assert.deepEqual(ours.map((lens) => lens.command!.title), results.units.map((unit) => `score = ${unit.labels[0].score.toFixed(2)}`));
    assert.match(ours[0].command!.tooltip!, /regression: values, not probabilities/);
  });

  it('the hover shows the value as a number, without a bar', async () => {
    const unit = results.units.find((found) => found.labels[0].score < 0 || found.labels[0].score > 1)!;
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, editor.document.positionAt(unit.start + 1));
    const text = hoverText(hovers);
    assert.ok(text.includes(`score = ${unit.labels[0].score.toFixed(2)}`), text);
    assert.match(text, /regression: values, not probabilities/);
    assert.ok(!/[█░]/.test(text), `no probability bar: ${text}`);
  });

  it('the Results view lists "score = value" rows with filled marks and sums them up as units and a mean value', async () => {
    const api = await extensionApi();
    const documentNode = api.resultsTree.getChildren().find((node) => node.results.uri.toString() === editor.document.uri.toString())!;
    const mean = results.units.reduce((sum, unit) => sum + unit.labels[0].score, 0) / results.units.length;
    assert.equal(api.resultsTree.getTreeItem(documentNode).description, `12 units · mean value ${mean.toFixed(2)}`);
    const rows = api.resultsTree.getChildren(documentNode) as UnitNode[];
    for (const [index, node] of rows.entries()) {
      const item = api.resultsTree.getTreeItem(node);
      assert.equal(item.label, `score = ${results.units[index].labels[0].score.toFixed(2)}`);
      assert.equal((item.iconPath as vscode.ThemeIcon).id, 'circle-filled', 'not the hollow mark of an uncertain score');
      assert.equal(api.resultsTree.getTreeItem(api.resultsTree.getChildren(node)[0]).label, item.label);
    }
    await vscode.commands.executeCommand('textClassifier.arrangeResults', { lowConfidenceOnly: true });
    try {
      assert.deepEqual(api.resultsTree.getChildren(documentNode), [], 'no value counts as low confidence');
    } finally {
      await vscode.commands.executeCommand('textClassifier.arrangeResults', { lowConfidenceOnly: false });
    }
  });

  it('the gutter marks are all filled and the end-of-line text reads "score = value"', async () => {
    const api = await extensionApi();
    await setSetting('display', 'decorations');
    const shown = api.decorations.decorationsOf(editor.document.uri);
    assert.equal(shown.length, results.units.length);
    assert.ok(shown.every((decoration) => decoration.look === 'confident'), shown.map((decoration) => decoration.look).join(', '));
    assert.deepEqual(shown.map((decoration) => decoration.endOfLineText), results.units.map((unit) => `score = ${unit.labels[0].score.toFixed(2)}`));
  });
});
