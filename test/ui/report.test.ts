// The evaluation report in the real workbench (code-server in headless Chromium), driven like a user:
// the Datasets view lists a dataset with its counts, "Evaluate Model on Dataset…" from the palette
// opens the report, a click on a confusion-matrix cell lists its rows, and the report is back after
// a window reload. Screenshots in the dark, light and high-contrast themes go to test-results/.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { datasetsDir } from '../support/paths';
import { extensionViewsShown, repoRoot, reportFrame, runCommand, useTheme, useWorkbench } from './workbench';

const results = path.join(repoRoot, 'test-results');

/** Switches the colour theme through the workspace settings file, as editing settings.json does. */

/** The viewport, and the report scrolled to its charts. */
async function screenshots(page: Page, report: FrameLocator, name: string): Promise<void> {
  await report.locator('#report').evaluate((element) => element.ownerDocument.scrollingElement?.scrollTo(0, 0));
  await page.screenshot({ path: path.join(results, `${name}.png`) });
  await report.locator('h2', { hasText: 'Confidence' }).evaluate((element) => element.scrollIntoView());
  await page.screenshot({ path: path.join(results, `${name}-charts.png`) });
}

describe('evaluation report UI', function () {
  this.timeout(240_000);
  const workbench = useWorkbench({ failureScreenshot: path.join(results, 'ui-report-failed.png') });

  it('evaluates a dataset from the palette and shows the report in the dark and the light theme', async () => {
    const workspace = workbench.scratch('textclf-ui-report-');
    // SST-2 dev when the shared datasets are there (a scratch copy, outside the project), else the fixture split.
    const sst2Dev = path.join(datasetsDir, 'sst2', 'dev.tsv');
    const dataset = fs.existsSync(sst2Dev) ? 'dev.tsv' : 'train.tsv';
    fs.mkdirSync(path.join(workspace, 'sst2'));
    fs.copyFileSync(fs.existsSync(sst2Dev) ? sst2Dev : path.join(repoRoot, 'test', 'integration', 'fixtures', 'datasets', 'movies', 'train.tsv'), path.join(workspace, 'sst2', dataset));
    // The integration fixtures beside it: a split group, CSV, JSONL and a file with bad rows in the view.
    fs.cpSync(path.join(repoRoot, 'test', 'integration', 'fixtures', 'datasets'), path.join(workspace, 'datasets'), { recursive: true });
    fs.mkdirSync(path.join(workspace, '.vscode'));
    fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'workbench.colorTheme': 'Default Dark Modern' }));

    const page = await workbench.open({ folder: workspace, viewport: { width: 1600, height: 1000 } });
    await extensionViewsShown(page);
    await runCommand(page, 'Text Classifier: Focus on Datasets View');
    const datasetsPane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Datasets' }) });
    const datasetRow = datasetsPane.locator('.monaco-list-row', { hasText: dataset });
    await datasetRow.filter({ hasText: /rows ·/ }).waitFor({ timeout: 60_000 });

    await runCommand(page, 'Text Classifier: Evaluate Model on Dataset…');
    await page.keyboard.type(`sst2/${dataset}`);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: `sst2/${dataset}` }).first().waitFor();
    await page.keyboard.press('Enter');

    const report = reportFrame(page);
    const accuracy = report.locator('.kpi', { hasText: 'accuracy' }).locator('.kpi-value');
    await accuracy.waitFor({ timeout: 120_000 });
    const accuracyText = await accuracy.innerText();
    assert.match(accuracyText, /^\d+\.\d\d %$/);
    assert.doesNotMatch(await report.locator('#report').innerText(), /undefined|NaN/, 'no absent value printed (an absent banner was printed as "undefined")');
    assert.equal(await report.locator('svg.matrix .cell').count(), 4, 'a 2×2 confusion matrix');
    assert.equal(await report.locator('svg[aria-label="Reliability diagram"]').count(), 1);
    assert.equal(await report.locator('svg[aria-label="Confidence histogram"]').count(), 1);

    // gold negative, predicted positive: the rows the model gets wrong that way.
    await report.locator('svg.matrix .cell').nth(1).click();
    const cellRows = report.locator('#cell-rows table.rows tbody tr');
    await cellRows.first().waitFor();
    assert.ok((await cellRows.count()) > 0);
    assert.match(await report.locator('#cell-rows h3').innerText(), /gold negative → predicted positive/);

    // The expanded dataset node in the sidebar shows the label distribution next to the report.
    await datasetRow.first().click();
    await datasetsPane.locator('.monaco-list-row[aria-level="2"]', { hasText: /\d+ · [\d.]+ %/ }).first().waitFor();

    fs.mkdirSync(results, { recursive: true });
    await screenshots(page, report, 'report-dark');
    await useTheme(page, workspace, 'Default Light Modern');
    await screenshots(page, report, 'report-light');
    await useTheme(page, workspace, 'Default High Contrast');
    await screenshots(page, report, 'report-high-contrast');

    // After a window reload the report comes back from the stored evaluation, without a new run.
    await runCommand(page, 'Developer: Reload Window');
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    const restored = reportFrame(page).locator('.kpi', { hasText: 'accuracy' }).locator('.kpi-value');
    await restored.waitFor({ timeout: 60_000 });
    assert.equal(await restored.innerText(), accuracyText);
  });
});
