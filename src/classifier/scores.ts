// Logits -> probabilities, and the compact form results travel in: one Float32Array of scores in
// label order for all texts, instead of an object with label strings per text.
import type { Classification, LabelScore, ProblemType } from './types';

export type ScoreFunction = 'softmax' | 'sigmoid' | 'binary-sigmoid' | 'identity';

/** Softmax for single-label, sigmoid for multi-label; a single logit is a binary model (sigmoid); regression: the values themselves. */
export function scoreFunctionFor(problemType: ProblemType, logitsWidth: number): ScoreFunction {
  if (problemType === 'regression') return 'identity';
  if (problemType === 'multi_label_classification') return 'sigmoid';
  return logitsWidth === 1 ? 'binary-sigmoid' : 'softmax';
}

/** Writes the probabilities of one row of logits into `out` (length: number of labels). */
export function probabilities(fn: ScoreFunction, logits: Float32Array, offset: number, width: number, out: Float32Array): void {
  if (fn === 'softmax') {
    let max = -Infinity;
    for (let i = 0; i < width; i++) max = Math.max(max, logits[offset + i]);
    let sum = 0;
    for (let i = 0; i < width; i++) sum += out[i] = Math.exp(logits[offset + i] - max);
    for (let i = 0; i < width; i++) out[i] /= sum;
  } else if (fn === 'identity') {
    for (let i = 0; i < width; i++) out[i] = logits[offset + i];
  } else if (fn === 'sigmoid') {
    for (let i = 0; i < width; i++) out[i] = sigmoid(logits[offset + i]);
  } else {
    const positive = sigmoid(logits[offset]);
    // One label: its own probability. Two labels (id2label {0: negative, 1: positive}): 1 - p, p.
    if (out.length === 1) out[0] = positive;
    else {
      out[0] = 1 - positive;
      out[1] = positive;
    }
  }
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Results of many texts: scores[i * labels.length + j] is text i's score for labels[j]. */
export interface PackedScores {
  labels: string[];
  scores: Float32Array;
  windows: Int32Array;
  tokens: Int32Array;
}

/** Segments of a document with their scores in compact form; texts are sliced from the document. */
export interface PackedSegments {
  starts: Int32Array;
  ends: Int32Array;
  results: PackedScores;
}

export function unpackScores(packed: PackedScores, topK?: number): Classification[] {
  const results: Classification[] = new Array(packed.windows.length);
  for (let i = 0; i < packed.windows.length; i++) results[i] = unpackScore(packed, i, topK);
  return results;
}

/** Text i of packed results. */
export function unpackScore(packed: PackedScores, i: number, topK?: number): Classification {
  return { labels: sortedLabels(packed.labels, packed.scores, i * packed.labels.length, topK), windows: packed.windows[i], tokens: packed.tokens[i] };
}

const INSERTION_SORT_LIMIT = 32;

function sortedLabels(labels: string[], scores: Float32Array, offset: number, topK?: number): LabelScore[] {
  if (labels.length > INSERTION_SORT_LIMIT) {
    const all = labels.map((label, j) => ({ label, score: scores[offset + j] })).sort((a, b) => b.score - a.score);
    return topK !== undefined && topK > 0 ? all.slice(0, topK) : all;
  }
  // Insertion sort: label sets are small, and this runs once per text on the host (thousands per
  // request), where Array.prototype.sort with a comparator costs several times more.
  const sorted: LabelScore[] = [];
  for (let j = 0; j < labels.length; j++) {
    const entry = { label: labels[j], score: scores[offset + j] };
    let k = sorted.length;
    while (k > 0 && sorted[k - 1].score < entry.score) k--;
    sorted.splice(k, 0, entry);
  }
  if (topK !== undefined && topK > 0 && topK < sorted.length) sorted.length = topK;
  return sorted;
}
