// The local service's status bar item: its address while it runs; click → copy the address or a
// curl example, or stop it.
import * as vscode from 'vscode';
import type { LocalService } from '../../editor/localService';

export class ServiceStatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('textClassifier.service', vscode.StatusBarAlignment.Right, 99);
  private readonly subscription: vscode.Disposable;

  constructor(private readonly service: LocalService) {
    this.item.name = 'Text Classifier Local Service';
    this.item.command = 'textClassifier.serviceActions';
    this.subscription = service.onDidChange(() => this.render());
    this.render();
  }

  /** What the item shows now (tests read it); undefined while hidden. */
  get text(): string | undefined {
    return this.service.info ? this.item.text : undefined;
  }

  private render(): void {
    const info = this.service.info;
    if (!info) {
      this.item.hide();
      return;
    }
    const address = info.address.replace(/^http:\/\//, '');
    this.item.text = this.service.isStopping ? `$(loading~spin) stopping ${address}` : `$(broadcast) ${address}`;
    this.item.tooltip = `Text Classifier local service at ${info.address}, serving ${info.model}` +
      `${info.tokenRequired ? ' (bearer token required)' : ''}\nClick to copy the address or a curl example, or to stop it`;
    this.item.show();
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
