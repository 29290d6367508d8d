// Each command in a real VS Code, with the real worker, model and tokenizer.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ClassifiedSegment } from '../../../src/classifier/types';
import type { DocumentResults } from '../../../src/editor/results';
import type { ResultNode } from '../../../src/views/resultsTree';
import { withoutInternalPaths } from '../../../src/views/statusReport';
import { extensionApi, openInEditor, setSetting, workspaceFile } from '../helpers';

const expectedReviews = [
  { starts: 'This movie was wonderful', label: 'positive' },
  { starts: 'A terrible, boring film', label: 'negative' },
  { starts: 'The best, most delightful', label: 'positive' },
  { starts: 'Worst meal I have ever had', label: 'negative' },
];

function hoverText(hovers: vscode.Hover[]): string {
  return hovers.flatMap((hover) => hover.contents).map((content) => (typeof content === 'string' ? content : content.value)).join('\n');
}

describe('commands', function () {
  this.timeout(60_000);

  before(async () => {
    await extensionApi();
    await setSetting('unit', 'paragraph');
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('textClassifier.clearResults');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Classify Document puts each paragraph with its label in the results tree', async () => {
    const api = await extensionApi();
    const editor = await openInEditor('reviews.md');
    const results = await vscode.commands.executeCommand<DocumentResults>('textClassifier.classifyDocument');
    assert.ok(results, 'the command returned no results (see the error it showed)');
    assert.equal(results.modelName, 'sentiment-sst2');

    const [documentNode, ...others] = api.resultsTree.getChildren();
    assert.equal(others.length, 0);
    assert.equal(api.resultsTree.getTreeItem(documentNode).label, 'reviews.md');
    const unitNodes = api.resultsTree.getChildren(documentNode);
    assert.deepEqual(unitNodes.map((node) => String(api.resultsTree.getTreeItem(node).description).slice(0, 20)),
      expectedReviews.map((review) => review.starts.slice(0, 20)));
    for (const [i, node] of unitNodes.entries()) {
      const item = api.resultsTree.getTreeItem(node);
      assert.match(String(item.label), new RegExp(`^${expectedReviews[i].label} (0\\.\\d\\d|1\\.00)$`), `unit ${i}: ${item.label}`);
      const labelNodes = api.resultsTree.getChildren(node) as Extract<ResultNode, { kind: 'label' }>[];
      assert.deepEqual(labelNodes.map((label) => label.label).sort(), ['negative', 'positive']);
      assert.ok(Math.abs(labelNodes.reduce((sum, label) => sum + label.score, 0) - 1) < 1e-4, 'scores sum to 1');
      const unit = (node as Extract<ResultNode, { kind: 'unit' }>).unit;
      assert.equal(editor.document.getText().slice(unit.start, unit.end), unit.text, 'unit range matches its text');
    }
  });

  it('code lenses and hovers show the scores of classified units', async () => {
    const editor = await openInEditor('reviews.md');
    const results = await vscode.commands.executeCommand<DocumentResults>('textClassifier.classifyDocument');
    assert.ok(results);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri, 100);
    const ours = lenses.filter((lens) => lens.command?.command === 'textClassifier.showInResults')
      .sort((a, b) => a.range.start.line - b.range.start.line);
    assert.deepEqual(ours.map((lens) => lens.range.start.line), [0, 2, 4, 6]);
    assert.deepEqual(ours.map((lens) => lens.command!.title.split(' ')[0]), expectedReviews.map((review) => review.label));
    for (const lens of ours) assert.match(lens.command!.title, /^(positive|negative) (0\.\d\d|1\.00)$/);

    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, new vscode.Position(2, 10));
    const text = hoverText(hovers);
    const negative = results.units[1].labels.find((score) => score.label === 'negative')!;
    assert.ok(text.includes(`${negative.score.toFixed(2)}  negative`), text);
    assert.match(text, /model sentiment-sst2 · provider cpu · 1 window/);
  });

  it('hovering over an unclassified unit classifies just that unit', async () => {
    const api = await extensionApi();
    const editor = await openInEditor('notes.txt');
    const before = (await api.client.status()).cache;
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, new vscode.Position(4, 8));
    const text = hoverText(hovers);
    assert.match(text, /0\.\d\d {2}negative/);
    const scores = [...text.matchAll(/(\d\.\d\d) {2}(negative|positive)/g)];
    assert.equal(scores[0][2], 'negative', `the rude-staff paragraph is negative first: ${text}`);
    const after = (await api.client.status()).cache;
    // The unit is classified once (a miss); its explanation, which the hover also shows, starts from that cached classification.
    assert.equal(after.misses - before.misses, 1, 'one unit was classified');
    assert.equal(api.results.get(editor.document.uri), undefined, 'hover does not add tree results');
  });

  it('Classify Selection classifies the selected text and shows it with the document', async () => {
    const api = await extensionApi();
    const editor = await openInEditor('notes.txt');
    const line = editor.document.lineAt(2);
    editor.selection = new vscode.Selection(line.range.start, line.range.end);
    const classified = await vscode.commands.executeCommand<ClassifiedSegment[]>('textClassifier.classifySelection');
    assert.equal(classified.length, 1);
    assert.equal(classified[0].text, line.text);
    assert.equal(classified[0].labels[0].label, 'positive');
    assert.deepEqual(api.results.get(editor.document.uri)?.selections.map((unit) => unit.text), [line.text]);
  });

  it('Clear Results empties the tree and removes the lenses', async () => {
    const api = await extensionApi();
    const editor = await openInEditor('reviews.md');
    await vscode.commands.executeCommand('textClassifier.classifyDocument');
    assert.equal(api.resultsTree.getChildren().length, 1);
    await vscode.commands.executeCommand('textClassifier.clearResults');
    assert.equal(api.resultsTree.getChildren().length, 0);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri, 100);
    assert.equal(lenses.filter((lens) => lens.command?.command === 'textClassifier.showInResults').length, 0);
  });

  it('clicking a unit selects its text, a lens shows it in the tree; closing the tab keeps the results', async () => {
    const api = await extensionApi();
    await openInEditor('reviews.md');
    const results = await vscode.commands.executeCommand<DocumentResults>('textClassifier.classifyDocument');
    const unit = results.units[2];
    const item = api.resultsTree.getTreeItem(api.resultsTree.getChildren(api.resultsTree.getChildren()[0])[2]);
    await vscode.commands.executeCommand(item.command!.command, ...(item.command!.arguments ?? []));
    const editor = vscode.window.activeTextEditor!;
    assert.equal(editor.document.getText(editor.selection), unit.text);
    await vscode.commands.executeCommand('textClassifier.showInResults', results.uri, unit.start); // what a lens click runs
    const selected = api.resultsView.selection[0];
    assert.ok(selected?.kind === 'unit' && selected.unit.start === unit.start, 'the unit is selected in the Results view');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    assert.equal(api.results.get(results.uri)?.units.length, 4);
  });

  it('Show Status names the model, provider, threads, worker memory and cache', async () => {
    const report = await vscode.commands.executeCommand<string>('textClassifier.showStatus');
    assert.match(report, /Model: \*\*sentiment-sst2\*\*/);
    assert.match(report, /Labels: negative, positive/);
    assert.match(report, /Execution provider: \*\*cpu\*\*/);
    assert.match(report, /Threads: \d+/);
    assert.match(report, /Worker: pid \d+, memory \d+ MB/);
    assert.match(report, /Cache: \d+ of \d+ entries, \d+ hits/);
  });

  it('Show Status opens as a rendered Markdown preview, without paths inside the extension', async () => {
    const api = await extensionApi();
    const model = await api.models.ensureLoaded();
    const report = await vscode.commands.executeCommand<string>('textClassifier.showStatus');
    assert.match(report, /Directory: bundled with the extension \(`sentiment-sst2`\)/);
    assert.ok(!report.includes('node_modules'), report);
    assert.ok(!report.includes(model.dir), `the model directory ${model.dir} is named, not shown as a path`);
    const previewOpened = () => vscode.window.tabGroups.all.flatMap((group) => group.tabs).some((tab) => tab.input instanceof vscode.TabInputWebview && /markdown\.preview/.test(tab.input.viewType));
    for (let waited = 0; !previewOpened() && waited < 10_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
    const tabs = vscode.window.tabGroups.all.flatMap((group) => group.tabs).map((tab) => `${tab.label} (${tab.input instanceof vscode.TabInputWebview ? tab.input.viewType : tab.input?.constructor.name})`);
    assert.ok(previewOpened(), `a Markdown preview tab is open (tabs: ${tabs.join(', ')})`);
    assert.ok(!vscode.window.visibleTextEditors.some((editor) => editor.document.uri.scheme === 'text-classifier-status'), 'no raw Markdown source editor');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('a path inside node_modules in an execution provider message is shortened to the file name', () => {
    assert.equal(
      withoutInternalPaths('CUDA not used: /home/me/.vscode/extensions/x/node_modules/onnxruntime-node/bin/napi-v3/linux/x64/libonnxruntime_providers_cuda.so: cannot open'),
      'CUDA not used: libonnxruntime_providers_cuda.so: cannot open',
    );
  });

  it('Select Model loads a model directory and reports a broken one without losing the current model', async () => {
    const api = await extensionApi();
    const bundled = api.models.bundledModels().find((dir) => dir.endsWith('sentiment-sst2'))!;
    const model = await vscode.commands.executeCommand<{ name: string }>('textClassifier.selectModel', bundled);
    assert.equal(model.name, 'sentiment-sst2');
    const broken = await vscode.commands.executeCommand('textClassifier.selectModel', workspaceFile('broken-model').fsPath);
    assert.equal(broken, undefined, 'a broken model is reported, not returned');
    const results = await vscode.commands.executeCommand<DocumentResults>('textClassifier.classifyDocument', workspaceFile('reviews.md'));
    assert.ok(results, 'classification still works after the failed model load');
    await vscode.commands.executeCommand('textClassifier.selectModel', bundled);
  });

  it('Toggle Live Classification flips the setting', async () => {
    await openInEditor('reviews.md');
    const config = () => vscode.workspace.getConfiguration('textClassifier').get<boolean>('liveClassification');
    const before = config();
    assert.equal(await vscode.commands.executeCommand('textClassifier.toggleLiveClassification'), !before);
    assert.equal(config(), !before);
    await vscode.commands.executeCommand('textClassifier.toggleLiveClassification');
    assert.equal(config(), before);
  });

  it('code lenses and hovers follow their settings', async () => {
    const editor = await openInEditor('reviews.md');
    await vscode.commands.executeCommand('textClassifier.classifyDocument');
    const ourLenses = async () => (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri, 100))
      .filter((lens) => lens.command?.command === 'textClassifier.showInResults').length;
    const ourHover = async () => hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, new vscode.Position(0, 5)))
      .includes('Text Classifier');
    assert.equal(await ourLenses(), 4);
    assert.equal(await ourHover(), true);
    try {
      await setSetting('codeLens.enabled', false);
      await setSetting('hover.enabled', false);
      assert.equal(await ourLenses(), 0);
      assert.equal(await ourHover(), false);
    } finally {
      await setSetting('codeLens.enabled', undefined);
      await setSetting('hover.enabled', undefined);
    }
  });

  it('a cancelled classification stops in the worker and stores nothing', async () => {
    const api = await extensionApi();
    const paragraphs = Array.from({ length: 2000 }, (_, i) => `Entry ${i}: the room was ${i % 2 ? 'cold and noisy' : 'bright and calm'} on night ${i}.`);
    const document = await vscode.workspace.openTextDocument({ content: paragraphs.join('\n\n'), language: 'markdown' });
    await vscode.window.showTextDocument(document);
    const request = new AbortController();
    let progressSeen = 0;
    const running = api.classifier.classifyDocument(document, { signal: request.signal, onProgress: (done) => { progressSeen = done; if (done > 0) request.abort(); } });
    await assert.rejects(running, /cancelled/);
    assert.ok(progressSeen > 0 && progressSeen < paragraphs.length, `stopped after ${progressSeen} of ${paragraphs.length} units`);
    assert.equal(api.results.get(document.uri), undefined, 'nothing stored');
    for (let i = 0; i < 100 && (await api.client.status()).workerQueue > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal((await api.client.status()).workerQueue, 0, 'the worker dropped the request');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
