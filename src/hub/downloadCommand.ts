// Download Model from Hugging Face…: asks for a repository id, downloads it with a cancellable
// progress notification into the extension's global storage, checks it in the worker and, before it
// is used, shows what it is (family, labels, size) and lets the user say Use or Cancel. Returns the
// model directory; a cancelled one is not kept.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ClassifierClient } from '../classifier/client';
import type { Config } from '../config';
import { downloadModel, HubError, isRepoId } from './hub';
import { summarizeDownload, type DownloadSummary } from './downloadSummary';

export function downloadedModelsRoot(context: vscode.ExtensionContext): string {
  return path.join(context.globalStorageUri.fsPath, 'models');
}

/** Whether to use the downloaded model; by default a modal Use / Cancel. A test or another extension may answer itself. */
export type ConfirmDownload = (summary: DownloadSummary) => boolean | Promise<boolean>;

async function askUser(summary: DownloadSummary): Promise<boolean> {
  const use = 'Use';
  return (await vscode.window.showInformationMessage(`Use ${summary.repoId}?`, { modal: true, detail: summary.text }, use)) === use;
}

/** Returns the downloaded model directory, or undefined when the user gave no repository id. */
export async function downloadFromHub(context: vscode.ExtensionContext, config: Config, client: ClassifierClient, log: vscode.LogOutputChannel, repoId?: string,
  confirm: ConfirmDownload = askUser): Promise<string | undefined> {
  repoId ??= await vscode.window.showInputBox({
    title: 'Download Model from Hugging Face',
    prompt: `Repository id on ${config.hubEndpoint} with an ONNX text-classification model`,
    placeHolder: 'owner/name, e.g. Xenova/distilbert-base-uncased-finetuned-sst-2-english',
    ignoreFocusOut: true,
    validateInput: (value) => (isRepoId(value.trim()) ? undefined : 'Expected owner/name'),
  });
  const id = repoId?.trim();
  if (!id) return undefined;
  const endpoint = config.hubEndpoint;
  log.info(`downloading ${id} from ${endpoint}`);
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Downloading ${id}`, cancellable: true },
    async (progress, token) => {
      const request = new AbortController();
      const cancellation = token.onCancellationRequested(() => request.abort());
      let reported = 0;
      try {
        const dir = await downloadModel({
          endpoint, repoId: id, modelsRoot: downloadedModelsRoot(context), variant: config.engineOptions.modelVariant, preferQuantized: config.engineOptions.preferQuantized,
          signal: request.signal,
          verify: async (dir) => {
            const check = await client.checkModel(dir, config.engineOptions.modelVariant);
            if (!check.supported) throw new HubError(`${id}: ${check.problems.join(' ')}`);
            const summary = summarizeDownload(id, dir, check);
            log.info(`downloaded ${id}: ${summary.text.replace(/\n/g, '; ')}`);
            progress.report({ message: 'checked; use it?' });
            // Thrown inside verify, so the download's staging folder is removed: nothing of it is kept.
            if (!(await confirm(summary))) throw new HubError(`Download of ${id} cancelled: the model was not used`);
          },
          onProgress: ({ file, bytesDone, bytesTotal }) => {
            const percent = (100 * bytesDone) / Math.max(1, bytesTotal);
            progress.report({ message: `${file} (${(bytesDone / 1024 / 1024).toFixed(1)} of ${(bytesTotal / 1024 / 1024).toFixed(1)} MB)`, increment: percent - reported });
            reported = percent;
          },
        });
        log.info(`downloaded ${id} to ${dir}`);
        return dir;
      } finally {
        cancellation.dispose();
      }
    },
  );
}
