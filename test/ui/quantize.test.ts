// Quantize Model… in the real workbench (code-server in headless Chromium), driven like a user: the
// palette command, its three questions (model, folder, dataset), the cancellable progress notification, the final
// notification with the accuracy before and after, and its "Use This Model" button. Screenshots of the
// questions and of the final notification (dark, light, high contrast) go to test-results/.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { datasetsDir } from '../support/paths';
import { pick } from './trainingSteps';
import { extensionViewsShown, notProvisioned, repoRoot, runCommand, useTheme, useWorkbench } from './workbench';

const results = path.join(repoRoot, 'test-results');
const themes = [
  { name: 'dark', theme: 'Default Dark Modern' },
  { name: 'light', theme: 'Default Light Modern' },
  { name: 'high-contrast', theme: 'Default High Contrast' },
];

describe('Quantize Model UI', function () {
  this.timeout(300_000);
  const dev = path.join(datasetsDir, 'sst2', 'dev.tsv');
  const workbench = useWorkbench({
    failureScreenshot: path.join(results, 'ui-quantize-failed.png'),
    skipReason: () => notProvisioned() ?? (fs.existsSync(dev) ? undefined : `dataset ${dev} not found; set TEXTCLF_DATASETS to the datasets folder`),
  });

  it('quantizes the model in use from the palette, compares it on SST-2 dev, and Use This Model switches to it', async () => {
    const workspace = workbench.scratch('textclf-ui-quantize-');
    fs.mkdirSync(path.join(workspace, 'data'));
    fs.mkdirSync(path.join(workspace, '.vscode'));
    fs.copyFileSync(dev, path.join(workspace, 'data', 'sst2_dev.tsv'));
    fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'workbench.colorTheme': themes[0].theme }));

    const page = await workbench.open({ folder: workspace, viewport: { width: 1400, height: 900 } });
    await extensionViewsShown(page);
    fs.mkdirSync(results, { recursive: true });

    await runCommand(page, 'Text Classifier: Quantize Model…');
    // The model in use is first, and chosen with Enter.
    const first = page.locator('.quick-input-list .monaco-list-row').first();
    await first.filter({ hasText: 'sentiment-sst2' }).filter({ hasText: 'the model in use' }).waitFor({ timeout: 60_000 });
    await page.screenshot({ path: path.join(results, 'quantize-model.png') });
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget', { hasText: 'new model folder' }).waitFor();
    const suggested = await page.locator('.quick-input-widget input').inputValue();
    assert.equal(suggested, path.join(workspace, 'models', 'sentiment-sst2-int8'));
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'sst2_dev.tsv' }).first().waitFor({ timeout: 60_000 });
    await page.screenshot({ path: path.join(results, 'quantize-dataset.png') });
    await pick(page, 'sst2_dev.tsv', 'sst2_dev');
    // The cancellable progress notification while the two models are evaluated (in the notification
    // centre: this headless workbench shows no toasts).
    await runCommand(page, 'Notifications: Show Notifications');
    const progress = page.locator('.notifications-center .notification-list-item', { hasText: 'Quantizing sentiment-sst2 to int8' }).filter({ hasText: 'evaluating' });
    await progress.waitFor({ timeout: 120_000 });
    assert.ok(await progress.locator('.monaco-button', { hasText: 'Cancel' }).isVisible(), 'the progress notification can be cancelled');
    await page.screenshot({ path: path.join(results, 'quantize-progress.png') });

    // The final notification, in the notification centre.
    const notification = page.locator('.notifications-center .notification-list-item', { hasText: 'quantized sentiment-sst2-int8' });
    await notification.waitFor({ timeout: 240_000 });
    const text = await notification.innerText();
    const match = /Accuracy on sst2_dev\.tsv: (\d+\.\d\d) % before, (\d+\.\d\d) % after/.exec(text);
    assert.ok(match, `the notification states the accuracy before and after: ${text}`);
    assert.ok(Math.abs(Number(match[1]) - Number(match[2])) <= 0.5, text);
    assert.ok(fs.existsSync(path.join(suggested, 'onnx', 'model_quantized.onnx')));
    for (const theme of themes) {
      if (theme !== themes[0]) await useTheme(page, workspace, theme.theme);
      await page.screenshot({ path: path.join(results, `quantize-done-${theme.name}.png`) });
    }

    await notification.locator('.monaco-button', { hasText: 'Use This Model' }).click();
    await page.locator('.statusbar-item[id$="textClassifier.status"]', { hasText: 'sentiment-sst2-int8' }).waitFor({ timeout: 60_000 });
  });
});
