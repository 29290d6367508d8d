// How a label and a score are shown: one colour per model label (sentiment labels get the obvious
// ones, other labels the chart palette in the model's label order), scores with two decimals, small
// text bars for hovers. A regression model's scores are values, not probabilities: shown as
// "label = value", without a bar and never "uncertain" (a value has no confidence to fall short of).
import * as vscode from 'vscode';
import type { LabelScore, ProblemType } from '../classifier/types';

/** Whether the scores are a regression model's values rather than probabilities. */
export function scoresAreValues(results: { problemType?: ProblemType }): boolean {
  return results.problemType === 'regression';
}

/** A theme colour id with the default values it has in light and dark themes (for SVG gutter icons, which cannot use theme colours). */
export interface LabelColour {
  id: string;
  light: string;
  dark: string;
}

// VS Code's defaults of the chart colours (light: Light Modern / High Contrast Light, dark: Dark Modern / High Contrast).
const charts: Record<string, LabelColour> = {
  red: { id: 'charts.red', light: '#E51400', dark: '#F14C4C' },
  blue: { id: 'charts.blue', light: '#1A85FF', dark: '#3794FF' },
  yellow: { id: 'charts.yellow', light: '#BF8803', dark: '#CCA700' },
  orange: { id: 'charts.orange', light: '#D18616', dark: '#D18616' },
  green: { id: 'charts.green', light: '#388A34', dark: '#89D185' },
  purple: { id: 'charts.purple', light: '#652D90', dark: '#B180D7' },
};

const sentimentColours: [RegExp, LabelColour][] = [
  [/^(pos|positive|label_1)$/i, charts.green],
  [/^(neg|negative|label_0)$/i, charts.red],
  [/^(neu|neutral)$/i, charts.yellow],
  [/^(spam)$/i, charts.orange],
  [/^(ham)$/i, charts.blue],
];
const palette = [charts.blue, charts.purple, charts.orange, charts.green, charts.yellow, charts.red];

/** The colour of `label`: fixed by its index in the model's label list, so the same in every document and run. */
export function labelColourOf(label: string, modelLabels: readonly string[]): LabelColour {
  const known = sentimentColours.find(([pattern]) => pattern.test(label));
  if (known) return known[1];
  const index = modelLabels.indexOf(label);
  return palette[(index < 0 ? modelLabels.length : index) % palette.length];
}

export function labelColour(label: string, modelLabels: readonly string[]): vscode.ThemeColor {
  return new vscode.ThemeColor(labelColourOf(label, modelLabels).id);
}

/** A filled dot in the label's colour; hollow when the score is uncertain; grey when the result is stale. */
export function labelIcon(label: string, modelLabels: readonly string[], look: 'confident' | 'uncertain' | 'stale' = 'confident'): vscode.ThemeIcon {
  if (look === 'stale') return new vscode.ThemeIcon('circle-filled', new vscode.ThemeColor('disabledForeground'));
  return new vscode.ThemeIcon(look === 'uncertain' ? 'circle-outline' : 'circle-filled', labelColour(label, modelLabels));
}

export function formatScore(score: number): string {
  return score.toFixed(2);
}

/** The top score is below the low-confidence threshold (textClassifier.lowConfidenceThreshold); never for values. */
export function isUncertain(labels: readonly LabelScore[], threshold: number, values = false): boolean {
  return !values && (labels[0]?.score ?? 0) < threshold;
}

/** "positive 0.97"; a regression value: "LABEL_0 = -3.18". */
export function topLabelText(labels: readonly LabelScore[], values = false): string {
  const top = labels[0];
  return top ? scoreText(top, values) : 'no label';
}

/** One label's score as the lens and tree show it: "positive 0.97", or "LABEL_0 = -3.18" for a value. */
export function scoreText({ label, score }: LabelScore, values = false): string {
  return `${label}${values ? ' =' : ''} ${formatScore(score)}`;
}

/** What an edited, not yet re-classified unit shows instead of its score. */
export const staleText = 'edited — re-classify';

/** A bar of `width` cells for a score in [0, 1]. */
export function scoreBar(score: number, width = 20): string {
  const filled = Math.round(Math.min(1, Math.max(0, score)) * width);
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

/** The first words of a text, on one line. */
export function preview(text: string, maxLength = 60): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= maxLength ? oneLine : `${oneLine.slice(0, maxLength - 1).trimEnd()}…`;
}
