// Steps shared by the training UI tests: answering Train Classifier…'s questions like a user, and
// waiting for its report and final notification.
import * as assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { runCommand } from './workbench';

/** Picks the quick-pick row that shows `text` (typing `filter` first, to narrow the list). */
export async function pick(page: Page, text: string, filter = text): Promise<void> {
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first();
  await row.waitFor({ timeout: 60_000 });
  if (filter) await page.keyboard.type(filter);
  await row.waitFor();
  await page.keyboard.press('Enter');
}

/** The PyTorch row of the method question, once checked: the torch it found, or why it is unavailable. */
export async function pytorchChoice(page: Page): Promise<string> {
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Fine-tune the whole model with PyTorch' });
  await row.filter({ hasText: /torch \d+\.\d+|unavailable/ }).waitFor({ timeout: 60_000 });
  return row.innerText();
}

/**
 * Runs Train Classifier… from the palette with the linear head on `datasetFile` (a file name the
 * Datasets view lists) from the bundled sentiment model, into the suggested folder; returns that folder.
 * `beforeMethod` runs while the method question is open.
 */
export async function trainLinearHeadFromPalette(page: Page, datasetFile: string, beforeMethod: () => Promise<void> = async () => undefined): Promise<string> {
  await runCommand(page, 'Text Classifier: Train Classifier…');
  await pick(page, datasetFile, datasetFile.replace(/\.[^.]+$/, ''));
  await pick(page, 'sentiment-sst2');
  await beforeMethod();
  await pick(page, 'Linear head on the frozen encoder', '');
  await page.locator('.quick-input-widget', { hasText: 'new model folder' }).waitFor();
  const suggested = await page.locator('.quick-input-widget input').inputValue();
  await page.keyboard.press('Enter');
  return suggested;
}

/** The final notification (from the notification centre: a toast may already be gone) and the test accuracy it states. */
export async function finalNotification(page: Page, modelName: string): Promise<{ notification: Locator; accuracy: number }> {
  await runCommand(page, 'Notifications: Show Notifications');
  const notification = page.locator('.notifications-center .notification-list-item', { hasText: `trained ${modelName}: test accuracy` });
  await notification.waitFor({ timeout: 60_000 });
  const match = /test accuracy (\d+\.\d) %/.exec(await notification.innerText());
  assert.ok(match, 'the notification states the test accuracy');
  return { notification, accuracy: Number(match[1]) };
}
