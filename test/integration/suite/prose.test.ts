// Markdown prose only (textClassifier.skipNonProse) and binary files refused, in a real VS Code with
// the real worker and model.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { DocumentResults } from '../../../src/editor/results';
import { extensionApi, openInEditor, setSetting, workspaceFile } from '../helpers';

function hoverText(hovers: vscode.Hover[]): string {
  return hovers.flatMap((hover) => hover.contents).map((content) => (typeof content === 'string' ? content : content.value)).join('\n');
}

describe('prose only and binary files', function () {
  this.timeout(60_000);

  before(async () => {
    await extensionApi();
    await setSetting('unit', 'paragraph');
  });

  afterEach(async () => {
    await setSetting('skipNonProse', undefined);
    await vscode.commands.executeCommand('textClassifier.clearResults');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Classify Document on Markdown classifies the prose, not the front matter, heading, fenced code or table', async () => {
    const editor = await openInEditor('weekend.md');
    assert.equal(editor.document.languageId, 'markdown');
    const results = await vscode.commands.executeCommand<DocumentResults>('textClassifier.classifyDocument');
    assert.ok(results, 'the command returned no results (see the error it showed)');
    assert.deepEqual(results.units.map((unit) => [unit.text.slice(0, 22), unit.labels[0].label]), [
      ['The new café downtown ', 'positive'],
      ['The train home was lat', 'negative'],
    ]);
    for (const unit of results.units) assert.equal(editor.document.getText().slice(unit.start, unit.end), unit.text);

    const headingHover = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, new vscode.Position(4, 5)));
    assert.ok(!headingHover.includes('Text Classifier'), 'no score on the heading');
    const codeHover = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, new vscode.Position(10, 12)));
    assert.ok(!codeHover.includes('Text Classifier'), 'no score in the fenced code');
  });

  it('with textClassifier.skipNonProse off every block is classified, heading and code included', async () => {
    await setSetting('skipNonProse', false);
    await openInEditor('weekend.md');
    const results = await vscode.commands.executeCommand<DocumentResults>('textClassifier.classifyDocument');
    const texts = results.units.map((unit) => unit.text);
    assert.ok(texts.includes('# Weekend movie reviews'), texts.join(' | '));
    assert.ok(texts.some((text) => text.startsWith('```python')), texts.join(' | '));
  });

  it('plain text is unchanged: a "# " line in a .txt file is classified', async () => {
    const document = await vscode.workspace.openTextDocument({ content: '# not a heading here, just sad text\n\nA happy paragraph.', language: 'plaintext' });
    await vscode.window.showTextDocument(document);
    const results = await vscode.commands.executeCommand<DocumentResults>('textClassifier.classifyDocument');
    assert.equal(results.units.length, 2);
  });

  it('a binary file is refused with a message naming it; no results are stored', async () => {
    const api = await extensionApi();
    const file = workspaceFile('random.dat');
    fs.writeFileSync(file.fsPath, Buffer.from(Array.from({ length: 3000 }, (_, i) => ((i * 7919 + 13) % 255) + 1)));
    try {
      const document = await vscode.workspace.openTextDocument(file);
      await vscode.window.showTextDocument(document);
      await assert.rejects(api.classifier.classifyDocument(document), /^Error: random\.dat looks like a binary file \(\d+ % of its characters are control characters or invalid UTF-8\); only text can be classified\.$/);
      assert.equal(await vscode.commands.executeCommand('textClassifier.classifyDocument'), undefined, 'the command shows the error instead of results');
      assert.equal(api.results.get(document.uri), undefined);
    } finally {
      fs.rmSync(file.fsPath, { force: true });
    }
    const withNul = await vscode.workspace.openTextDocument({ content: 'PNG\r\n\u0000\u0000\u0000\rIHDR some words' });
    assert.ok(withNul.getText().includes('\u0000'), `the document as VS Code holds it: ${JSON.stringify(withNul.getText())}`);
    await assert.rejects(api.classifier.classifyDocument(withNul), /looks like a binary file \(it contains NUL bytes\)/);
  });
});
