// Shared helpers of the integration tests (they run inside the extension host).
import * as vscode from 'vscode';
import type { TextClassifierApi } from '../../src/extension';

export const extensionId = 'local-text-classifier.local-text-classifier';

/** The extension's public API (the value its activate() returns). */
export async function extensionApi(): Promise<TextClassifierApi> {
  const extension = vscode.extensions.getExtension<TextClassifierApi>(extensionId);
  if (!extension) throw new Error(`extension ${extensionId} is not installed`);
  return extension.activate();
}
