// The Results view and the editor marks in the real workbench (code-server in headless Chromium), at the
// default sidebar width, in the dark, light and high-contrast themes: a short document with code lenses
// and gutter dots, a classified selection and an edited (stale) paragraph; a 60-paragraph document with
// decorations only (gutter, overview ruler, end-of-line text). Screenshots go to test-results/.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { extensionViewsShown, repoRoot, runCommand, scoreLenses, useTheme, useWorkbench } from './workbench';

const results = path.join(repoRoot, 'test-results');
const themes = [['dark', 'Default Dark Modern'], ['light', 'Default Light Modern'], ['hc', 'Default High Contrast']] as const;

const longReviewSentences = [
  'A wonderful, warm and funny film; I loved it.',
  'The plot was dull and the acting was wooden.',
  'It is a film about a family that moves to a new town.',
  'Great food, friendly staff and a lovely view.',
  'The soup was cold and the bread was stale.',
  'The hotel is near the station and has a restaurant.',
];

/** Opens a workspace file from the Explorer (pinned) or, once open, from its editor tab. */
async function showFile(page: Page, name: string, firstWords: string): Promise<void> {
  const exactly = new RegExp(`^\\s*${name.replace(/[.]/g, '\\.')}\\s*$`);
  const tab = page.locator('.tabs-container .tab .label-name', { hasText: exactly });
  if (await tab.count() > 0) await tab.first().click();
  else await page.locator('.explorer-folders-view .monaco-list-row .label-name', { hasText: exactly }).first().dblclick({ timeout: 30_000 });
  await page.locator('.monaco-editor .view-line', { hasText: firstWords }).first().waitFor({ timeout: 90_000 });
}

/**
 * The label texts at line ends and the SVG dots in the gutter of the visible editor, once `enough`
 * accepts them. Both are drawn by CSS (a ::after content, a background image), so they are counted
 * from the computed styles.
 */
async function editorMarks(page: Page, enough: (found: { endOfLine: number; gutterDots: number }) => boolean) {
  for (let attempt = 0; ; attempt++) {
    const found = await page.locator('.monaco-editor').first().evaluate((root) => {
      const getComputedStyle = root.ownerDocument.defaultView!.getComputedStyle;
      const all = [...root.querySelectorAll('.view-lines span, .margin-view-overlays div, .glyph-margin-widgets div')];
      const endOfLine = all.filter((element) => /(positive|negative)\s[01]\.\d\d/.test(getComputedStyle(element, '::after').content + (element.textContent ?? ''))
        && element.closest('.view-lines')).length;
      const gutterDots = all.filter((element) => getComputedStyle(element).backgroundImage.includes('data:image/svg')).length;
      return { endOfLine, gutterDots };
    });
    if (enough(found) || attempt === 60) return found;
    await page.waitForTimeout(1000);
  }
}

/** Goes to `line` (1-based) of the active editor. */
async function goToLine(page: Page, line: number): Promise<void> {
  await page.keyboard.press('Control+G');
  await page.keyboard.type(String(line));
  await page.keyboard.press('Enter');
}

describe('results UI: tree, decorations, stale mark, selection result', function () {
  this.timeout(600_000); // one workbench for three themes and two documents, on a busy machine
  const workbench = useWorkbench({ failureScreenshot: path.join(results, 'ui-results-failed.png') });

  it('shows label-first rows, gutter dots, a selection result and a stale mark in three themes', async () => {
    const workspace = workbench.scratch('textclf-ui-results-');
    fs.cpSync(path.join(repoRoot, 'test', 'integration', 'fixtures', 'workspace'), workspace, { recursive: true });
    fs.writeFileSync(path.join(workspace, 'long-reviews.md'),
      Array.from({ length: 60 }, (_, i) => `${i + 1}. ${longReviewSentences[i % longReviewSentences.length]}`).join('\n\n') + '\n');
    fs.mkdirSync(path.join(workspace, '.vscode'));
    fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'workbench.colorTheme': 'Default Dark Modern' }));
    const page = await workbench.open({ folder: workspace, viewport: { width: 1600, height: 1000 } });
    await extensionViewsShown(page);

    // The short document: lenses and dots; then a selection result and an edited paragraph.
    await showFile(page, 'reviews.md', 'This movie was wonderful');
    await runCommand(page, 'Text Classifier: Classify Document');
    await scoreLenses(page, 4);
    await goToLine(page, 3);
    await page.keyboard.press('Home');
    for (let i = 0; i < 4; i++) await page.keyboard.press('Control+Shift+ArrowRight');
    await runCommand(page, 'Text Classifier: Classify Selection');
    await page.locator('.monaco-editor .codelens-decoration', { hasText: /selection: \w+ [01]\.\d\d/ }).waitFor({ timeout: 30_000 });
    await goToLine(page, 5);
    await page.keyboard.press('End');
    await page.keyboard.type(' Or so they said.');
    await page.locator('.monaco-editor .codelens-decoration', { hasText: 'edited — re-classify' }).waitFor({ timeout: 10_000 });
    await goToLine(page, 8);
    await runCommand(page, 'Notifications: Clear All Notifications');
    const shortMarks = await editorMarks(page, (found) => found.gutterDots >= 4);
    // The selection's dot shares line 3 (and its look) with its paragraph's.
    assert.equal(shortMarks.gutterDots, 4, 'a dot per paragraph, one of them stale');

    await runCommand(page, 'Text Classifier: Focus on Results View');
    const resultsPane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Results' }) });
    await resultsPane.locator('.monaco-list-row', { hasText: 'Selections' }).waitFor({ timeout: 15_000 });
    const staleRows = await resultsPane.locator('.monaco-list-row', { hasText: /edited — re-classify/ }).allInnerTexts();
    assert.equal(staleRows.length, 1, 'the edited paragraph is marked in the tree');
    assert.match(await resultsPane.locator('.monaco-list-row', { hasText: 'reviews.md' }).first().innerText(), /negative 2 · positive 2 · mean [01]\.\d\d/, 'the summary on the document row');

    fs.mkdirSync(results, { recursive: true });
    for (const [name, theme] of themes) {
      await useTheme(page, workspace, theme);
      await page.screenshot({ path: path.join(results, `ui-results-${name}.png`) });
      await page.screenshot({ path: path.join(results, `ui-results-${name}-gutter.png`), clip: { x: 340, y: 80, width: 700, height: 230 } });
      // The README's picture (docs/results.png): the Results view and the editor's top.
      if (name === 'light') await page.screenshot({ path: path.join(results, 'ui-results-readme.png'), clip: { x: 0, y: 0, width: 1280, height: 330 } });
    }

    // The long document: over 50 units, so decorations only (no lens above every paragraph); the tree
    // grouped by label.
    await runCommand(page, 'View: Show Explorer');
    await showFile(page, 'long-reviews.md', 'A wonderful, warm');
    await runCommand(page, 'Text Classifier: Classify Document');
    const marks = await editorMarks(page, (found) => found.endOfLine > 10);
    assert.ok(marks.endOfLine > 10, `the label at the end of each visible paragraph (${marks.endOfLine})`);
    assert.ok(marks.gutterDots > 10, `a gutter dot per visible paragraph (${marks.gutterDots})`);
    assert.equal(await page.locator('.monaco-editor .codelens-decoration', { hasText: /\w+ [01]\.\d\d/ }).count(), 0, 'no lenses over 50 units');
    await runCommand(page, 'Text Classifier: Focus on Results View');
    await runCommand(page, 'Text Classifier: Arrange Results…');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Group by label' }).click();
    await page.locator('.pane-header', { hasText: 'grouped by label' }).waitFor({ timeout: 10_000 });
    for (const [name, theme] of themes) {
      await useTheme(page, workspace, theme);
      await page.screenshot({ path: path.join(results, `ui-decorations-${name}.png`) });
    }
  });
});
