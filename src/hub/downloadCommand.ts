// Download Model from Hugging Face…: asks for a repository id, downloads it with a cancellable
// progress notification into the extension's global storage, and returns the model directory.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ClassifierClient } from '../classifier/client';
import type { Config } from '../config';
import { downloadModel, HubError, isRepoId } from './hub';

export function downloadedModelsRoot(context: vscode.ExtensionContext): string {
  return path.join(context.globalStorageUri.fsPath, 'models');
}

/** Returns the downloaded model directory, or undefined when the user gave no repository id. */
export async function downloadFromHub(context: vscode.ExtensionContext, config: Config, client: ClassifierClient, log: vscode.LogOutputChannel, repoId?: string): Promise<string | undefined> {
  repoId ??= await vscode.window.showInputBox({
    title: 'Download Model from Hugging Face',
    prompt: `Repository id on ${config.hubEndpoint} with an ONNX text-classification model`,
    placeHolder: 'owner/name, e.g. Xenova/distilbert-base-uncased-finetuned-sst-2-english',
    ignoreFocusOut: true,
    validateInput: (value) => (isRepoId(value.trim()) ? undefined : 'Expected owner/name'),
  });
  repoId = repoId?.trim();
  if (!repoId) return undefined;
  const endpoint = config.hubEndpoint;
  log.info(`downloading ${repoId} from ${endpoint}`);
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Downloading ${repoId}`, cancellable: true },
    async (progress, token) => {
      const request = new AbortController();
      const cancellation = token.onCancellationRequested(() => request.abort());
      let reported = 0;
      try {
        const dir = await downloadModel({
          endpoint, repoId, modelsRoot: downloadedModelsRoot(context), variant: config.engineOptions.modelVariant, preferQuantized: config.engineOptions.preferQuantized,
          signal: request.signal,
          verify: async (dir) => {
            const check = await client.checkModel(dir, config.engineOptions.modelVariant);
            if (!check.supported) throw new HubError(`${repoId}: ${check.problems.join(' ')}`);
          },
          onProgress: ({ file, bytesDone, bytesTotal }) => {
            const percent = (100 * bytesDone) / Math.max(1, bytesTotal);
            progress.report({ message: `${file} (${(bytesDone / 1024 / 1024).toFixed(1)} of ${(bytesTotal / 1024 / 1024).toFixed(1)} MB)`, increment: percent - reported });
            reported = percent;
          },
        });
        log.info(`downloaded ${repoId} to ${dir}`);
        return dir;
      } finally {
        cancellation.dispose();
      }
    },
  );
}
