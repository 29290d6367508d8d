// Drives the real workbench (code-server in headless Chromium) like a user: open a Markdown file,
// run "Text Classifier: Classify Document" from the command palette, see the units in the Results
// view and the code lenses in the editor. Saves a screenshot in test-results/.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';

interface CodeServer { origin: string; tmp: string; stop(): Promise<void> }
interface CodeServerModule {
  isProvisioned(): boolean;
  startCodeServer(options?: object): Promise<CodeServer>;
  launchBrowser(): Promise<Browser>;
  workbenchUrl(server: CodeServer, options: { folder?: string; extensionDevelopmentPaths?: string[] }): string;
}

const repoRoot = path.resolve(__dirname, '..', '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const codeServer = require(path.join(repoRoot, 'scripts', 'vscode', 'code-server.js')) as CodeServerModule;
const screenshot = path.join(repoRoot, 'test-results', 'ui-classify-document.png');

async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
}

describe('workbench UI', function () {
  this.timeout(180_000);
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let workspace: string;

  before(function () {
    if (!codeServer.isProvisioned()) {
      console.log('    (skipped: the offline VS Code is not provisioned; run scripts/vscode/provision.sh)');
      this.skip();
    }
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) await page.screenshot({ path: screenshot.replace('.png', '-failed.png') });
  });

  it('Classify Document from the palette fills the Results view and shows code lenses', async () => {
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-ui-'));
    fs.cpSync(path.join(repoRoot, 'test', 'integration', 'fixtures', 'workspace'), workspace, { recursive: true });
    server = await codeServer.startCodeServer();
    browser = await codeServer.launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    await page.goto(codeServer.workbenchUrl(server, { folder: workspace, extensionDevelopmentPaths: [repoRoot] }));
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });

    await runCommand(page, 'Go to File');
    await page.keyboard.type('reviews.md');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'reviews.md' }).first().waitFor({ timeout: 15_000 });
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor .view-line', { hasText: 'This movie was wonderful' }).waitFor({ timeout: 30_000 });

    await runCommand(page, 'Text Classifier: Classify Document');
    const lenses = page.locator('.monaco-editor .codelens-decoration', { hasText: /(positive|negative) 0\.\d\d/ });
    await lenses.nth(3).waitFor({ timeout: 60_000 });
    assert.deepEqual((await lenses.allInnerTexts()).map((text) => text.split(' ')[0]), ['positive', 'negative', 'positive', 'negative']);

    await runCommand(page, 'Text Classifier: Focus on Results View');
    const resultsPane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Results' }) });
    const unitRows = resultsPane.locator('.monaco-list-row[aria-level="2"]');
    await unitRows.nth(3).waitFor({ timeout: 15_000 });
    const rows = await unitRows.allInnerTexts();
    assert.equal(rows.length, 4);
    assert.match(rows[0], /This movie was wonderful[\s\S]*positive 0\.\d\d/);
    assert.match(rows[1], /A terrible, boring film[\s\S]*negative 0\.\d\d/);

    fs.mkdirSync(path.dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot });
  });
});
