// Train Classifier… in the real workbench (code-server in headless Chromium), driven like a user: the
// palette command, its four questions (dataset, base model, method, folder), the report of the new model,
// the "Use This Model" button of the final notification, and the model
// listed in Select Model… with its dataset, date and test accuracy. Screenshots go to test-results/.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { datasetsDir } from '../support/paths';
import { codeServer, repoRoot, runCommand, type CodeServer } from './workbench';

const results = path.join(repoRoot, 'test-results');

/** Picks the quick-pick row that shows `text` (typing it first, to filter the list). */
async function pick(page: Page, text: string, filter = text): Promise<void> {
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first();
  await row.waitFor({ timeout: 60_000 });
  if (filter) await page.keyboard.type(filter);
  await row.waitFor();
  await page.keyboard.press('Enter');
}

describe('Train Classifier UI', function () {
  this.timeout(300_000);
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let workspace: string;
  const sms = path.join(datasetsDir, 'sms_spam', 'SMSSpamCollection');

  before(function () {
    if (!codeServer.isProvisioned()) {
      console.log('    (skipped: the offline VS Code is not provisioned; run scripts/vscode/provision.sh)');
      this.skip();
    }
    if (!fs.existsSync(sms)) {
      console.log(`    (skipped: dataset ${sms} not found; set TEXTCLF_DATASETS to the datasets folder)`);
      this.skip();
    }
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) await page.screenshot({ path: path.join(results, 'ui-training-failed.png') });
  });

  it('trains a linear head on SMS Spam from the palette, shows its report, and Use This Model switches the editor to it', async () => {
    // A scratch workspace (outside the project) with the dataset under a name the Datasets view finds.
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-ui-training-'));
    fs.mkdirSync(path.join(workspace, 'data'));
    fs.copyFileSync(sms, path.join(workspace, 'data', 'sms_spam.tsv'));

    server = await codeServer.startCodeServer();
    browser = await codeServer.launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1600, height: 1000 } })).newPage();
    await page.goto(codeServer.workbenchUrl(server, { folder: workspace, extensionDevelopmentPaths: [repoRoot] }));
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.activitybar .action-item a[aria-label^="Text Classifier"]').waitFor({ timeout: 60_000 });

    await runCommand(page, 'Text Classifier: Train Classifier…');
    await pick(page, 'sms_spam.tsv', 'sms_spam');
    await pick(page, 'sentiment-sst2');
    // The PyTorch method says, once checked, which torch it found, or that it is unavailable and why.
    const pytorchRow = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Fine-tune the whole model with PyTorch' });
    await pytorchRow.filter({ hasText: /torch \d+\.\d+|unavailable/ }).waitFor({ timeout: 60_000 });
    fs.mkdirSync(results, { recursive: true });
    await page.screenshot({ path: path.join(results, 'training-method.png') });
    await pick(page, 'Linear head on the frozen encoder', '');
    // The suggested folder: models/<dataset>-<method>-<date> in the workspace.
    const folderInput = page.locator('.quick-input-widget input');
    await page.locator('.quick-input-widget', { hasText: 'new model folder' }).waitFor();
    const suggested = await folderInput.inputValue();
    assert.match(suggested, /models[\\/]sms_spam-linear-head-\d{4}-\d\d-\d\d$/);
    await page.keyboard.press('Enter');

    // The report of the new model on the test split opens when the training is done.
    const report = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    await report.locator('.kpi', { hasText: 'accuracy' }).locator('.kpi-value').waitFor({ timeout: 240_000 });
    assert.ok(fs.existsSync(path.join(workspace, 'models', path.basename(suggested), 'onnx', 'model.onnx')));
    // The final notification, with its buttons (in the notification centre: a toast may already be gone).
    await runCommand(page, 'Notifications: Show Notifications');
    const done = page.locator('.notifications-center .notification-list-item', { hasText: /trained sms_spam-linear-head-[\d-]+: test accuracy \d+\.\d %/ });
    await done.waitFor({ timeout: 60_000 });
    const accuracy = Number(/test accuracy (\d+\.\d) %/.exec(await done.innerText())![1]);
    assert.ok(accuracy >= 97, `test accuracy ${accuracy} %`);
    await page.screenshot({ path: path.join(results, 'training-done.png') });

    await done.locator('.monaco-button', { hasText: 'Use This Model' }).click();
    // The extension's status bar item names the model in use.
    await page.locator('.statusbar-item[id$="textClassifier.status"]', { hasText: path.basename(suggested) }).waitFor({ timeout: 60_000 });

    // Select Model… lists it with its dataset, date and test accuracy.
    await runCommand(page, 'Text Classifier: Select Model…');
    const listed = page.locator('.quick-input-list .monaco-list-row', { hasText: path.basename(suggested) }).first();
    await listed.waitFor({ timeout: 30_000 });
    assert.match(await listed.innerText(), /test accuracy \d+\.\d % · sms_spam\.tsv · \d{4}-\d\d-\d\d/);
    await page.screenshot({ path: path.join(results, 'training-select-model.png') });
    await page.keyboard.press('Escape');
  });
});
