// The packaged extension can train: installs the linux-x64 VSIX (npm run package) into code-server the
// way a user would and runs Train Classifier… from it (the training process and the PyTorch pipeline
// must be in the package: .vscodeignore), with the linear head on SMS Spam.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { datasetsDir } from '../support/paths';
import { finalNotification, pytorchChoice, trainLinearHeadFromPalette } from './trainingSteps';
import { codeServer, extensionViewsShown, installedExtensionDir, reportFrame, repoRoot, useWorkbench, vsix } from './workbench';

const sms = path.join(datasetsDir, 'sms_spam', 'SMSSpamCollection');

describe('packaged VSIX: Train Classifier', function () {
  this.timeout(300_000);
  const workbench = useWorkbench({
    failureScreenshot: path.join(repoRoot, 'test-results', 'ui-training-vsix-failed.png'),
    skipReason: () =>
      codeServer.isProvisioned() && fs.existsSync(vsix) && fs.existsSync(sms) ? undefined : `needs scripts/vscode/provision.sh, ${path.relative(repoRoot, vsix)} from npm run package, and ${sms}`,
  });

  it('installs into code-server and trains a linear head on SMS Spam from it; PyTorch is offered; the report\'s Use This Model switches to it', async () => {
    const scratch = workbench.scratch('textclf-training-vsix-');
    const extensionsDir = path.join(scratch, 'extensions');
    const workspace = path.join(scratch, 'workspace');
    fs.mkdirSync(path.join(workspace, 'data'), { recursive: true });
    fs.copyFileSync(sms, path.join(workspace, 'data', 'sms_spam.tsv'));
    assert.match(codeServer.installExtension(vsix, extensionsDir), /was successfully installed/);
    const extensionDir = installedExtensionDir(extensionsDir)!;
    for (const file of ['dist/training.js', 'finetune/finetune.py', 'finetune/loop.py', 'finetune/export.py']) {
      assert.ok(fs.existsSync(path.join(extensionsDir, extensionDir, file)), `${file} is installed`);
    }

    const page = await workbench.open({ folder: workspace, viewport: { width: 1400, height: 900 }, extensionsDir });
    await extensionViewsShown(page);

    let pytorch = '';
    const suggested = await trainLinearHeadFromPalette(page, 'sms_spam.tsv', async () => {
      pytorch = await pytorchChoice(page);
    });
    // The installed pipeline is found: PyTorch is offered, or unavailable only for want of Python/torch.
    assert.doesNotMatch(pytorch, /not part of this installation/);
    const report = reportFrame(page);
    await report.locator('.kpi', { hasText: 'accuracy' }).first().locator('.kpi-value').waitFor({ timeout: 240_000 });
    const { accuracy } = await finalNotification(page, path.basename(suggested));
    assert.ok(accuracy >= 97, `test accuracy ${accuracy} %`);
    assert.ok(fs.existsSync(path.join(workspace, 'models', path.basename(suggested), 'onnx', 'model.onnx')));
    fs.mkdirSync(path.join(repoRoot, 'test-results'), { recursive: true });
    await page.screenshot({ path: path.join(repoRoot, 'test-results', 'ui-training-vsix.png') });

    // The report's own "Use This Model" button switches the editor to the new model.
    await report.locator('#use-model').click();
    await page.locator('.statusbar-item[id$="textClassifier.status"]', { hasText: path.basename(suggested) }).waitFor({ timeout: 60_000 });
  });
});
