// Comparing two models in the real workbench (code-server in headless Chromium), driven like a user:
// SST-2 dev is evaluated with the bundled sentiment model and with a linear head trained from it (here,
// before the workbench opens), "Compare with…" on the second report picks the first, and the comparison
// page shows both runs' metrics, per-class F1, two confusion matrices and the rows whose label differs;
// it comes back after a window reload; Enter on a row opens the dataset at its line. Screenshots in the dark, light and high-contrast themes
// go to test-results/.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { readTrainingDataset } from '../../src/training/datasetFiles';
import { trainClassifier } from '../../src/training/train';
import { datasetsDir } from '../support/paths';
import { extensionViewsShown, notProvisioned, repoRoot, runCommand, useTheme, useWorkbench } from './workbench';

const results = path.join(repoRoot, 'test-results');
const sst2 = path.join(datasetsDir, 'sst2');

/** The webview in front (hidden ones keep their frames: the reports behind the comparison). */
function visibleWebview(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready >> visible=true').frameLocator('#active-frame');
}

/** The top of the page, then the differing rows. */
async function screenshots(page: Page, compare: FrameLocator, name: string): Promise<void> {
  await compare.locator('#report').evaluate((element) => element.ownerDocument.scrollingElement?.scrollTo(0, 0));
  await page.screenshot({ path: path.join(results, `${name}.png`) });
  await compare.locator('#differing-rows').evaluate((element) => element.scrollIntoView());
  await page.screenshot({ path: path.join(results, `${name}-rows.png`) });
}

async function evaluateDev(page: Page): Promise<void> {
  // The dataset pick opens once the workspace is searched: type into it only then (a busy machine is slow to
  // show it). Like the palette (runCommand), the workbench may close it while it settles (a report or the
  // status bar taking focus): a closed pick evaluates nothing, so ask again.
  const input = page.locator('.quick-input-widget input[placeholder^="Evaluate the model on which dataset"]');
  for (let attempt = 1; ; attempt++) {
    try {
      await runCommand(page, 'Text Classifier: Evaluate Model on Dataset…');
      await input.waitFor({ timeout: 30_000 });
      await input.fill('sst2/dev.tsv', { timeout: 10_000 });
      break;
    } catch (error) {
      if (attempt === 3) throw error;
      await page.keyboard.press('Escape');
    }
  }
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'sst2/dev.tsv' }).first().waitFor();
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden', timeout: 15_000 });
}

describe('comparison UI', function () {
  this.timeout(420_000);
  const workbench = useWorkbench({
    failureScreenshot: path.join(results, 'ui-compare-failed.png'),
    skipReason: () => notProvisioned() ?? (fs.existsSync(path.join(sst2, 'train.tsv')) && fs.existsSync(path.join(sst2, 'dev.tsv')) ? undefined : `${sst2}/train.tsv or dev.tsv not found; set TEXTCLF_DATASETS to the datasets folder`),
  });

  it('"Compare with…" on a report puts two models side by side in the dark, light and high-contrast themes', async () => {
    // The second model: a linear head on the bundled sentiment encoder, trained on 2,000 SST-2 training rows.
    const models = workbench.scratch('textclf-ui-compare-models-');
    const trainFile = path.join(models, 'sentiment-2000.tsv');
    const rows = fs.readFileSync(path.join(sst2, 'train.tsv'), 'utf8').split('\n').slice(1, 2001).map((row) => row.replace(/\t0$/, '\tnegative').replace(/\t1$/, '\tpositive'));
    fs.writeFileSync(trainFile, `sentence\tlabel\n${rows.join('\n')}\n`);
    const headDir = path.join(models, 'sst2-head');
    await trainClassifier({ method: 'linear-head', baseModel: path.join(repoRoot, 'models', 'sentiment-sst2'), output: headDir, dataset: await readTrainingDataset({ train: trainFile }), seed: 5 });

    const workspace = workbench.scratch('textclf-ui-compare-');
    fs.mkdirSync(path.join(workspace, 'sst2'));
    fs.copyFileSync(path.join(sst2, 'dev.tsv'), path.join(workspace, 'sst2', 'dev.tsv'));
    fs.mkdirSync(path.join(workspace, '.vscode'));
    const settingsFile = path.join(workspace, '.vscode', 'settings.json');
    fs.writeFileSync(settingsFile, JSON.stringify({ 'workbench.colorTheme': 'Default Dark Modern' }));

    const page = await workbench.open({ folder: workspace, viewport: { width: 1600, height: 1000 } });
    await extensionViewsShown(page);
    // Run A: the bundled model.
    await evaluateDev(page);
    await visibleWebview(page).locator('h1', { hasText: 'sentiment-sst2' }).waitFor({ timeout: 120_000 });
    // Run B: the trained model, chosen through the setting.
    fs.writeFileSync(settingsFile, JSON.stringify({ ...JSON.parse(fs.readFileSync(settingsFile, 'utf8')), 'textClassifier.modelPath': headDir }));
    await page.locator('.statusbar-item', { hasText: 'sst2-head' }).waitFor({ timeout: 60_000 });
    await evaluateDev(page);
    const report = visibleWebview(page);
    await report.locator('h1', { hasText: 'sst2-head' }).waitFor({ timeout: 120_000 });

    // Compare with… on the trained model's report: the quick pick offers the other model's run of the dataset.
    await report.locator('#compare-with').click();
    const pick = page.locator('.quick-input-list .monaco-list-row', { hasText: 'sentiment-sst2' });
    await pick.first().waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('.quick-input-list .monaco-list-row').count(), 1, 'only the other evaluation of dev.tsv');
    await page.keyboard.press('Enter');

    const compare = visibleWebview(page);
    await compare.locator('#differing-rows').waitFor({ timeout: 60_000 });
    assert.deepEqual(await compare.locator('.sides .side-name').allTextContents(), ['A: sst2-head', 'B: sentiment-sst2']);
    assert.doesNotMatch(await compare.locator('#report').innerText(), /undefined|NaN/, 'no absent value printed');
    assert.equal(await compare.locator('table.compare-metrics tbody tr').count(), 8, 'seven metrics and the rows evaluated');
    assert.deepEqual(await compare.locator('table.per-class-f1 tbody tr td:first-child').allInnerTexts(), ['negative', 'positive']);
    assert.equal(await compare.locator('svg.matrix').count(), 2, 'both confusion matrices');
    const subtitle = await compare.locator('#differing-rows header p').innerText();
    const counted = /^([\d,]+) of the 872 rows both runs evaluated/.exec(subtitle);
    assert.ok(counted, subtitle);
    const differing = Number(counted[1].replace(/,/g, ''));
    console.log(`      ${differing} of 872 SST-2 dev rows differ between sst2-head and sentiment-sst2`);
    const listed = compare.locator('table.differing tbody tr');
    assert.equal(await listed.count(), Math.min(500, differing));
    assert.ok(differing > 0);

    fs.mkdirSync(results, { recursive: true });
    await screenshots(page, compare, 'compare-dark');
    await useTheme(page, workspace, 'Default Light Modern');
    await screenshots(page, compare, 'compare-light');
    await useTheme(page, workspace, 'Default High Contrast');
    await screenshots(page, compare, 'compare-high-contrast');
    await useTheme(page, workspace, 'Default Dark Modern');

    // After a window reload the comparison comes back from the two stored evaluations.
    await runCommand(page, 'Developer: Reload Window');
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await visibleWebview(page).locator('#differing-rows header p').waitFor({ timeout: 180_000 }); // a busy machine restarts the extension host slowly
    assert.equal(await visibleWebview(page).locator('#differing-rows header p').innerText(), subtitle);

    // Keyboard: Enter on the first differing row opens dev.tsv at its line.
    const firstLine = Number(await listed.first().locator('td').first().innerText());
    await listed.first().focus();
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab.active', { hasText: 'dev.tsv' }).waitFor({ timeout: 30_000 });
    await page.locator('.statusbar-item', { hasText: `Ln ${firstLine}, Col 1` }).waitFor({ timeout: 15_000 });
  });
});
