// How a word's contribution is shown: signed with two decimals, like the scores, and as one of a few
// colour intensities. No `vscode` import; media/report/report.js repeats intensityStep for the report page.
import type { LabelContribution } from '../classifier/explanation';

/** Colour intensities per direction (a decoration type and a theme colour each). */
export const intensitySteps = 4;

/** Contributions that print as +0.00 or -0.00 are neither listed nor coloured. */
export function isShown(contribution: number): boolean {
  return Math.abs(contribution) >= 0.005;
}

/** "+0.31", "-0.07" */
export function formatContribution(contribution: number): string {
  return `${contribution < 0 ? '-' : '+'}${Math.abs(contribution).toFixed(2)}`;
}

/** "+0.31 wonderful" */
export function contributionText({ word, contribution }: Pick<LabelContribution, 'word' | 'contribution'>): string {
  return `${formatContribution(contribution)} ${word}`;
}

/**
 * 1..intensitySteps: the word's share of the strongest contribution in its text (for or against), so that
 * the strongest word of every explained text is fully coloured; 0 for a word that is not shown.
 */
export function intensityStep(contribution: number, strongest: number): number {
  if (!isShown(contribution) || strongest <= 0) return 0;
  return Math.min(intensitySteps, Math.max(1, Math.ceil((intensitySteps * Math.abs(contribution)) / strongest)));
}

/** The largest absolute contribution of `words`. */
export function strongestContribution(words: readonly Pick<LabelContribution, 'contribution'>[]): number {
  return words.reduce((strongest, { contribution }) => Math.max(strongest, Math.abs(contribution)), 0);
}

/** Said instead of a word list when no word moves the score enough to be shown. */
export function noDecisiveWord(label: string): string {
  return `No word alone moves the score of ${label} by 0.005 or more: it rests on several words, any of which would do.`;
}
