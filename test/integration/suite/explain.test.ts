// Explain Classification in a real VS Code, with the real worker, model and tokenizer: the command
// colours a unit's words by their contributions, toggles, and clears on edit and on Clear Results;
// the hover lists the same contributions the command got. mixed-opinions.md has paragraphs whose words
// pull both ways (in a review that repeats one opinion no single word moves the model's score).
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import { contributionsTo, topContributions, type LabelContribution } from '../../../src/classifier/explanation';
import { contributionText, isShown } from '../../../src/views/contributions';
import type { ExplainedUnit } from '../../../src/views/explainClassification';
import type { DocumentResults } from '../../../src/editor/results';
import type { ResultNode } from '../../../src/views/resultsTree';
import { extensionApi, extensionId, openInEditor, setSetting } from '../helpers';

function hoverText(hovers: vscode.Hover[]): string {
  return hovers.flatMap((hover) => hover.contents).map((content) => (typeof content === 'string' ? content : content.value)).join('\n');
}

const explain = (...args: unknown[]) => vscode.commands.executeCommand<ExplainedUnit | undefined>('textClassifier.explainClassification', ...args);

/** Every coloured range of the document with its text, direction and intensity. */
async function colouredWords(uri: vscode.Uri): Promise<{ start: number; text: string; direction: 'for' | 'against'; step: number; hover: string }[]> {
  const api = await extensionApi();
  const document = await vscode.workspace.openTextDocument(uri);
  const colouring = api.explanationDecorations.colouring(document);
  return (['for', 'against'] as const).flatMap((direction) => colouring[direction].flatMap((options, index) => options.map((option) => ({
    start: document.offsetAt(option.range.start), text: document.getText(option.range), direction, step: index + 1, hover: (option.hoverMessage as vscode.MarkdownString).value,
  }))));
}

describe('explain classification', function () {
  this.timeout(60_000);

  before(async () => {
    await extensionApi();
    await setSetting('unit', 'paragraph');
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('textClassifier.clearResults');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Explain Classification explains the paragraph at the cursor and colours its words by contribution', async () => {
    const api = await extensionApi();
    const editor = await openInEditor('mixed-opinions.md');
    editor.selection = new vscode.Selection(new vscode.Position(0, 5), new vscode.Position(0, 5));
    const explained = await explain();
    assert.ok(explained, 'the command explained nothing (see the error it showed)');
    const document = editor.document;
    assert.equal(explained.text, document.lineAt(0).text, 'the first paragraph, classified on the spot');
    const { explanation } = explained;
    assert.equal(explanation.labels[0].label, 'negative');
    assert.deepEqual([...explanation.labelOrder].sort(), ['negative', 'positive']);
    assert.equal(explanation.wordsPerGroup, 1);
    for (const word of explanation.words) {
      assert.equal(document.getText().slice(explained.start + word.start, explained.start + word.end), word.word, 'word offsets point into the document');
    }
    const toNegative = contributionsTo(explanation);
    const contribution = (word: string) => toNegative.find((found) => found.word === word)?.contribution ?? NaN;
    assert.ok(contribution('thin') > 0 && contribution('drags') > 0, `thin and drags raise negative: ${JSON.stringify(toNegative)}`);
    assert.ok(contribution('charming') < 0 && contribution('lovely') < 0, `charming and lovely lower it: ${JSON.stringify(toNegative)}`);

    const coloured = await colouredWords(document.uri);
    const expected = toNegative.filter((word) => isShown(word.contribution));
    assert.ok(expected.length > 0, 'some words move the score');
    const byStart = (a: { start: number }, b: { start: number }) => a.start - b.start;
    assert.deepEqual(coloured.sort(byStart).map((word) => [word.start, word.text]), expected.map((word) => [explained.start + word.start, word.word]), 'the shown words are coloured');
    const unitStart = explained.start;
    for (const word of coloured) {
      const attribution: LabelContribution = expected.find((found) => unitStart + found.start === word.start)!;
      assert.equal(word.direction, attribution.contribution > 0 ? 'for' : 'against', word.text);
      assert.ok(word.hover.includes(contributionText({ word: '', contribution: attribution.contribution }).trim()), word.hover);
    }
    const strongest = expected.reduce((best, word) => (Math.abs(word.contribution) > Math.abs(best.contribution) ? word : best));
    assert.equal(coloured.find((word) => word.start === explained.start + strongest.start)?.step, 4, 'the strongest word gets the strongest colour');
    assert.deepEqual(api.explanationDecorations.shownIn(document.uri).map((unit) => unit.start), [explained.start]);
  });

  it('a second run on the same unit clears its colouring', async () => {
    const api = await extensionApi();
    const editor = await openInEditor('mixed-opinions.md');
    editor.selection = new vscode.Selection(new vscode.Position(0, 3), new vscode.Position(0, 3));
    assert.ok(await explain());
    assert.ok((await colouredWords(editor.document.uri)).length > 0);
    assert.equal(await explain(), undefined, 'the second run clears instead of explaining');
    assert.deepEqual(await colouredWords(editor.document.uri), []);
    assert.deepEqual(api.explanationDecorations.shownIn(editor.document.uri), []);
  });

  it('an edit of the document clears the colouring', async () => {
    const editor = await openInEditor('mixed-opinions.md');
    editor.selection = new vscode.Selection(new vscode.Position(4, 3), new vscode.Position(4, 3));
    assert.ok(await explain());
    assert.ok((await colouredWords(editor.document.uri)).length > 0);
    await editor.edit((edit) => edit.insert(new vscode.Position(6, 0), 'Fine. '));
    assert.deepEqual(await colouredWords(editor.document.uri), []);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('Clear Results clears the colouring', async () => {
    const editor = await openInEditor('mixed-opinions.md');
    await vscode.commands.executeCommand('textClassifier.classifyDocument');
    editor.selection = new vscode.Selection(new vscode.Position(6, 3), new vscode.Position(6, 3));
    assert.ok(await explain());
    assert.ok((await colouredWords(editor.document.uri)).length > 0);
    await vscode.commands.executeCommand('textClassifier.clearResults');
    assert.deepEqual(await colouredWords(editor.document.uri), []);
  });

  it('the Explain code lens and the Results row menu explain their unit', async () => {
    const api = await extensionApi();
    const editor = await openInEditor('mixed-opinions.md');
    const results = await vscode.commands.executeCommand<DocumentResults>('textClassifier.classifyDocument');
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri, 100);
    const explainLenses = lenses.filter((lens) => lens.command?.command === 'textClassifier.explainClassification').sort((a, b) => a.range.start.line - b.range.start.line);
    assert.deepEqual(explainLenses.map((lens) => [lens.range.start.line, lens.command!.title]), [[0, 'Explain'], [2, 'Explain'], [4, 'Explain'], [6, 'Explain']]);
    const fromLens = await explain(...explainLenses[3].command!.arguments!);
    assert.equal(fromLens?.text, results.units[3].text);
    assert.equal(fromLens?.explanation.labels[0].label, 'negative');

    const unitRow = api.resultsTree.getChildren(api.resultsTree.getChildren()[0])[1] as Extract<ResultNode, { kind: 'unit' }>;
    assert.equal(api.resultsTree.getTreeItem(unitRow).contextValue, 'unit');
    const fromRow = await explain(unitRow);
    assert.equal(fromRow?.text, results.units[1].text);
    assert.equal(fromRow?.explanation.labels[0].label, 'positive');
    assert.deepEqual(api.explanationDecorations.shownIn(editor.document.uri).map((unit) => unit.start).sort((a, b) => a - b), [results.units[1].start, results.units[3].start]);
  });

  it('the hover lists the top raised and lowered words with the contributions the command got', async () => {
    const editor = await openInEditor('mixed-opinions.md');
    await vscode.commands.executeCommand('textClassifier.classifyDocument');
    const position = new vscode.Position(2, 10);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, position);
    const text = hoverText(hovers);
    editor.selection = new vscode.Selection(position, position);
    const explained = await explain();
    assert.ok(explained);
    const { raised, lowered } = topContributions(explained.explanation, 5);
    assert.equal(explained.explanation.labels[0].label, 'positive');
    assert.ok(raised.some((word) => isShown(word.contribution)) && lowered.some((word) => isShown(word.contribution)), 'words pull both ways');
    assert.ok(text.indexOf('  positive') < text.indexOf('Why positive'), `the words come after the scores: ${text}`);
    assert.match(text, /raised positive: .*\n.*lowered positive: /);
    assert.match(text, /\[Colour the words\]\(command:textClassifier\.explainClassification/, 'the hover offers the colouring');
    for (const word of [...raised, ...lowered].filter((found) => isShown(found.contribution))) {
      assert.ok(text.includes(contributionText(word)), `the hover lists ${contributionText(word)}: ${text}`);
    }
  });

  it('a report row is explained with the same contributions as the same text in the editor', async () => {
    const api = await extensionApi();
    const editor = await openInEditor('mixed-opinions.md');
    editor.selection = new vscode.Selection(new vscode.Position(0, 1), new vscode.Position(0, 1));
    const explained = await explain();
    assert.ok(explained);
    const fromText = await api.explanations.explainText(explained.text);
    assert.deepEqual(fromText, explained.explanation);
  });

  it('textclf explain reports the same contributions for the same paragraph', async function () {
    this.timeout(120_000); // the CLI starts its own worker and loads the model
    const editor = await openInEditor('mixed-opinions.md');
    editor.selection = new vscode.Selection(new vscode.Position(4, 1), new vscode.Position(4, 1));
    const explained = await explain();
    assert.ok(explained);
    const cli = path.join(vscode.extensions.getExtension(extensionId)!.extensionPath, 'dist', 'cli.js');
    const { stdout } = await promisify(execFile)(process.execPath, [cli, 'explain', editor.document.uri.fsPath, '--format', 'json']);
    const units = JSON.parse(stdout) as { start: number; labels: { label: string }[]; words: { word: string; start: number; contribution: number }[] }[];
    const fromCli = units.find((unit) => unit.start === explained.start);
    assert.ok(fromCli, `the CLI has the paragraph at ${explained.start}: ${units.map((unit) => unit.start).join(', ')}`);
    assert.equal(fromCli.labels[0].label, explained.explanation.labels[0].label);
    const fromEditor = contributionsTo(explained.explanation);
    assert.deepEqual(fromCli.words.map((word) => [word.word, word.start]), fromEditor.map((word) => [word.word, explained.start + word.start]));
    fromCli.words.forEach((word, i) => assert.ok(Math.abs(word.contribution - fromEditor[i].contribution) < 1e-4, `${word.word}: CLI ${word.contribution}, editor ${fromEditor[i].contribution}`));
  });

  it('an explanation whose caller gives up is cancelled in the worker, and nothing is cached', async () => {
    const api = await extensionApi();
    const text = Array.from({ length: 300 }, (_, i) => `Sentence ${i} is ${i % 2 ? 'dull' : 'lovely'}.`).join(' ');
    const document = await vscode.workspace.openTextDocument({ content: text, language: 'markdown' });
    const unit = { start: 0, end: text.length, text };
    const request = new AbortController();
    const running = api.explanations.explain(document.uri, unit, request.signal);
    setTimeout(() => request.abort(), 20);
    await assert.rejects(running, (error: Error) => error.name === 'RequestCancelledError');
    assert.equal(api.explanations.cached(document.uri, unit), undefined);
    for (let i = 0; i < 100 && (await api.client.status()).workerQueue > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal((await api.client.status()).workerQueue, 0, 'the worker dropped the request');
  });
});
