// Shared by the UI tests: the project's code-server launcher (scripts/vscode/code-server.js), a
// suite's workbench from start to clean-up, and driving the workbench like a user.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, FrameLocator, Page } from 'playwright-core';

export interface CodeServer { origin: string; tmp: string; stop(): Promise<void> }

interface CodeServerModule {
  isProvisioned(): boolean;
  startCodeServer(options?: { extensionsDir?: string }): Promise<CodeServer>;
  installExtension(vsix: string, extensionsDir: string): string;
  launchBrowser(): Promise<Browser>;
  workbenchUrl(server: CodeServer, options: { folder?: string; extensionDevelopmentPaths?: string[] }): string;
}

export const repoRoot = path.resolve(__dirname, '..', '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS script outside the compiled tree, loaded by its path
export const codeServer = require(path.join(repoRoot, 'scripts', 'vscode', 'code-server.js')) as CodeServerModule;

const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string };
/** The linux-x64 VSIX that `npm run package` writes (TEXTCLF_VSIX: another one). */
export const vsix = process.env.TEXTCLF_VSIX ?? path.join(repoRoot, `${manifest.name}-${manifest.version}-linux-x64.vsix`);

/** The folder (its name) that installing the VSIX made in `extensionsDir`, if any. */
export function installedExtensionDir(extensionsDir: string): string | undefined {
  return fs.readdirSync(extensionsDir).find((entry) => entry.startsWith(`${manifest.name}.${manifest.name}-`));
}

/** Why the UI tests cannot run here, or undefined when they can. */
export function notProvisioned(): string | undefined {
  return codeServer.isProvisioned() ? undefined : 'the offline VS Code is not provisioned; run scripts/vscode/provision.sh';
}

export interface Workbench {
  /** A new folder in the OS temp folder, removed after the suite. */
  scratch(prefix: string): string;
  /**
   * Starts code-server and Chromium and opens `folder` in the workbench, with this repository as the
   * extension under development, or with the extensions installed in `extensionsDir`.
   */
  open(options: { folder: string; viewport: { width: number; height: number }; extensionsDir?: string }): Promise<Page>;
}

/**
 * The workbench of one UI suite; call it in `describe`. Skips the suite when `skipReason` gives one
 * (by default when VS Code is not provisioned); when a test fails, saves a screenshot to
 * `failureScreenshot` and keeps code-server's logs; afterwards closes Chromium, stops code-server and
 * removes the scratch folders.
 */
export function useWorkbench(options: { failureScreenshot: string; skipReason?: () => string | undefined }): Workbench {
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  let failed = false;
  const scratchDirs: string[] = [];

  before(function () {
    const reason = (options.skipReason ?? notProvisioned)();
    if (reason) {
      console.log(`    (skipped: ${reason})`);
      this.skip();
    }
  });

  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return;
    failed = true;
    if (page) await page.screenshot({ path: options.failureScreenshot });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (server && failed) console.log(`    (code-server logs kept in ${server.tmp})`);
    else if (server) fs.rmSync(server.tmp, { recursive: true, force: true });
    for (const dir of scratchDirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  return {
    scratch(prefix) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
      scratchDirs.push(dir);
      return dir;
    },
    async open({ folder, viewport, extensionsDir }) {
      server = await codeServer.startCodeServer(extensionsDir ? { extensionsDir } : undefined);
      browser = await codeServer.launchBrowser();
      page = await (await browser.newContext({ viewport })).newPage();
      // The workbench takes longer than the default 30 s to load on a busy machine.
      await page.goto(codeServer.workbenchUrl(server, extensionsDir ? { folder } : { folder, extensionDevelopmentPaths: [repoRoot] }), { timeout: 120_000 });
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      return page;
    },
  };
}

/** Waits for the extension's view container in the activity bar: its contributions are in. */
export async function extensionViewsShown(page: Page): Promise<void> {
  await page.locator('.activitybar .action-item a[aria-label^="Text Classifier"]').waitFor({ timeout: 60_000 });
}

/** The page inside a webview such as the evaluation report (VS Code nests it in two iframes). */
export function reportFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

/** Runs a command from the command palette (F1) by its title. */
export async function runCommand(page: Page, title: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  // The workbench may close a freshly opened palette (a view or notification taking focus while it
  // settles); open it again rather than wait for an input that is gone.
  for (let attempt = 1; ; attempt++) {
    try {
      await page.keyboard.press('F1');
      await input.waitFor({ timeout: 10_000 });
      await input.fill(`>${title}`, { timeout: 5_000 });
      break;
    } catch (error) {
      if (attempt === 3) throw error;
      await page.keyboard.press('Escape');
    }
  }
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
}

/** Opens a workspace file through Go to File. */
export async function openFile(page: Page, name: string, firstWords: string): Promise<void> {
  await runCommand(page, 'Go to File');
  await page.keyboard.type(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
  await page.locator('.monaco-editor .view-line', { hasText: firstWords }).waitFor({ timeout: 30_000 });
}

/** The code lenses with a label and a score, once `count` are shown. */
export async function scoreLenses(page: Page, count: number): Promise<string[]> {
  const lenses = page.locator('.monaco-editor .codelens-decoration', { hasText: /\w+ [01]\.\d\d/ });
  await lenses.nth(count - 1).waitFor({ timeout: 60_000 });
  return lenses.allInnerTexts();
}

const themeClasses: Record<string, string> = { 'Default Dark Modern': 'vs-dark', 'Default Light Modern': 'vs', 'Default High Contrast': 'hc-black' };

/**
 * Switches the colour theme through the workspace's .vscode/settings.json (its other settings kept) and
 * waits until the workbench draws it, then `settleMs` for editors and webviews to restyle themselves. A
 * write the workbench misses (it happened to the settings written before it started) is written again.
 */
export async function useTheme(page: Page, workspace: string, theme: string, settleMs = 1000): Promise<void> {
  const settingsFile = path.join(workspace, '.vscode', 'settings.json');
  const current = fs.existsSync(settingsFile) ? JSON.parse(fs.readFileSync(settingsFile, 'utf8')) : {};
  const content = JSON.stringify({ ...current, 'workbench.colorTheme': theme });
  fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
  const drawn = page.locator(`.monaco-workbench.${themeClasses[theme]}`);
  for (let attempt = 1; ; attempt++) {
    // The same settings again would be no change: the second write differs by a newline.
    fs.writeFileSync(settingsFile, attempt === 1 ? content : `${content}\n`);
    try {
      await drawn.waitFor({ timeout: attempt === 1 ? 10_000 : 30_000 });
      break;
    } catch (error) {
      if (attempt === 2) throw error;
    }
  }
  await page.waitForTimeout(settleMs);
}
