// Hovering over a unit shows every label score with a bar (a regression model's values as numbers
// alone: a bar would clamp them to 0–1), the model, the execution provider and
// the window count; a second provider adds the words that raised and lowered the top label, which
// VS Code shows when they arrive (explaining takes longer than classifying). A unit not classified yet
// is classified on the spot (the engine caches it).
import * as vscode from 'vscode';
import { topContributions, type Explanation, type LabelContribution } from '../classifier/explanation';
import type { ClassifiedSegment } from '../classifier/types';
import type { Config } from '../config';
import type { ExplanationService } from '../editor/explanations';
import type { DocumentClassifier } from '../editor/classify';
import type { ExplanationDecorations } from './explainDecorations';
import { contributionText, isShown, noDecisiveWord } from './contributions';
import { formatScore, scoreBar, scoresAreValues, scoreText } from './labels';
import type { ModelManager } from '../editor/models';
import type { ResultsStore } from '../editor/results';
import { errorMessage } from '../classifier/errors';

/** Words listed per direction. */
const topWords = 5;
/** Longer words are cut in the hover's columns. */
const maxWordLength = 24;

/** The classified unit under the mouse, shared by the hover providers so that one hover classifies it once. */
export class HoveredUnits {
  private pending: { key: string; unit: Promise<ClassifiedSegment | undefined> } | undefined;

  constructor(private readonly results: ResultsStore, private readonly classifier: DocumentClassifier, readonly log: vscode.LogOutputChannel) {}

  /** The document's stored results (their model's problem type says how its scores read). */
  resultsOf(document: vscode.TextDocument) {
    return this.results.get(document.uri);
  }

  /** The unit from the results, or classified now; undefined when cancelled or failed. */
  find(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<ClassifiedSegment | undefined> {
    const offset = document.offsetAt(position);
    const stored = this.results.unitAt(document.uri, offset);
    if (stored) return Promise.resolve(stored);
    const key = `${document.uri.toString()}@${document.version}:${offset}`;
    if (this.pending?.key !== key) {
      const unit = whileNotCancelled(token, (signal) => this.classifier.classifyUnitAt(document, position, signal), this.log);
      const pending = { key, unit };
      this.pending = pending;
      void unit.finally(() => {
        if (this.pending === pending) this.pending = undefined;
      });
    }
    return this.pending.unit;
  }
}

/** Runs `work` with a signal that aborts when the hover is cancelled; undefined when cancelled or failed. */
async function whileNotCancelled<T>(token: vscode.CancellationToken, work: (signal: AbortSignal) => Promise<T>, log: vscode.LogOutputChannel): Promise<T | undefined> {
  const request = new AbortController();
  const cancellation = token.onCancellationRequested(() => request.abort());
  try {
    return await work(request.signal);
  } catch (error) {
    if (!token.isCancellationRequested) log.error(`hover: ${errorMessage(error)}`);
    return undefined;
  } finally {
    cancellation.dispose();
  }
}

function unitRange(document: vscode.TextDocument, unit: ClassifiedSegment): vscode.Range {
  return new vscode.Range(document.positionAt(unit.start), document.positionAt(unit.end));
}

export class ScoreHoverProvider implements vscode.HoverProvider {
  constructor(private readonly units: HoveredUnits, private readonly models: ModelManager, private readonly config: Config) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    if (!this.config.hoverEnabled) return undefined;
    const unit = await this.units.find(document, position, token);
    if (!unit || token.isCancellationRequested) return undefined;
    const values = scoresAreValues(this.units.resultsOf(document) ?? this.models.model ?? {});
    return new vscode.Hover(this.describe(unit, values), unitRange(document, unit));
  }

  private describe(unit: ClassifiedSegment, values: boolean): vscode.MarkdownString {
    const markdown = new vscode.MarkdownString();
    markdown.appendMarkdown(values ? '**Text Classifier** · regression: values, not probabilities\n\n' : '**Text Classifier**\n\n');
    const lines = unit.labels.map((score) => (values ? scoreText(score, true) : `${scoreBar(score.score)} ${formatScore(score.score)}  ${score.label}`));
    markdown.appendCodeblock(lines.join('\n'), 'text');
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

/** The words that raised and lowered the unit's top label most, computed on demand and cached with the unit. */
export class ExplanationHoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly units: HoveredUnits,
    private readonly explanations: ExplanationService,
    private readonly decorations: ExplanationDecorations,
    private readonly config: Config,
  ) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    if (!this.config.hoverEnabled) return undefined;
    const unit = await this.units.find(document, position, token);
    if (!unit || token.isCancellationRequested) return undefined;
    const explanation = this.explanations.cached(document.uri, unit)
      ?? (await whileNotCancelled(token, (signal) => this.explanations.explain(document.uri, unit, signal), this.units.log));
    if (!explanation || token.isCancellationRequested) return undefined;
    return new vscode.Hover(describeExplanation(explanation, document.uri, unit, this.decorations.isShown(document.uri, unit)), unitRange(document, unit));
  }
}

/** `coloured`: whether the unit's words are coloured now (the link then clears them). */
export function describeExplanation(explanation: Explanation, uri: vscode.Uri, unit: ClassifiedSegment, coloured: boolean): vscode.MarkdownString {
  const label = explanation.labels[0]?.label ?? '';
  const { raised, lowered } = topContributions(explanation, topWords, label);
  const markdown = new vscode.MarkdownString();
  const args = encodeURIComponent(JSON.stringify([uri.toJSON(), unit.start]));
  const colourLink = coloured
    ? `[Clear the colours](command:textClassifier.explainClassification?${args} "Explain Classification: clear the colouring of this text")`
    : `[Colour the words](command:textClassifier.explainClassification?${args} "Explain Classification: colour each word by its contribution")`;
  markdown.appendMarkdown(`**Why ${escape(label)}**: its score's change when a word is left out · ${colourLink}\n\n`);
  if (raised.some(shown) || lowered.some(shown)) {
    markdown.appendMarkdown(`${wordList(`raised ${label}`, raised.filter(shown))}  \n${wordList(`lowered ${label}`, lowered.filter(shown))}\n`);
  } else {
    markdown.appendMarkdown(`${noDecisiveWord(label)}\n`);
  }
  if (explanation.wordsPerGroup > 1) markdown.appendMarkdown(`\nA long text: words were left out ${explanation.wordsPerGroup} at a time.\n`);
  markdown.isTrusted = { enabledCommands: ['textClassifier.explainClassification'] };
  return markdown;
}

const shown = (word: LabelContribution) => isShown(word.contribution);

/** "raised positive: `+0.31 wonderful` `+0.12 brilliant`" (one line, compact: the hover's height is limited). */
function wordList(title: string, words: LabelContribution[]): string {
  const entries = words.map((word) => `\`${contributionText({ ...word, word: clip(word.word.replace(/\s+/g, ' ')).replace(/`/g, "'") })}\``);
  return `${escape(title)}: ${entries.length > 0 ? entries.join(' ') : 'none'}`;
}

function clip(word: string): string {
  return word.length <= maxWordLength ? word : `${word.slice(0, maxWordLength - 1)}…`;
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
