// A worker that dies in the middle of a request: the command fails with a clear error, the worker
// is restarted with the model loaded again, and the next classification works.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { DocumentResults } from '../../../src/editor/results';
import { extensionApi } from '../helpers';

describe('worker crash', function () {
  this.timeout(120_000);

  it('killing the worker mid-request leaves the extension working', async () => {
    const api = await extensionApi();
    await vscode.commands.executeCommand('textClassifier.showStatus'); // model loaded, worker running
    const before = await api.client.status();
    // Enough distinct paragraphs that the request is still running when the worker is killed.
    const paragraphs = Array.from({ length: 3000 }, (_, i) => `Paragraph ${i}: the service was ${i % 2 ? 'slow and rude' : 'quick and friendly'} on day ${i}.`);
    const document = await vscode.workspace.openTextDocument({ content: paragraphs.join('\n\n'), language: 'markdown' });
    await vscode.window.showTextDocument(document);

    const running = vscode.commands.executeCommand<DocumentResults | undefined>('textClassifier.classifyDocument');
    for (let i = 0; i < 200 && (await api.client.status()).workerQueue === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.ok((await api.client.status()).workerQueue > 0, 'the request reached the worker');
    process.kill(before.pid, 'SIGKILL');
    assert.equal(await running, undefined, 'the interrupted command reports an error instead of results');

    const again = await vscode.commands.executeCommand<DocumentResults | undefined>('textClassifier.classifyDocument');
    assert.ok(again, 'classification works after the restart');
    assert.equal(again.units.length, paragraphs.length);
    const after = await api.client.status();
    assert.notEqual(after.pid, before.pid);
    assert.equal(after.restarts, before.restarts + 1);
    assert.equal(after.model?.name, 'sentiment-sst2');
    await vscode.commands.executeCommand('textClassifier.clearResults');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
