// Why a text got its scores, by occlusion at the token level: each text is tokenized once, and each
// word (a pre-tokenized word of the model's tokenizer) is removed from the token ids in turn; its
// contribution to a label is the label's score with the word minus its score without it. All variants
// go through the engine's own length-sorted batching, so a paragraph is a few batched runs. A long text
// is windowed as classify windows it: a word only changes the windows that hold it, so only those are
// scored again and aggregated with the others unchanged. Worker-only (the engine calls it).
import type { PackedExplanations } from '../classifier/explanation';
import type { PackedScores } from '../classifier/scores';
import type { WordTokens } from './tokenize';
import { ProgressCounter } from './progressCounter';

/** Words (or groups of neighbouring words) occluded per text at most: bounds the cost of a long text. */
export const MAX_WORD_GROUPS = 128;
/** Texts tokenized and turned into variants together; the next chunk is prepared while one runs. */
const TEXTS_PER_CHUNK = 16;

/** What explain needs of the engine (src/engine/engine.ts). */
export interface ExplainContext {
  /** The model's labels, in the order of every score row. */
  labels: string[];
  /** Windows of a long text are aggregated by max (multi-label) instead of the token-weighted mean. */
  multiLabel: boolean;
  encodeWords(text: string): Promise<WordTokens>;
  classifyPacked(texts: string[], opts: { signal?: AbortSignal }): Promise<PackedScores>;
  scoreSequences<S extends { ids: number[] }>(
    nextChunk: () => Promise<S[]> | undefined,
    onScored: (sequence: S, row: Float32Array) => void,
    afterRun: () => void,
    signal?: AbortSignal,
  ): Promise<void>;
}

export interface ExplainOptions {
  signal?: AbortSignal;
  /** Texts explained so far, of all texts asked for. */
  onProgress?: (done: number, total: number) => void;
}

/** Neighbouring words occluded together: content tokens [from, to) and their characters. */
interface WordGroup {
  from: number;
  to: number;
  start: number;
  end: number;
}

/** One text's occlusion plan and the scores of its sequences as they come back. */
interface TextPlan {
  groups: WordGroup[];
  wordsPerGroup: number;
  /** Windows of the text: slot w holds window w's full score. */
  windows: number;
  /** variantSlot[g][w]: the slot of window w scored without group g, or -1 where g is not in w. */
  variantSlot: Int32Array[];
  /** Rows of label scores, one per slot: the full windows first, then the variants. */
  scores: Float32Array;
  /** Per slot: the tokens its sequence holds (the weight of its scores in a token-weighted mean). */
  slotTokens: number[];
  /** Sequences left to score: the text is done at zero. */
  left: number;
}

interface Variant {
  ids: number[];
  text: number;
  slot: number;
}

export async function explainTexts(texts: string[], context: ExplainContext, opts: ExplainOptions = {}): Promise<PackedExplanations> {
  const width = context.labels.length;
  const plans: TextPlan[] = new Array(texts.length);
  let chunksStarted = 0;
  const nextChunk = (): Promise<Variant[]> | undefined => {
    const from = chunksStarted++ * TEXTS_PER_CHUNK;
    if (from >= texts.length) return undefined;
    const indices = texts.slice(from, from + TEXTS_PER_CHUNK).map((_, k) => from + k);
    return Promise.all(indices.map((i) => context.encodeWords(texts[i]))).then((encoded) => {
      const variants: Variant[] = [];
      encoded.forEach((tokens, k) => (plans[indices[k]] = planText(tokens, indices[k], width, variants)));
      return variants;
    });
  };
  const progress = new ProgressCounter(texts.length, opts.onProgress);
  const scoring = context.scoreSequences(
    nextChunk,
    (variant, row) => {
      const plan = plans[variant.text];
      plan.scores.set(row, variant.slot * width);
      if (--plan.left === 0) progress.finish();
    },
    () => progress.report(),
    opts.signal,
  );
  // The shown scores are classify's own (its cache included), so that every view agrees on them.
  const [results] = await Promise.all([context.classifyPacked(texts, { signal: opts.signal }), scoring]);
  const wordOffsets = new Int32Array(texts.length + 1);
  plans.forEach((plan, i) => (wordOffsets[i + 1] = wordOffsets[i] + plan.groups.length));
  const words = wordOffsets[texts.length];
  const packed: PackedExplanations = {
    results,
    wordsPerGroup: Int32Array.from(plans, (plan) => plan.wordsPerGroup),
    wordOffsets,
    starts: new Int32Array(words),
    ends: new Int32Array(words),
    contributions: new Float32Array(words * width),
  };
  plans.forEach((plan, i) => {
    const full = aggregate(plan, width, context.multiLabel, () => -1);
    plan.groups.forEach((group, g) => {
      const w = wordOffsets[i] + g;
      packed.starts[w] = group.start;
      packed.ends[w] = group.end;
      const without = aggregate(plan, width, context.multiLabel, (window) => plan.variantSlot[g][window]);
      for (let j = 0; j < width; j++) packed.contributions[w * width + j] = full[j] - without[j];
    });
  });
  return packed;
}

/** Groups the text's words, and adds to `variants` its full windows and each window without each group it holds. */
function planText(tokens: WordTokens, textIndex: number, width: number, variants: Variant[]): TextPlan {
  const words = wordsOf(tokens);
  const wordsPerGroup = Math.max(1, Math.ceil(words.length / MAX_WORD_GROUPS));
  const groups: WordGroup[] = [];
  for (let w = 0; w < words.length; w += wordsPerGroup) {
    const first = words[w];
    const last = words[Math.min(w + wordsPerGroup, words.length) - 1];
    groups.push({ from: first.from, to: last.to, start: first.start, end: last.end });
  }
  const { head, tail, content } = tokens;
  const windowOf = (from: number, to: number, without?: WordGroup): number[] =>
    without ? [...head, ...content.slice(from, Math.max(from, without.from)), ...content.slice(Math.min(to, without.to), to), ...tail] : [...head, ...content.slice(from, to), ...tail];
  const slotTokens: number[] = [];
  const add = (ids: number[]): number => {
    variants.push({ ids, text: textIndex, slot: slotTokens.length });
    return slotTokens.push(ids.length) - 1;
  };
  for (const [from, to] of tokens.windows) add(windowOf(from, to));
  const variantSlot = groups.map((group) =>
    Int32Array.from(tokens.windows, ([from, to]) => (group.from < to && group.to > from ? add(windowOf(from, to, group)) : -1)),
  );
  const slots = slotTokens.length;
  return { groups, wordsPerGroup, windows: tokens.windows.length, variantSlot, scores: new Float32Array(slots * width), slotTokens, left: slots };
}

/** The text's words: runs of content tokens with one word id, with the characters from the first token's start to the last one's end. */
function wordsOf(tokens: WordTokens): WordGroup[] {
  const words: WordGroup[] = [];
  for (let t = 0; t < tokens.content.length; t++) {
    const word = tokens.wordIds[t];
    if (word < 0) continue;
    const last = words.at(-1);
    if (last && last.to === t && tokens.wordIds[t - 1] === word) {
      last.to = t + 1;
      last.end = tokens.offsets[t][1];
    } else words.push({ from: t, to: t + 1, start: tokens.offsets[t][0], end: tokens.offsets[t][1] });
  }
  return words;
}

/**
 * A text's scores from its windows' scores, as classify aggregates them (token-weighted mean, or max
 * for multi-label): each window's full score, or the variant at `replaced(w)` where that is not -1.
 */
function aggregate(plan: TextPlan, width: number, multiLabel: boolean, replaced: (window: number) => number): Float64Array {
  const sums = new Float64Array(width);
  let weights = 0;
  for (let w = 0; w < plan.windows; w++) {
    const slot = replaced(w);
    const row = slot < 0 ? w : slot;
    // A variant window is shorter by the tokens taken out; classify would weigh it by its own length.
    const weight = plan.slotTokens[row];
    for (let j = 0; j < width; j++) {
      const score = plan.scores[row * width + j];
      sums[j] = multiLabel ? Math.max(sums[j], score) : sums[j] + weight * score;
    }
    weights += weight;
  }
  if (!multiLabel) for (let j = 0; j < width; j++) sums[j] /= weights;
  return sums;
}
