// The Results view, the code lenses and the editor decorations, with the real model in a real VS Code:
// label-first rows with a colour per model label, the summary, sorting, grouping, the low-confidence
// filter, paging, the display modes, selection results, stale marks and how long results live.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DocumentResults } from '../../../src/editor/results';
import type { ResultNode } from '../../../src/views/resultsTree';
import { extensionApi, nextEvent, openInEditor, setSetting, workspaceFile } from '../helpers';

type UnitNode = Extract<ResultNode, { kind: 'unit' }>;

const newsParagraphs = [
  'The striker scored twice as United beat Chelsea 3-1 in the league on Saturday, and the coach praised his defence.',
  'Shares of the bank fell 5 percent after quarterly profit missed analyst forecasts and the company cut its outlook.',
  'Rebel forces attacked the capital as the president called for ceasefire talks at the United Nations.',
  'Scientists unveiled a new computer chip and software that double the battery life of smartphones.',
];
// The news-topic model's labels are World, Sports, Business, Sci/Tech: the palette in that order.
const newsColours: Record<string, string> = { World: 'charts.blue', Sports: 'charts.purple', Business: 'charts.orange', 'Sci/Tech': 'charts.green' };

/** The score lenses (not the Explain action beside each). */
async function ourLenses(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100);
  return lenses.filter((lens) => lens.command?.title && /^(selection: )?(\w|edited)/.test(lens.command.title) && lens.command.command.startsWith('textClassifier.')
    && lens.command.command !== 'textClassifier.explainClassification')
    .sort((a, b) => a.range.start.line - b.range.start.line);
}

async function openUntitled(content: string): Promise<vscode.TextEditor> {
  return vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ content, language: 'markdown' }));
}

function iconColour(item: vscode.TreeItem): string | undefined {
  return ((item.iconPath as vscode.ThemeIcon | undefined)?.color as vscode.ThemeColor & { id: string } | undefined)?.id;
}

describe('results view and editor marks', function () {
  this.timeout(120_000);

  before(async () => {
    await extensionApi();
    await setSetting('unit', 'paragraph');
    await setSetting('liveClassification', undefined);
    // Another suite (live mode) may have left the workspace's copy edited: start from the fixture's text.
    const document = await vscode.workspace.openTextDocument(workspaceFile('reviews.md'));
    const onDisk = fs.readFileSync(path.resolve(__dirname, '..', '..', '..', '..', 'test', 'integration', 'fixtures', 'workspace', 'reviews.md'), 'utf8');
    if (document.getText() !== onDisk) {
      const edit = new vscode.WorkspaceEdit();
      edit.replace(document.uri, new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)), onDisk);
      await vscode.workspace.applyEdit(edit);
      await document.save();
    }
  });

  afterEach(async () => {
    const api = await extensionApi();
    await api.resultsTree.arrange({ sortBy: 'position', groupByLabel: false, lowConfidenceOnly: false });
    for (const name of ['display', 'lowConfidenceThreshold', 'decorations.endOfLineText']) await setSetting(name, undefined);
    await vscode.commands.executeCommand('textClassifier.clearResults');
    while (vscode.window.activeTextEditor) await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('rows read "label score" first, with the text as description, and the document row sums them up', async () => {
    const api = await extensionApi();
    await openInEditor('reviews.md');
    const results = await vscode.commands.executeCommand<DocumentResults>('textClassifier.classifyDocument');
    const [documentNode] = api.resultsTree.getChildren();
    const documentItem = api.resultsTree.getTreeItem(documentNode);
    const mean = results.units.reduce((sum, unit) => sum + unit.labels[0].score, 0) / results.units.length;
    assert.equal(documentItem.description, `negative 2 · positive 2 · mean ${mean.toFixed(2)}`);
    assert.match((documentItem.tooltip as vscode.MarkdownString).value, /4 paragraph units classified by sentiment-sst2/);
    const rows = api.resultsTree.getChildren(documentNode).map((node) => api.resultsTree.getTreeItem(node));
    assert.deepEqual(rows.map((row) => String(row.label).split(' ')[0]), ['positive', 'negative', 'positive', 'negative']);
    for (const [i, row] of rows.entries()) {
      assert.match(String(row.label), /^(positive|negative) (0\.\d\d|1\.00)$/);
      assert.equal(row.description, results.units[i].text.slice(0, String(row.description).length - 1) + '…');
      assert.equal(row.contextValue, 'unit');
      assert.equal(iconColour(row), String(row.label).startsWith('positive') ? 'charts.green' : 'charts.red');
    }
  });

  it('each model label keeps one colour, from its place in the model\'s label list', async () => {
    const api = await extensionApi();
    const news = api.models.bundledModels().find((dir) => dir.endsWith('news-topic'))!;
    const sentiment = api.models.bundledModels().find((dir) => dir.endsWith('sentiment-sst2'))!;
    await vscode.commands.executeCommand('textClassifier.selectModel', news);
    try {
      for (const paragraphs of [newsParagraphs, [...newsParagraphs].reverse()]) {
        await openUntitled(paragraphs.join('\n\n'));
        const results = await vscode.commands.executeCommand<DocumentResults>('textClassifier.classifyDocument');
        assert.deepEqual(results.modelLabels, ['World', 'Sports', 'Business', 'Sci/Tech']);
        const documentNode = api.resultsTree.getChildren().find((node) => node.results.uri.toString() === results.uri.toString())!;
        const units = api.resultsTree.getChildren(documentNode) as UnitNode[];
        assert.deepEqual(new Set(units.map((node) => node.unit.labels[0].label)), new Set(Object.keys(newsColours)), 'one paragraph per topic');
        for (const node of units) {
          assert.equal(iconColour(api.resultsTree.getTreeItem(node)), newsColours[node.unit.labels[0].label]);
          for (const labelNode of api.resultsTree.getChildren(node)) {
            const item = api.resultsTree.getTreeItem(labelNode);
            assert.equal(iconColour(item), newsColours[String(item.label).split(' ')[0]], `label row ${item.label}`);
          }
        }
      }
    } finally {
      await vscode.commands.executeCommand('textClassifier.selectModel', sentiment);
    }
  });

  it('sorts by score, groups by label and filters to low confidence, and says so in the view title', async () => {
    const api = await extensionApi();
    await openInEditor('reviews.md');
    const results = await vscode.commands.executeCommand<DocumentResults>('textClassifier.classifyDocument');
    const documentNode = () => api.resultsTree.getChildren()[0];
    const scoresShown = () => (api.resultsTree.getChildren(documentNode()) as UnitNode[]).map((node) => node.unit.labels[0].score);

    await vscode.commands.executeCommand('textClassifier.arrangeResults', { sortBy: 'score' });
    assert.deepEqual(scoresShown(), results.units.map((unit) => unit.labels[0].score).sort((a, b) => b - a));
    assert.match(api.resultsView.description ?? '', /by score/);

    await vscode.commands.executeCommand('textClassifier.arrangeResults', { groupByLabel: true });
    const groups = api.resultsTree.getChildren(documentNode());
    assert.deepEqual(groups.map((group) => api.resultsTree.getTreeItem(group).label), ['negative', 'positive'], 'in the model\'s label order');
    for (const group of groups) {
      const item = api.resultsTree.getTreeItem(group);
      assert.match(String(item.description), /^2 · mean (0\.\d\d|1\.00)$/);
      const members = api.resultsTree.getChildren(group) as UnitNode[];
      assert.ok(members.every((node) => node.unit.labels[0].label === item.label));
      assert.equal(api.resultsTree.getParent(members[0]), group);
    }

    // A threshold between the scores: the filter keeps exactly the units under it.
    const sorted = results.units.map((unit) => unit.labels[0].score).sort((a, b) => a - b);
    const threshold = (sorted[1] + sorted[2]) / 2;
    await setSetting('lowConfidenceThreshold', threshold);
    await vscode.commands.executeCommand('textClassifier.arrangeResults', { groupByLabel: false });
    await vscode.commands.executeCommand('textClassifier.toggleLowConfidenceFilter');
    assert.deepEqual(scoresShown().sort((a, b) => a - b), sorted.slice(0, 2));
    assert.match(api.resultsView.description ?? '', /below \d\.\d\d only/);
    const uncertainRow = api.resultsTree.getTreeItem(api.resultsTree.getChildren(documentNode())[0]);
    assert.match(String(uncertainRow.label), / \?$/, 'an uncertain score carries a "?"');
    assert.equal((uncertainRow.iconPath as vscode.ThemeIcon).id, 'circle-outline', 'and a hollow dot');
    await vscode.commands.executeCommand('textClassifier.showAllConfidence');
    assert.equal(scoresShown().length, 4);
  });

  it('a 10,000-unit document: pages of 200 rows with "Show more…", a summary, and decorations instead of lenses', async () => {
    const api = await extensionApi();
    const sentences = ['A wonderful, warm and funny film.', 'A dull, tedious and ugly mess.', 'Great food and lovely staff.', 'Cold, bland and overpriced.'];
    const editor = await openUntitled(Array.from({ length: 10_000 }, (_, i) => `${sentences[i % 4]} (${i % 3})`).join('\n\n'));
    const results = await api.classifier.classifyDocument(editor.document);
    assert.equal(results.units.length, 10_000);

    const started = performance.now();
    const documentNode = api.resultsTree.getChildren()[0];
    const rows = api.resultsTree.getChildren(documentNode);
    const elapsed = performance.now() - started;
    assert.equal(rows.length, 201, 'one page and a "Show more…" row');
    assert.ok(elapsed < 2000, `sanity bound only: ${elapsed.toFixed(0)} ms`);
    const more = rows[200];
    assert.equal(more.kind, 'more');
    const moreItem = api.resultsTree.getTreeItem(more);
    assert.equal(moreItem.label, 'Show more…');
    assert.equal(moreItem.description, '200 of 10,000 shown');
    await vscode.commands.executeCommand(moreItem.command!.command, ...(moreItem.command!.arguments ?? []));
    assert.equal(api.resultsTree.getChildren(documentNode).length, 401);
    assert.match(String(api.resultsTree.getTreeItem(documentNode).description), /^negative 5,?000 · positive 5,?000 · mean|^negative \d+ · positive \d+ · mean/);

    // A lens click far down the list shows that unit's page.
    const far = results.units[9_000];
    const node = api.resultsTree.unitNode(editor.document.uri, far.start)!;
    assert.ok(api.resultsTree.getChildren(documentNode).some((row) => row.kind === 'unit' && row.unit.start === far.start), 'its page is shown');
    assert.equal(node.kind, 'unit');

    // display auto: over 50 units, no lenses (they would double the height), a mark per unit.
    assert.equal((await ourLenses(editor.document.uri)).length, 0);
    const marks = api.decorations.decorationsOf(editor.document.uri);
    assert.equal(marks.length, 10_000);
    assert.ok(marks.every((mark) => mark.endOfLineText && /^(positive|negative) (0\.\d\d|1\.00)( \?)?$/.test(mark.endOfLineText)));
  });

  it('display: lens, decorations, both and auto decide between lenses and gutter marks', async () => {
    const api = await extensionApi();
    const editor = await openInEditor('reviews.md');
    await vscode.commands.executeCommand('textClassifier.classifyDocument');
    const uri = editor.document.uri;
    const marks = () => api.decorations.decorationsOf(uri);

    // auto with 4 units: both, and no end-of-line text since the lenses say it.
    assert.equal((await ourLenses(uri)).length, 4);
    assert.deepEqual(marks().map((mark) => [mark.range.start.line, mark.label, mark.endOfLineText]),
      [[0, 'positive', undefined], [2, 'negative', undefined], [4, 'positive', undefined], [6, 'negative', undefined]]);
    assert.ok(marks().every((mark) => mark.range.start.character === editor.document.lineAt(mark.range.start.line).text.length), 'at the end of the line');

    await setSetting('display', 'lens');
    assert.equal(marks().length, 0);
    assert.equal((await ourLenses(uri)).length, 4);

    await setSetting('display', 'decorations');
    assert.equal((await ourLenses(uri)).length, 0);
    assert.deepEqual(marks().map((mark) => mark.endOfLineText?.split(' ')[0]), ['positive', 'negative', 'positive', 'negative']);
    await setSetting('decorations.endOfLineText', false);
    assert.equal(marks().length, 4);
    assert.ok(marks().every((mark) => mark.endOfLineText === undefined));

    await setSetting('display', 'both');
    await setSetting('lowConfidenceThreshold', 1);
    assert.equal((await ourLenses(uri)).length, 4);
    assert.ok(marks().every((mark) => mark.look === 'uncertain'), 'every score is under 1: all hollow');
    assert.ok((await ourLenses(uri)).every((lens) => lens.command!.title.endsWith(' ?')));
  });

  it('Classify Selection adds a result at the selection and under "Selections"; the paragraph keeps its own', async () => {
    const api = await extensionApi();
    const editor = await openInEditor('reviews.md');
    const results = await vscode.commands.executeCommand<DocumentResults>('textClassifier.classifyDocument');
    const paragraph = results.units[1];
    const start = editor.document.positionAt(paragraph.start);
    editor.selection = new vscode.Selection(start, start.translate(0, 'A terrible, boring film.'.length));
    const [selection] = await vscode.commands.executeCommand<DocumentResults['units']>('textClassifier.classifySelection');
    assert.equal(selection.text, 'A terrible, boring film.');

    const stored = api.results.get(editor.document.uri)!;
    assert.equal(stored.units.length, 4, 'every paragraph result stays');
    assert.deepEqual(stored.selections.map((unit) => unit.text), ['A terrible, boring film.']);

    const [documentNode] = api.resultsTree.getChildren();
    const [selectionsNode, ...units] = api.resultsTree.getChildren(documentNode);
    assert.equal(api.resultsTree.getTreeItem(selectionsNode).label, 'Selections');
    assert.equal(units.length, 4);
    const [selectionRow] = api.resultsTree.getChildren(selectionsNode);
    assert.match(String(api.resultsTree.getTreeItem(selectionRow).label), /^negative (0\.\d\d|1\.00)/);

    const lenses = await ourLenses(editor.document.uri);
    assert.ok(lenses.some((lens) => lens.range.start.line === 2 && /^selection: negative/.test(lens.command!.title)), lenses.map((lens) => lens.command!.title).join(' | '));
    assert.ok(lenses.some((lens) => lens.range.start.line === 2 && /^negative/.test(lens.command!.title)), 'the paragraph lens too');
    await setSetting('display', 'decorations');
    const mark = api.decorations.decorationsOf(editor.document.uri).find((decoration) => decoration.kind === 'selection')!;
    assert.deepEqual([mark.range.start.line, mark.range.start.character], [2, 'A terrible, boring film.'.length], 'at the end of the selection');
    assert.match(mark.endOfLineText ?? '', /^◂ selection: negative/);
  });

  it('an edit outside live mode marks the unit stale and keeps it; the others move with the text', async () => {
    const api = await extensionApi();
    await setSetting('liveClassification', false);
    const editor = await openInEditor('reviews.md');
    const results = await vscode.commands.executeCommand<DocumentResults>('textClassifier.classifyDocument');
    const second = results.units[1];
    const inserted = 'Honestly, ';
    assert.ok(await editor.edit((edit) => edit.insert(editor.document.positionAt(second.start + 2), inserted)));

    const units = api.results.get(editor.document.uri)!.units;
    assert.equal(units.length, 4, 'no unit dropped');
    assert.deepEqual(units.map((unit) => Boolean(unit.stale)), [false, true, false, false]);
    assert.equal(units[1].end, second.end + inserted.length, 'the stale unit covers its edited text');
    for (const i of [0, 2, 3]) assert.equal(editor.document.getText().slice(units[i].start, units[i].end), units[i].text, `unit ${i} moved with the text`);

    const rows = api.resultsTree.getChildren(api.resultsTree.getChildren()[0]).map((node) => api.resultsTree.getTreeItem(node));
    assert.equal(rows[1].label, 'edited — re-classify');
    assert.match(String(rows[1].description), /^was negative (0\.\d\d|1\.00) · A terrible/);
    assert.equal(((rows[1].iconPath as vscode.ThemeIcon).color as vscode.ThemeColor & { id: string }).id, 'disabledForeground', 'dimmed');
    const lens = (await ourLenses(editor.document.uri)).find((candidate) => candidate.range.start.line === 2)!;
    assert.match(lens.command!.title, /^edited — re-classify \(was negative/);
    assert.equal(lens.command!.command, 'textClassifier.classifyDocument');
    assert.deepEqual(api.decorations.decorationsOf(editor.document.uri).map((mark) => mark.look), ['confident', 'stale', 'confident', 'confident']);

    await vscode.commands.executeCommand('textClassifier.classifyDocument');
    assert.ok(api.results.get(editor.document.uri)!.units.every((unit) => !unit.stale), 're-classifying clears the mark');
  });

  it('results outlive the tab and a save, and go when the closed file changes on disk', async () => {
    const api = await extensionApi();
    const file = workspaceFile('kept.md');
    fs.writeFileSync(file.fsPath, 'A warm and lovely little film.\n\nA cold, dull and dreary evening.\n');
    try {
      const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file));
      await vscode.commands.executeCommand('textClassifier.classifyDocument');
      await editor.edit((edit) => edit.insert(editor.document.lineAt(2).range.end, ' Truly.'));
      await editor.document.save();
      await new Promise((resolve) => setTimeout(resolve, 1500)); // the watcher sees our own save
      assert.equal(api.results.get(file)?.units.length, 2, 'saving keeps the results');
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(api.results.get(file)?.units.length, 2, 'closing the tab keeps the results');
      assert.equal(api.resultsTree.getTreeItem(api.resultsTree.getChildren()[0]).label, 'kept.md');

      const dropped = nextEvent(api.results.onDidChange, (uri) => uri?.toString() === file.toString());
      fs.writeFileSync(file.fsPath, 'Someone else rewrote this file.\n');
      await dropped;
      assert.equal(api.results.get(file), undefined, 'a change on disk drops them');
    } finally {
      fs.rmSync(file.fsPath, { force: true });
    }
  });

  it('an empty document shows "nothing to classify" in the tree', async () => {
    const api = await extensionApi();
    for (const content of ['', '\n\n   \n']) {
      await openUntitled(content);
      await vscode.commands.executeCommand('textClassifier.classifyDocument');
      const [documentNode] = api.resultsTree.getChildren();
      const item = api.resultsTree.getTreeItem(documentNode);
      assert.equal(item.description, 'nothing to classify');
      assert.equal(item.collapsibleState, vscode.TreeItemCollapsibleState.None);
      await vscode.commands.executeCommand('textClassifier.clearResults');
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  });
});
