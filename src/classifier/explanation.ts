// Why a text got its scores: per-word contributions found by occlusion (src/engine/explain.ts
// computes them in the worker). Host-safe: shared by the client, the editor views, the CLI and serve.
import { unpackScore, type PackedScores } from './scores';
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

/**
 * Explanations of many texts in the compact form they cross from the worker in: typed arrays instead of
 * an object per word (a long request has tens of thousands of words). The words of text i are those
 * from wordOffsets[i] to wordOffsets[i + 1]; word w's contributions are contributions[w * labels ...].
 */
export interface PackedExplanations {
  /** classify's results for the same texts; results.labels is every Explanation's labelOrder. */
  results: PackedScores;
  wordsPerGroup: Int32Array;
  wordOffsets: Int32Array;
  starts: Int32Array;
  ends: Int32Array;
  contributions: Float32Array;
}

/** Text i of packed explanations; `text` is the explained text (words are sliced from it). */
export function unpackExplanation(packed: PackedExplanations, i: number, text: string): Explanation {
  const width = packed.results.labels.length;
  const words: WordAttribution[] = [];
  for (let w = packed.wordOffsets[i]; w < packed.wordOffsets[i + 1]; w++) {
    const start = packed.starts[w];
    const end = packed.ends[w];
    words.push({ word: text.slice(start, end), start, end, contributions: Array.from(packed.contributions.subarray(w * width, (w + 1) * width)) });
  }
  return { ...unpackScore(packed.results, i), labelOrder: packed.results.labels, words, wordsPerGroup: packed.wordsPerGroup[i] };
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
