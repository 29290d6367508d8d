// Shared by the UI tests: the project's code-server launcher (scripts/vscode/code-server.js) and
// driving the workbench like a user.
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';

export interface CodeServer { origin: string; tmp: string; stop(): Promise<void> }

interface CodeServerModule {
  isProvisioned(): boolean;
  startCodeServer(options?: { extensionsDir?: string }): Promise<CodeServer>;
  installExtension(vsix: string, extensionsDir: string): string;
  launchBrowser(): Promise<Browser>;
  workbenchUrl(server: CodeServer, options: { folder?: string; extensionDevelopmentPaths?: string[] }): string;
}

export const repoRoot = path.resolve(__dirname, '..', '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const codeServer = require(path.join(repoRoot, 'scripts', 'vscode', 'code-server.js')) as CodeServerModule;

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
