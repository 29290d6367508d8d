// Drives the real workbench (code-server in headless Chromium) like a user: open a Markdown file,
// run "Text Classifier: Classify Document" from the command palette, see the units in the Results
// view and the code lenses in the editor. Saves a screenshot in test-results/.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { openFile, repoRoot, runCommand, scoreLenses, useWorkbench } from './workbench';

const screenshot = path.join(repoRoot, 'test-results', 'ui-classify-document.png');

describe('workbench UI', function () {
  this.timeout(180_000);
  const workbench = useWorkbench({ failureScreenshot: screenshot.replace('.png', '-failed.png') });
  let page: Page;

  it('Classify Document from the palette fills the Results view and shows code lenses', async () => {
    const workspace = workbench.scratch('textclf-ui-');
    fs.cpSync(path.join(repoRoot, 'test', 'integration', 'fixtures', 'workspace'), workspace, { recursive: true });
    page = await workbench.open({ folder: workspace, viewport: { width: 1400, height: 900 } });

    await openFile(page, 'reviews.md', 'This movie was wonderful');

    await runCommand(page, 'Text Classifier: Classify Document');
    const lenses = await scoreLenses(page, 4);
    assert.deepEqual(lenses.map((text) => text.split(' ')[0]), ['positive', 'negative', 'positive', 'negative']);

    await runCommand(page, 'Text Classifier: Focus on Results View');
    const resultsPane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Results' }) });
    const unitRows = resultsPane.locator('.monaco-list-row[aria-level="2"]');
    await unitRows.nth(3).waitFor({ timeout: 15_000 });
    const rows = await unitRows.allInnerTexts();
    assert.equal(rows.length, 4);
    assert.match(rows[0], /^positive (0\.\d\d|1\.00)[\s\S]*This movie was wonderful/);
    assert.match(rows[1], /^negative (0\.\d\d|1\.00)[\s\S]*A terrible, boring film/);

    fs.mkdirSync(path.dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot });
  });

  it('Select Model… lists the bundled models and switches the status bar to the chosen one', async () => {
    await runCommand(page, 'Text Classifier: Select Model…');
    const rows = page.locator('.quick-input-list .monaco-list-row');
    await rows.filter({ hasText: 'news-topic' }).first().waitFor({ timeout: 15_000 });
    const texts = await rows.allInnerTexts();
    assert.ok(texts.some((text) => /sentiment-sst2/.test(text)), texts.join(' | '));
    assert.ok(texts.some((text) => /Download from Hugging Face/.test(text)), texts.join(' | '));
    await page.keyboard.type('news-topic');
    await page.keyboard.press('Enter');
    await page.locator('[id="local-text-classifier.local-text-classifier.textClassifier.status"]', { hasText: 'news-topic · cpu' }).waitFor({ timeout: 30_000 });
  });
});
