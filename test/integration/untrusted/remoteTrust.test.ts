// In an untrusted workspace the workspace's textClassifier.remote.url is ignored like its model path:
// the text stays on this machine.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { extensionApi } from '../helpers';

describe('untrusted workspace: remote backend', function () {
  this.timeout(60_000);

  it('ignores the workspace\'s textClassifier.remote.url and runs the model here', async () => {
    const url = 'http://127.0.0.1:9';
    assert.equal(vscode.workspace.isTrusted, false);
    assert.equal(vscode.workspace.getConfiguration('textClassifier').inspect('remote.url')?.workspaceValue, url);
    const api = await extensionApi();
    const model = await api.models.ensureLoaded();
    assert.equal(model.name, 'sentiment-sst2');
    assert.equal(api.models.remoteUrl, undefined);
    assert.equal(api.models.ignoredRemoteUntilTrusted, url, 'the workspace setting was seen and ignored');
    assert.equal((await api.client.status()).remote, undefined, 'the engine runs a local session');
    const [classified] = await api.client.classify(['What a wonderful, delightful film.']);
    assert.equal(classified.labels[0].label, 'positive');
  });
});
