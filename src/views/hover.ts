// Hovering over a unit shows every label score with a bar, the model, the execution provider and
// the window count. A unit not classified yet is classified on the spot (the engine caches it).
import * as vscode from 'vscode';
import type { ClassifiedSegment } from '../classifier/types';
import type { Config } from '../config';
import type { DocumentClassifier } from './classify';
import { formatScore, scoreBar } from './labels';
import type { ModelManager } from './models';
import type { ResultsStore } from './results';

export class ScoreHoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly results: ResultsStore,
    private readonly classifier: DocumentClassifier,
    private readonly models: ModelManager,
    private readonly config: Config,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    if (!this.config.hoverEnabled) return undefined;
    const offset = document.offsetAt(position);
    let unit = this.results.unitAt(document.uri, offset);
    if (!unit) {
      const request = new AbortController();
      const cancellation = token.onCancellationRequested(() => request.abort());
      try {
        unit = await this.classifier.classifyUnitAt(document, position, request.signal);
      } catch (error) {
        if (!token.isCancellationRequested) this.log.error(`hover: ${error instanceof Error ? error.message : String(error)}`);
        return undefined;
      } finally {
        cancellation.dispose();
      }
    }
    if (!unit || token.isCancellationRequested) return undefined;
    return new vscode.Hover(this.describe(unit), new vscode.Range(document.positionAt(unit.start), document.positionAt(unit.end)));
  }

  private describe(unit: ClassifiedSegment): vscode.MarkdownString {
    const markdown = new vscode.MarkdownString();
    markdown.appendMarkdown('**Text Classifier**\n\n');
    markdown.appendCodeblock(unit.labels.map(({ label, score }) => `${scoreBar(score)} ${formatScore(score)}  ${label}`).join('\n'), 'text');
    const model = this.models.model;
    const details = [
      model ? `model ${model.name}` : undefined,
      this.models.remoteUrl ? `remote ${this.models.remoteUrl}` : this.models.executionProvider ? `provider ${this.models.executionProvider}` : undefined,
      `${unit.windows} window${unit.windows === 1 ? '' : 's'}`,
      `${unit.tokens} tokens`,
    ].filter(Boolean);
    markdown.appendMarkdown(`\n${details.join(' · ')}`);
    return markdown;
  }
}
