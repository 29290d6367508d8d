// In an untrusted workspace only the bundled models run: the workspace's textClassifier.modelPath
// (a complete, loadable model copied in by runTest) is ignored.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ModelInfo } from '../../../src/classifier/types';
import type { DocumentResults } from '../../../src/editor/results';
import { extensionApi, openInEditor, workspaceFile } from '../helpers';

describe('untrusted workspace', function () {
  this.timeout(60_000);

  it('is opened untrusted, with a workspace model configured', () => {
    assert.equal(vscode.workspace.isTrusted, false);
    assert.ok(fs.existsSync(workspaceFile('workspace-model/onnx/model.onnx').fsPath), 'runTest copied the model');
    assert.equal(vscode.workspace.getConfiguration('textClassifier').inspect('modelPath')?.workspaceValue, 'workspace-model');
  });

  it('classifies with the bundled model, not the workspace model', async () => {
    const api = await extensionApi();
    await openInEditor('reviews.md');
    const results = await vscode.commands.executeCommand<DocumentResults>('textClassifier.classifyDocument');
    assert.ok(results, 'classification works in an untrusted workspace');
    assert.equal(results.units[0].labels[0].label, 'positive');
    assert.ok(api.models.model && api.models.isBundled(api.models.model.dir), `bundled model in use, not ${api.models.model?.dir}`);
    assert.equal(api.models.ignoredUntilTrusted, workspaceFile('workspace-model').fsPath, 'the workspace setting was seen and ignored');
  });

  it('Select Model does not load a model from the workspace', async () => {
    const api = await extensionApi();
    const model = await vscode.commands.executeCommand<ModelInfo>('textClassifier.selectModel', workspaceFile('workspace-model').fsPath);
    assert.ok(api.models.isBundled(model.dir), `got ${model.dir}`);
    assert.notEqual(path.basename(model.dir), 'workspace-model');
    assert.equal(api.models.ignoredUntilTrusted, workspaceFile('workspace-model').fsPath);
  });
});
