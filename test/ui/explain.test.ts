// Explain Classification in the real workbench (code-server in headless Chromium), driven like a user:
// classify a document, run the command from the palette, see the words coloured, hover one of them,
// and expand a row of the evaluation report. Screenshots in the dark, light and high-contrast themes
// go to test-results/ (ui-explain-*.png).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { datasetsDir } from '../support/paths';
import { extensionViewsShown, openFile, repoRoot, reportFrame, runCommand, scoreLenses, useTheme, useWorkbench } from './workbench';

const results = path.join(repoRoot, 'test-results');
const themes = [
  { name: 'dark', theme: 'Default Dark Modern' },
  { name: 'light', theme: 'Default Light Modern' },
  { name: 'high-contrast', theme: 'Default High Contrast' },
];

/** The editor's explanation backgrounds (decoration types render as overlay divs with a ced-* class). */
function colouredWords(page: Page): Locator {
  return page.locator('.monaco-editor .view-overlays [class*="ced-"]');
}

/** The hover over `word` in the first paragraph, once it lists the words. */
async function hoverWord(page: Page, line: Locator, word: string): Promise<Locator> {
  const box = await line.boundingBox();
  assert.ok(box, 'the line is shown');
  const text = await line.innerText();
  const charWidth = box.width / text.length;
  await page.mouse.move(box.x + charWidth * (text.indexOf(word) + word.length / 2), box.y + box.height / 2);
  const hover = page.locator('.monaco-hover', { hasText: 'Why negative' });
  await hover.waitFor({ timeout: 30_000 });
  return hover;
}

describe('explain classification UI', function () {
  this.timeout(300_000);
  const workbench = useWorkbench({ failureScreenshot: path.join(results, 'ui-explain-failed.png') });

  it('colours the words of a paragraph, shows their contributions in the hover, and in a report row', async () => {
    const workspace = workbench.scratch('textclf-ui-explain-');
    fs.cpSync(path.join(repoRoot, 'test', 'integration', 'fixtures', 'workspace'), workspace, { recursive: true });
    const sst2Dev = path.join(datasetsDir, 'sst2', 'dev.tsv');
    const dataset = fs.existsSync(sst2Dev) ? sst2Dev : path.join(repoRoot, 'test', 'integration', 'fixtures', 'datasets', 'movies', 'train.tsv');
    fs.mkdirSync(path.join(workspace, 'sst2'));
    fs.copyFileSync(dataset, path.join(workspace, 'sst2', path.basename(dataset)));
    fs.mkdirSync(path.join(workspace, '.vscode'));
    fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'workbench.colorTheme': themes[0].theme }));
    fs.mkdirSync(results, { recursive: true });

    const page = await workbench.open({ folder: workspace, viewport: { width: 1400, height: 900 } });
    await extensionViewsShown(page);
    await openFile(page, 'mixed-opinions.md', 'The plot is thin');
    await runCommand(page, 'Text Classifier: Classify Document');
    await scoreLenses(page, 4);
    const firstLine = page.locator('.monaco-editor .view-line', { hasText: 'The plot is thin' });
    await firstLine.click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('End'); // the cursor off the words: no word highlight in the screenshots

    await runCommand(page, 'Text Classifier: Explain Classification');
    await colouredWords(page).first().waitFor({ timeout: 60_000 });
    assert.ok((await colouredWords(page).count()) >= 4, 'thin, drags, charming and lovely at least');

    const editor = page.locator('.editor-group-container').first();
    for (const theme of themes) {
      if (theme !== themes[0]) await useTheme(page, workspace, theme.theme);
      await page.mouse.move(700, 880); // away from the text: no hover in the colouring's screenshot
      await page.waitForTimeout(500);
      await editor.screenshot({ path: path.join(results, `ui-explain-words-${theme.name}.png`) });
      const hover = await hoverWord(page, firstLine, 'thin');
      assert.match(await hover.innerText(), /raised negative: \+0\.\d\d thin[\s\S]*lowered negative: -0\.\d\d charming/);
      await page.screenshot({ path: path.join(results, `ui-explain-hover-${theme.name}.png`), clip: { x: 0, y: 0, width: 1400, height: 500 } });
    }

    await runCommand(page, 'Text Classifier: Explain Classification');
    await colouredWords(page).first().waitFor({ state: 'detached', timeout: 30_000 });

    await useTheme(page, workspace, themes[0].theme);
    await runCommand(page, 'Text Classifier: Evaluate Model on Dataset…');
    await page.keyboard.type(`sst2/${path.basename(dataset)}`);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: `sst2/${path.basename(dataset)}` }).first().waitFor();
    await page.keyboard.press('Enter');
    const report = reportFrame(page);
    const errors = report.locator('section.card', { has: report.locator('h2', { hasText: 'Likely label errors' }) });
    const expand = errors.locator('button.expand').first();
    await expand.waitFor({ timeout: 180_000 });
    await expand.click();
    const explained = errors.locator('.explanation-row .explained-text');
    await explained.waitFor({ timeout: 60_000 });
    const words = explained.locator('.word');
    assert.ok((await words.count()) > 0, 'some words of the row are coloured');
    const backgrounds = await words.evaluateAll((spans) => spans.map((span) => span.ownerDocument.defaultView!.getComputedStyle(span).backgroundColor));
    assert.ok(backgrounds.every((colour) => colour !== 'rgba(0, 0, 0, 0)'), `the theme colours reach the report: ${backgrounds.join(', ')}`);
    await errors.evaluate((element) => element.scrollIntoView());
    for (const theme of [themes[0], themes[1]]) {
      if (theme !== themes[0]) await useTheme(page, workspace, theme.theme);
      await page.screenshot({ path: path.join(results, `ui-explain-report-${theme.name}.png`) });
    }

    // With another model loaded in the editor, a row is not coloured with the wrong model.
    await runCommand(page, 'Text Classifier: Select Model…');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'news-topic' }).first().waitFor({ timeout: 15_000 });
    await page.keyboard.type('news-topic');
    await page.keyboard.press('Enter');
    await page.locator('[id="local-text-classifier.local-text-classifier.textClassifier.status"]', { hasText: 'news-topic' }).waitFor({ timeout: 30_000 });
    await errors.locator('button.expand').nth(1).click();
    const refused = errors.locator('.explanation-row .explanation-error');
    await refused.waitFor({ timeout: 30_000 });
    assert.match(await refused.innerText(), /The editor runs news-topic, not sentiment-sst2 that made this report/);
  });
});
