// Shared helpers of the integration tests (they run inside the extension host).
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TextClassifierApi } from '../../src/extension';

export const extensionId = 'local-text-classifier.local-text-classifier';

/** The extension's public API (the value its activate() returns). */
export async function extensionApi(): Promise<TextClassifierApi> {
  const extension = vscode.extensions.getExtension<TextClassifierApi>(extensionId);
  if (!extension) throw new Error(`extension ${extensionId} is not installed`);
  return extension.activate();
}

/** A file of the test workspace (a fresh copy of test/integration/fixtures/workspace). */
export function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the integration tests need a workspace folder');
  return vscode.Uri.file(path.join(folder.uri.fsPath, name));
}

export async function openInEditor(name: string): Promise<vscode.TextEditor> {
  return vscode.window.showTextDocument(await vscode.workspace.openTextDocument(workspaceFile(name)));
}

/** Resolves when `event` fires with a value satisfying `accept`, or rejects after `timeoutMs`. */
export function nextEvent<T>(event: vscode.Event<T>, accept: (value: T) => boolean = () => true, timeoutMs = 20_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { subscription.dispose(); reject(new Error(`no matching event within ${timeoutMs} ms`)); }, timeoutMs);
    const subscription = event((value) => {
      if (!accept(value)) return;
      clearTimeout(timer);
      subscription.dispose();
      resolve(value);
    });
  });
}

export async function setSetting(name: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('textClassifier').update(name, value, vscode.ConfigurationTarget.Global);
}
