// Start Local Service, Stop Local Service, and the status bar item's actions.
import * as vscode from 'vscode';
import type { LocalService, ServiceInfo } from '../../editor/localService';
import type { Command } from '../command';

export interface ServiceContext {
  readonly service: LocalService;
}

export const serviceCommands: Record<string, (ctx: ServiceContext) => Command> = {
  startService: (ctx) => async (): Promise<ServiceInfo> => {
    const wasRunning = ctx.service.info !== undefined;
    const info = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: 'Text Classifier: starting the local service' },
      () => ctx.service.start(),
    );
    const message = `Text Classifier: local service ${wasRunning ? 'already running' : 'running'} at ${info.address}, serving ${info.model}.`;
    void vscode.window.showInformationMessage(message, copyCurl, copyAddress).then((choice) => choice && runAction(info, choice));
    return info;
  },
  stopService: (ctx) => async (): Promise<boolean> => {
    const address = ctx.service.info?.address;
    const stopped = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: 'Text Classifier: stopping the local service (answering requests in flight)' },
      () => ctx.service.stop(),
    );
    void vscode.window.setStatusBarMessage(`Text Classifier: ${stopped ? `local service at ${address} stopped` : 'the local service is not running'}`, 4000);
    return stopped;
  },
  /** The status bar item's click. */
  serviceActions: (ctx) => async () => {
    const info = ctx.service.info;
    if (!info) return vscode.commands.executeCommand('textClassifier.startService');
    const choice = await vscode.window.showQuickPick([copyAddress, copyCurl, stop].map((label) => ({ label })), {
      title: `Local service at ${info.address}, serving ${info.model}`,
    });
    return choice ? runAction(info, choice.label) : undefined;
  },
};

const copyAddress = 'Copy Address';
const copyCurl = 'Copy curl Example';
const stop = 'Stop Local Service';

async function runAction(info: ServiceInfo, action: string): Promise<unknown> {
  if (action === stop) return vscode.commands.executeCommand('textClassifier.stopService');
  const text = action === copyCurl ? curlExample(info) : info.address;
  await vscode.env.clipboard.writeText(text);
  void vscode.window.setStatusBarMessage(`Text Classifier: copied ${action === copyCurl ? 'a curl example' : info.address}`, 3000);
  return text;
}

/** A /v1/classify request a user can paste into a shell; the token comes from the environment, not the clipboard. */
export function curlExample(info: ServiceInfo): string {
  const body = JSON.stringify({ inputs: ['I loved this film.', 'The plot made no sense.'], model: info.model });
  const auth = info.tokenRequired ? ' -H "Authorization: Bearer $TEXTCLF_SERVE_TOKEN"' : '';
  return `curl -s ${info.address}/v1/classify -H 'Content-Type: application/json'${auth} -d ${shellQuote(body)}`;
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
