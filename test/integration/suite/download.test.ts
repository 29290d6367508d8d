// Download Model from Hugging Face against a Hub look-alike on 127.0.0.1 serving the bundled model.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ModelInfo } from '../../../src/classifier/types';
import type { DownloadSummary } from '../../../src/hub/downloadSummary';
import { bundledModel } from '../../support/paths';
import { startHubServer, type HubServer } from '../hubServer';
import { extensionApi, setSetting } from '../helpers';

describe('model download', function () {
  this.timeout(60_000);
  let hub: HubServer;
  let modelsRoot: string;

  before(async () => {
    const source = bundledModel('sentiment-sst2');
    hub = await startHubServer({ 'textclf/sentiment': [source, 'none'], 'textclf/corrupted': [source, 'corrupt'], 'textclf/interrupted': [source, 'interrupt'] });
    await setSetting('hubEndpoint', hub.endpoint);
  });

  after(async () => {
    await setSetting('hubEndpoint', undefined);
    const api = await extensionApi();
    await vscode.commands.executeCommand('textClassifier.selectModel', api.models.bundledModels().find((dir) => dir.endsWith('sentiment-sst2')));
    await hub?.close();
  });

  const leftovers = () => fs.readdirSync(modelsRoot).filter((name) => name.startsWith('.'));

  it('downloads and verifies a model, shows its family, labels and size before it is used, loads it; it classifies', async () => {
    const api = await extensionApi();
    const shown: DownloadSummary[] = [];
    const model = await vscode.commands.executeCommand<ModelInfo | undefined>('textClassifier.downloadModel', 'textclf/sentiment', {
      confirm: (summary: DownloadSummary) => {
        shown.push(summary);
        assert.ok(!api.models.model?.dir.endsWith('textclf--sentiment'), 'asked before the model is used');
        return true;
      },
    });
    assert.ok(model, 'the download failed (see the error it showed)');
    assert.equal(shown.length, 1, 'asked once');
    const config = JSON.parse(fs.readFileSync(path.join(model.dir, 'config.json'), 'utf8'));
    const onnxBytes = fs.statSync(path.join(model.dir, 'onnx', 'model.onnx')).size;
    assert.equal(shown[0].family, config.model_type);
    assert.deepEqual(shown[0].labels, ['negative', 'positive']);
    assert.ok(shown[0].bytesOnDisk > onnxBytes, `${shown[0].bytesOnDisk} bytes on disk`);
    assert.equal(shown[0].parameters, Math.round(onnxBytes / 4), 'an fp32 graph: 4 bytes a weight');
    assert.match(shown[0].text, new RegExp(`^Family: ${config.model_type} · WordPiece · 2 labels · fp32 · window \\d+\nLabels: negative, positive\nSize: \\d+\\.\\d MB on disk, about \\d+\\.\\d M parameters$`));
    assert.equal(api.models.model?.dir, model.dir, 'the downloaded model is in use');
    assert.equal(path.basename(model.dir), 'textclf--sentiment');
    modelsRoot = path.dirname(model.dir);
    assert.equal(model.labels.join(','), 'negative,positive');
    for (const file of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx', 'source.json']) {
      assert.ok(fs.existsSync(path.join(model.dir, file)), `${file} downloaded`);
    }
    assert.ok(hub.requests.some((request) => request.startsWith('GET /cdn/')), 'the LFS file came through the redirect');
    const [result] = await api.client.classify(['An absolutely wonderful, joyful film.']);
    assert.equal(result.labels[0].label, 'positive');
    assert.deepEqual(leftovers(), []);
  });

  it('Cancel on what the download shows keeps neither the model nor its files', async () => {
    const api = await extensionApi();
    const before = api.models.model?.dir;
    fs.rmSync(path.join(modelsRoot, 'textclf--sentiment'), { recursive: true, force: true });
    let asked = 0;
    const result = await vscode.commands.executeCommand('textClassifier.downloadModel', 'textclf/sentiment', { confirm: () => (asked++, false) });
    assert.equal(asked, 1);
    assert.equal(result, undefined, 'nothing is used');
    assert.equal(api.models.model?.dir, before, 'the model in use did not change');
    assert.ok(!fs.existsSync(path.join(modelsRoot, 'textclf--sentiment')), 'the cancelled download is not kept');
    assert.deepEqual(leftovers(), [], 'no partial download left');
  });

  for (const repo of ['textclf/corrupted', 'textclf/interrupted']) {
    it(`${repo.split('/')[1]} download leaves no model behind`, async () => {
      const api = await extensionApi();
      const before = api.models.model?.dir;
      const result = await vscode.commands.executeCommand('textClassifier.downloadModel', repo);
      assert.equal(result, undefined, 'the failed download is reported, not returned');
      assert.ok(!fs.existsSync(path.join(modelsRoot, repo.replace('/', '--'))), 'no model folder for the failed repository');
      assert.deepEqual(leftovers(), [], 'no partial download left');
      assert.equal(api.models.model?.dir, before, 'the model in use did not change');
    });
  }
});
