// How a label and a score are shown: one colour per label (sentiment labels get the obvious ones),
// scores with two decimals, small text bars for hovers.
import * as vscode from 'vscode';
import type { LabelScore } from '../classifier/types';

const sentimentColours: [RegExp, string][] = [
  [/^(pos|positive|label_1)$/i, 'charts.green'],
  [/^(neg|negative|label_0)$/i, 'charts.red'],
  [/^(neu|neutral)$/i, 'charts.yellow'],
  [/^(spam)$/i, 'charts.orange'],
  [/^(ham)$/i, 'charts.blue'],
];
const paletteColours = ['charts.blue', 'charts.purple', 'charts.orange', 'charts.green', 'charts.yellow', 'charts.red'];

/** A colour for `label`, stable for the model's label list. */
export function labelColour(label: string, labels: readonly string[]): vscode.ThemeColor {
  const known = sentimentColours.find(([pattern]) => pattern.test(label));
  const index = Math.max(0, labels.indexOf(label));
  return new vscode.ThemeColor(known ? known[1] : paletteColours[index % paletteColours.length]);
}

export function labelIcon(label: string, labels: readonly string[]): vscode.ThemeIcon {
  return new vscode.ThemeIcon('circle-filled', labelColour(label, labels));
}

export function formatScore(score: number): string {
  return score.toFixed(2);
}

/** "positive 0.97" */
export function topLabelText(labels: readonly LabelScore[]): string {
  const top = labels[0];
  return top ? `${top.label} ${formatScore(top.score)}` : 'no label';
}

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
