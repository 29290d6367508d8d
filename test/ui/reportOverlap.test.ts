// Honest evaluation in the real workbench: AG News test.csv evaluated with the bundled news-topic model,
// which was trained on 6,000 of its rows. The report's banner says so and shows the held-out metrics
// first; "Evaluate Held-Out Rows Only" gives the model card's 86.25 %. The Datasets view names the label
// ids ("1 · World"). Screenshots of the banner and the charts (the y-axis title clear of its ticks, the
// gap bars in the legend's colour) in the dark, light and high-contrast themes go to test-results/.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { datasetsDir } from '../support/paths';
import { extensionViewsShown, notProvisioned, repoRoot, reportFrame, runCommand, useTheme, useWorkbench } from './workbench';

const results = path.join(repoRoot, 'test-results');
const agNews = path.join(datasetsDir, 'ag_news');

/** The banner at the top, then the charts. */
async function screenshots(page: Page, report: FrameLocator, name: string): Promise<void> {
  await report.locator('#report').evaluate((element) => element.ownerDocument.scrollingElement?.scrollTo(0, 0));
  await page.screenshot({ path: path.join(results, `${name}.png`) });
  await report.locator('h2', { hasText: 'Confidence' }).evaluate((element) => element.scrollIntoView());
  await page.screenshot({ path: path.join(results, `${name}-charts.png`) });
}

describe('evaluation report UI: training overlap', function () {
  this.timeout(420_000);
  const workbench = useWorkbench({
    failureScreenshot: path.join(results, 'ui-report-overlap-failed.png'),
    skipReason: () => notProvisioned() ?? (fs.existsSync(path.join(agNews, 'test.csv')) ? undefined : `${agNews}/test.csv not found; set TEXTCLF_DATASETS to the datasets folder`),
  });

  it('AG News with news-topic: the overlap banner, held-out metrics first, and the held-out evaluation', async () => {
    const workspace = workbench.scratch('textclf-ui-overlap-');
    fs.mkdirSync(path.join(workspace, 'ag_news'));
    for (const file of ['test.csv', 'classes.txt']) fs.copyFileSync(path.join(agNews, file), path.join(workspace, 'ag_news', file));
    fs.mkdirSync(path.join(workspace, '.vscode'));
    const settings = { 'workbench.colorTheme': 'Default Dark Modern', 'textClassifier.modelPath': path.join(repoRoot, 'models', 'news-topic') };
    fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify(settings));

    const page = await workbench.open({ folder: workspace, viewport: { width: 1600, height: 1000 } });
    await extensionViewsShown(page);
    await runCommand(page, 'Text Classifier: Focus on Datasets View');
    const datasetsPane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Datasets' }) });
    const datasetRow = datasetsPane.locator('.monaco-list-row', { hasText: 'test.csv' });
    await datasetRow.filter({ hasText: /rows ·/ }).waitFor({ timeout: 60_000 });

    await runCommand(page, 'Text Classifier: Evaluate Model on Dataset…');
    await page.keyboard.type('ag_news/test.csv');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'ag_news/test.csv' }).first().waitFor();
    await page.keyboard.press('Enter');

    const report = reportFrame(page);
    const banner = report.locator('#training-overlap');
    await banner.waitFor({ timeout: 240_000 });
    assert.match(await banner.innerText(), /6,000 of 7,600 rows were used to train news-topic[\s\S]*accuracy 86\.25 %/);
    assert.match(await report.locator('.kpi').first().innerText(), /86\.25 %[\s\S]*held-out accuracy/i);

    // The dataset's label ids with their names, next to the report.
    await datasetRow.first().click();
    await datasetsPane.locator('.monaco-list-row[aria-level="2"]', { hasText: '1 · World' }).waitFor();

    fs.mkdirSync(results, { recursive: true });
    await screenshots(page, report, 'report-overlap-dark');
    await useTheme(page, workspace, 'Default Light Modern');
    await screenshots(page, report, 'report-overlap-light');
    await useTheme(page, workspace, 'Default High Contrast');
    await screenshots(page, report, 'report-overlap-high-contrast');
    await useTheme(page, workspace, 'Default Dark Modern');

    await report.locator('#evaluate-held-out').click();
    const heldOut = report.locator('#training-overlap.info');
    await heldOut.waitFor({ timeout: 240_000 });
    assert.match(await heldOut.innerText(), /Held-out rows only\. 6,000 rows news-topic was trained on/);
    assert.equal(await report.locator('.kpi', { hasText: 'accuracy' }).first().locator('.kpi-value').innerText(), '86.25 %');
    await report.locator('#report').evaluate((element) => element.ownerDocument.scrollingElement?.scrollTo(0, 0));
    await page.screenshot({ path: path.join(results, 'report-held-out-dark.png') });
  });
});
