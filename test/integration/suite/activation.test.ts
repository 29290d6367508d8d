import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { extensionId } from '../helpers';

describe('activation', () => {
  it('activates and contributes its commands', async () => {
    const extension = vscode.extensions.getExtension(extensionId);
    assert.ok(extension, `extension ${extensionId} is not installed`);
    await extension.activate();
    assert.equal(extension.isActive, true);
    const commands = await vscode.commands.getCommands(true);
    for (const command of ['classifyDocument', 'classifySelection', 'clearResults', 'selectModel', 'downloadModel',
      'toggleLiveClassification', 'showStatus']) {
      assert.ok(commands.includes(`textClassifier.${command}`), `textClassifier.${command} is not registered`);
    }
  });
});
