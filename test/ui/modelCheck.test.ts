// Select Model… with each model's check (what `textclf models --check` finds) on its detail line, a
// model the engine cannot run saying why; then a regression model's values in the lenses, the hover and
// the Results view. In the real workbench (code-server in headless Chromium) at the default sidebar
// width, in the dark, light and high-contrast themes; screenshots go to test-results/.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compatModelsOrSkip } from '../support/compatModels';
import { extensionViewsShown, repoRoot, runCommand, useTheme, useWorkbench } from './workbench';

const results = path.join(repoRoot, 'test-results');
const themes = [['dark', 'Default Dark Modern'], ['light', 'Default Light Modern'], ['hc', 'Default High Contrast']] as const;

describe('model check in Select Model…, and a regression model in the editor', function () {
  this.timeout(600_000);
  const workbench = useWorkbench({ failureScreenshot: path.join(results, 'ui-model-check-failed.png') });

  it('lists each model with its check, refuses an unsupported one, and shows regression values', async function () {
    const compat = compatModelsOrSkip(this);
    const workspace = workbench.scratch('textclf-ui-model-check-');
    fs.cpSync(path.join(repoRoot, 'test', 'integration', 'fixtures', 'workspace'), workspace, { recursive: true });
    fs.cpSync(path.join(compat, 'bert-regression'), path.join(workspace, 'rating-model'), { recursive: true });
    fs.cpSync(path.join(compat, 'bert-token-classification'), path.join(workspace, 'token-model'), { recursive: true });
    fs.writeFileSync(path.join(workspace, 'ratings.txt'), 'A warm, funny and quietly devastating film.\n\nThe plot goes nowhere and the jokes fall flat.\n\ndull\n');
    fs.mkdirSync(path.join(workspace, '.vscode'));
    fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'workbench.colorTheme': 'Default Dark Modern' }));
    const page = await workbench.open({ folder: workspace, viewport: { width: 1600, height: 1000 } });
    await extensionViewsShown(page);
    // The workbench draws its first frame in the light theme and applies the workspace's later.
    await useTheme(page, workspace, 'Default Dark Modern');
    fs.mkdirSync(results, { recursive: true });

    await runCommand(page, 'Text Classifier: Select Model…');
    const rows = page.locator('.quick-input-list .monaco-list-row');
    await rows.filter({ hasText: 'token-model' }).filter({ hasText: 'not supported' }).waitFor({ timeout: 120_000 });
    await rows.filter({ hasText: 'rating-model' }).filter({ hasText: 'regression' }).waitFor({ timeout: 120_000 });
    assert.match(await rows.filter({ hasText: 'sentiment-sst2' }).first().innerText(), /bert · WordPiece · 2 labels · fp32 · window 128/);
    assert.match(await rows.filter({ hasText: 'token-model' }).first().innerText(), /not supported: onnx\/model\.onnx: this is a token-classification graph/);
    for (const [name, theme] of themes) {
      await useTheme(page, workspace, theme);
      await page.screenshot({ path: path.join(results, `ui-model-picker-${name}.png`), clip: { x: 300, y: 0, width: 1000, height: 420 } });
    }

    // The unsupported model is not loaded: it says why, and the picker closes.
    await rows.filter({ hasText: 'checking…' }).first().waitFor({ state: 'detached', timeout: 120_000 });
    await rows.filter({ hasText: 'token-model' }).first().click();
    // From the notification centre: a toast may already be gone.
    await runCommand(page, 'Notifications: Show Notifications');
    await page.locator('.notifications-center .notification-list-item', { hasText: /token-model cannot be used \(not supported: onnx\/model\.onnx: this is a token-classification graph/ })
      .waitFor({ timeout: 30_000 });
    await runCommand(page, 'Notifications: Clear All Notifications');

    await runCommand(page, 'Text Classifier: Select Model…');
    // Checked at the first opening and unchanged since: the line says it at once, with no new check.
    const again = rows.filter({ hasText: 'rating-model' }).filter({ hasText: 'in this workspace' }).first();
    await again.waitFor({ timeout: 30_000 });
    assert.match(await again.innerText(), /regression \(a value\)/);
    // Once every line is checked, so that no redraw of the list falls between the keys.
    await rows.filter({ hasText: 'checking…' }).first().waitFor({ state: 'detached', timeout: 120_000 });
    const filter = page.locator('.quick-input-widget input');
    await filter.fill('rating-model');
    await rows.filter({ hasText: 'sentiment-sst2' }).first().waitFor({ state: 'detached', timeout: 10_000 });
    await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'rating-model' }).waitFor({ timeout: 10_000 });
    await filter.press('Enter');
    await page.locator('[id="local-text-classifier.local-text-classifier.textClassifier.status"]', { hasText: 'rating-model' }).waitFor({ timeout: 60_000 });

    await runCommand(page, 'Go to File');
    await page.keyboard.type('ratings.txt');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'ratings.txt' }).first().waitFor({ timeout: 15_000 });
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor .view-line', { hasText: 'quietly devastating' }).waitFor({ timeout: 30_000 });
    await runCommand(page, 'Text Classifier: Classify Document');
    const lenses = page.locator('.monaco-editor .codelens-decoration', { hasText: /score = -?\d+\.\d\d/ });
    await lenses.nth(2).waitFor({ timeout: 60_000 });
    assert.ok((await lenses.allInnerTexts()).every((text) => !text.includes('?')), 'no uncertainty mark on a value');
    await runCommand(page, 'Text Classifier: Focus on Results View');
    const resultsPane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Results' }) });
    await resultsPane.locator('.monaco-list-row', { hasText: /mean value -?\d+\.\d\d/ }).waitFor({ timeout: 15_000 });
    await page.locator('.monaco-editor .view-line', { hasText: 'quietly devastating' }).first().click();
    await runCommand(page, 'Show or Focus Hover');
    const hover = page.locator('.monaco-hover', { hasText: 'regression: values, not probabilities' });
    await hover.waitFor({ timeout: 30_000 });
    assert.ok(!/[█░]/.test(await hover.innerText()), 'no probability bar');
    for (const [name, theme] of themes) {
      await useTheme(page, workspace, theme);
      if (!(await hover.isVisible())) {
        await page.locator('.monaco-editor .view-line', { hasText: 'quietly devastating' }).first().click();
        await runCommand(page, 'Show or Focus Hover');
        await hover.waitFor({ timeout: 30_000 });
      }
      await page.screenshot({ path: path.join(results, `ui-regression-${name}.png`) });
    }
  });
});
