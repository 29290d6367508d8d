// The status bar item: model name and execution provider, a spinner while work runs; click → Show Status.
import * as vscode from 'vscode';
import type { Activity } from '../editor/classify';
import type { ModelManager } from '../editor/models';

export class StatusBar implements Activity, vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('textClassifier.status', vscode.StatusBarAlignment.Right, 100);
  private running = 0;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly models: ModelManager) {
    this.item.name = 'Text Classifier';
    this.item.command = 'textClassifier.showStatus';
    this.subscription = models.onDidChange(() => this.render());
    this.render();
    this.item.show();
  }

  async track<T>(work: Promise<T>): Promise<T> {
    this.running++;
    this.render();
    try {
      return await work;
    } finally {
      this.running--;
      this.render();
    }
  }

  private render(): void {
    const model = this.models.model;
    const icon = this.running > 0 ? '$(loading~spin)' : '$(symbol-enum)';
    const remote = this.models.remoteUrl;
    this.item.text = model ? `${icon} ${model.name} · ${remote ? 'remote' : this.models.executionProvider ?? '?'}` : `${icon} Text Classifier`;
    this.item.tooltip = model
      ? `Text Classifier: ${model.name} (${model.labels.join(', ')}) on ${remote ? `the remote server ${remote}` : this.models.executionProvider}${this.running ? ' · working…' : ''}\nClick for details`
      : 'Text Classifier: no model loaded yet (loads on first use). Click for details';
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
