// Why a text got its scores: per-word contributions found by occlusion (src/engine/explain.ts
// computes them in the worker). Host-safe: shared by the client, the editor views, the CLI and serve.
import type { Classification } from './types';

/** One word of the explained text (or a group of neighbouring words in a long text). */
export interface WordAttribution {
  /** The word as it stands in the text: text.slice(start, end). */
  word: string;
  /** UTF-16 offsets into the explained text, as String.prototype.slice uses. */
  start: number;
  end: number;
  /**
   * Per label, in the order of Explanation.labelOrder: the label's score with the word minus its score
   * with the word removed. Positive: the word raised that label; negative: it lowered it.
   */
  contributions: number[];
}

export interface Explanation extends Classification {
  /** The model's labels, in the order of every word's `contributions`. */
  labelOrder: string[];
  /** In text order; words the model never saw (whitespace) are not listed. */
  words: WordAttribution[];
  /** Words occluded together: 1, or more for a long text whose neighbouring words were grouped to bound the cost. */
  wordsPerGroup: number;
}

/** A word with its contribution to one label. */
export interface LabelContribution {
  word: string;
  start: number;
  end: number;
  contribution: number;
}

/** Each word's contribution to `label` (the top label when omitted), in text order. */
export function contributionsTo(explanation: Explanation, label = explanation.labels[0]?.label): LabelContribution[] {
  const index = label === undefined ? -1 : explanation.labelOrder.indexOf(label);
  if (index < 0) return [];
  return explanation.words.map(({ word, start, end, contributions }) => ({ word, start, end, contribution: contributions[index] }));
}

/** The `k` words that raised `label` most and the `k` that lowered it most, strongest first. */
export function topContributions(explanation: Explanation, k = 5, label?: string): { raised: LabelContribution[]; lowered: LabelContribution[] } {
  const words = contributionsTo(explanation, label);
  return {
    raised: words.filter((word) => word.contribution > 0).sort((a, b) => b.contribution - a.contribution).slice(0, k),
    lowered: words.filter((word) => word.contribution < 0).sort((a, b) => a.contribution - b.contribution).slice(0, k),
  };
}
