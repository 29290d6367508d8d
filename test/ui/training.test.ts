// Train Classifier… in the real workbench (code-server in headless Chromium), driven like a user: the
// palette command, its four questions (dataset, base model, method, folder), the report of the new model,
// the "Use This Model" button of the final notification, and the model
// listed in Select Model… with its dataset, date and test accuracy. Screenshots go to test-results/.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { datasetsDir } from '../support/paths';
import { finalNotification, pytorchChoice, trainLinearHeadFromPalette } from './trainingSteps';
import { extensionViewsShown, notProvisioned, reportFrame, repoRoot, runCommand, useWorkbench } from './workbench';

const results = path.join(repoRoot, 'test-results');

describe('Train Classifier UI', function () {
  this.timeout(300_000);
  const sms = path.join(datasetsDir, 'sms_spam', 'SMSSpamCollection');
  const workbench = useWorkbench({
    failureScreenshot: path.join(results, 'ui-training-failed.png'),
    skipReason: () => notProvisioned() ?? (fs.existsSync(sms) ? undefined : `dataset ${sms} not found; set TEXTCLF_DATASETS to the datasets folder`),
  });

  it('trains a linear head on SMS Spam from the palette, shows its report, and Use This Model switches the editor to it', async () => {
    // A scratch workspace (outside the project) with the dataset under a name the Datasets view finds.
    const workspace = workbench.scratch('textclf-ui-training-');
    fs.mkdirSync(path.join(workspace, 'data'));
    fs.copyFileSync(sms, path.join(workspace, 'data', 'sms_spam.tsv'));

    const page = await workbench.open({ folder: workspace, viewport: { width: 1600, height: 1000 } });
    await extensionViewsShown(page);

    let pytorch = '';
    const suggested = await trainLinearHeadFromPalette(page, 'sms_spam.tsv', async () => {
      // The PyTorch method says, once checked, which torch it found, or that it is unavailable and why.
      pytorch = await pytorchChoice(page);
      fs.mkdirSync(results, { recursive: true });
      await page.screenshot({ path: path.join(results, 'training-method.png') });
    });
    assert.match(pytorch, /torch \d+\.\d+|unavailable/);
    // The suggested folder: models/<dataset>-<method>-<date> in the workspace.
    assert.match(suggested, /models[\\/]sms_spam-linear-head-\d{4}-\d\d-\d\d$/);

    // The report of the new model on the test split opens when the training is done.
    await reportFrame(page).locator('.kpi', { hasText: 'accuracy' }).first().locator('.kpi-value').waitFor({ timeout: 240_000 });
    assert.ok(fs.existsSync(path.join(workspace, 'models', path.basename(suggested), 'onnx', 'model.onnx')));
    const { notification, accuracy } = await finalNotification(page, path.basename(suggested));
    assert.ok(accuracy >= 97, `test accuracy ${accuracy} %`);
    await page.screenshot({ path: path.join(results, 'training-done.png') });

    await notification.locator('.monaco-button', { hasText: 'Use This Model' }).click();
    // The extension's status bar item names the model in use.
    await page.locator('.statusbar-item[id$="textClassifier.status"]', { hasText: path.basename(suggested) }).waitFor({ timeout: 60_000 });

    // Select Model… lists it with its dataset, date and test accuracy.
    await runCommand(page, 'Text Classifier: Select Model…');
    const listed = page.locator('.quick-input-list .monaco-list-row', { hasText: path.basename(suggested) }).first();
    await listed.waitFor({ timeout: 30_000 });
    assert.match(await listed.innerText(), /test accuracy \d+\.\d % · sms_spam\.tsv · \d{4}-\d\d-\d\d/);
    await page.screenshot({ path: path.join(results, 'training-select-model.png') });
    await page.keyboard.press('Escape');

    // The dataset's context menu in the Datasets view offers it too.
    await runCommand(page, 'Text Classifier: Focus on Datasets View');
    const datasetsPane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Datasets' }) });
    await datasetsPane.locator('.monaco-list-row', { hasText: 'sms_spam.tsv' }).first().click({ button: 'right' });
    await page.locator('.context-view .action-item', { hasText: 'Train Classifier…' }).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(results, 'training-context-menu.png') });
    await page.keyboard.press('Escape');
  });
});
