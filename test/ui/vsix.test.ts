// The packaged extension: installs the linux-x64 VSIX (npm run package) into code-server the way a
// user would, opens a workspace without any development path, and runs Classify Document from it.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { codeServer, openFile, repoRoot, runCommand, scoreLenses, type CodeServer } from './workbench';

const { name, version } = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string };
const vsix = process.env.TEXTCLF_VSIX ?? path.join(repoRoot, `${name}-${version}-linux-x64.vsix`);

describe('packaged VSIX', function () {
  this.timeout(180_000);
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let scratch: string | undefined;
  let page: Page | undefined;
  let failed = false;

  before(function () {
    if (!codeServer.isProvisioned() || !fs.existsSync(vsix)) {
      console.log(`    (skipped: needs scripts/vscode/provision.sh and ${path.relative(repoRoot, vsix)} from npm run package)`);
      this.skip();
    }
  });

  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return;
    failed = true;
    if (page) await page.screenshot({ path: path.join(repoRoot, 'test-results', 'ui-vsix-failed.png') });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (server && failed) console.log(`    (code-server logs kept in ${server.tmp})`);
    else if (server) fs.rmSync(server.tmp, { recursive: true, force: true });
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('installs into code-server and classifies a document', async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-vsix-'));
    const extensionsDir = path.join(scratch, 'extensions');
    const workspace = path.join(scratch, 'workspace');
    fs.cpSync(path.join(repoRoot, 'test', 'integration', 'fixtures', 'workspace'), workspace, { recursive: true });
    const installed = codeServer.installExtension(vsix, extensionsDir);
    assert.match(installed, /was successfully installed/);
    const [extensionDir] = fs.readdirSync(extensionsDir).filter((entry) => entry.startsWith(`${name}.${name}-`));
    assert.ok(extensionDir, `the extension is in ${extensionsDir}`);
    assert.ok(fs.existsSync(path.join(extensionsDir, extensionDir, 'node_modules', 'tokenizers', 'tokenizers.linux-x64-gnu.node')));
    assert.ok(!fs.existsSync(path.join(extensionsDir, extensionDir, 'node_modules', 'tokenizers', 'tokenizers.darwin-arm64.node')), 'only linux-x64 binaries');

    server = await codeServer.startCodeServer({ extensionsDir });
    browser = await codeServer.launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    await page.goto(codeServer.workbenchUrl(server, { folder: workspace }));
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await openFile(page, 'reviews.md', 'This movie was wonderful');
    await runCommand(page, 'Text Classifier: Classify Document');
    const lenses = await scoreLenses(page, 4);
    assert.deepEqual(lenses.map((text) => text.split(' ')[0]), ['positive', 'negative', 'positive', 'negative']);
    fs.mkdirSync(path.join(repoRoot, 'test-results'), { recursive: true });
    await page.screenshot({ path: path.join(repoRoot, 'test-results', 'ui-vsix-classify-document.png') });
  });
});
