// Live mode: an edit re-classifies only the paragraph whose text changed, and the lenses follow.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { DocumentResults } from '../../../src/editor/results';
import { extensionApi, nextEvent, openInEditor, setSetting } from '../helpers';

describe('live classification', function () {
  this.timeout(60_000);

  after(async () => {
    await setSetting('liveClassification', undefined);
    await vscode.commands.executeCommand('textClassifier.clearResults');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('re-classifies only the edited paragraph and updates its lens', async () => {
    const api = await extensionApi();
    await setSetting('unit', 'paragraph');
    await setSetting('liveClassification', true);
    const editor = await openInEditor('reviews.md');
    const results = await vscode.commands.executeCommand<DocumentResults>('textClassifier.classifyDocument');
    assert.equal(results.units[2].labels[0].label, 'positive');
    const before = (await api.client.status()).cache;

    const updated = nextEvent(api.classifier.onDidLiveUpdate, (event) => event.uri.toString() === editor.document.uri.toString());
    const third = results.units[2];
    const replacement = 'The worst, most miserable and depressing experience; a true disaster.';
    assert.ok(await editor.edit((edit) => edit.replace(new vscode.Range(editor.document.positionAt(third.start), editor.document.positionAt(third.end)), replacement)));
    const { elapsedMs } = await updated;

    const after = (await api.client.status()).cache;
    assert.equal(after.misses - before.misses, 1, 'the edited paragraph went to the model');
    assert.equal(after.hits - before.hits, 0, 'no other paragraph was sent again');
    const units = api.results.get(editor.document.uri)!.units;
    assert.deepEqual(units.map((unit) => unit.labels[0].label), ['positive', 'negative', 'negative', 'negative']);
    assert.equal(units[2].text, replacement);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri, 100);
    const third_lens = lenses.find((lens) => lens.range.start.line === 4 && lens.command?.command === 'textClassifier.showInResults');
    assert.match(third_lens!.command!.title, /^negative (0\.\d\d|1\.00)$/);
    console.log(`      (live update of a one-paragraph edit: ${elapsedMs.toFixed(0)} ms after the debounce)`);
  });

  it('edits in two paragraphs before the pause update both', async () => {
    const api = await extensionApi();
    const editor = vscode.window.activeTextEditor!;
    const units = api.results.get(editor.document.uri)!.units;
    assert.equal(units.length, 4, 'the document from the previous test, classified');
    const before = (await api.client.status()).cache;
    const updated = nextEvent(api.classifier.onDidLiveUpdate);
    const [first, last] = [units[0], units[3]];
    const replacements = ['Dreadful and dull from start to finish; I hated it.', 'Lovely food, warm staff and a wonderful evening.'];
    // One edit transaction touching both paragraphs, so a busy machine cannot let the pause pass between them.
    const range = (unit: { start: number; end: number }) => new vscode.Range(editor.document.positionAt(unit.start), editor.document.positionAt(unit.end));
    await editor.edit((edit) => {
      edit.replace(range(last), replacements[1]);
      edit.replace(range(first), replacements[0]);
    });
    await updated;
    const after = (await api.client.status()).cache;
    assert.equal(after.misses - before.misses, 2, 'the two edited paragraphs went to the model');
    const now = api.results.get(editor.document.uri)!.units;
    assert.deepEqual(now.map((unit) => unit.text.slice(0, 12)), [replacements[0], units[1].text, units[2].text, replacements[1]].map((text) => text.slice(0, 12)));
    assert.equal(now[0].labels[0].label, 'negative');
    assert.equal(now[3].labels[0].label, 'positive');
  });
});
