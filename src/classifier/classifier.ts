// The one interface every classifier answers with (DESIGN.md): the worker's Engine, the host's
// ClassifierClient, an Engine whose graph runs on a remote server (Engine.load with `remote`), and
// the served model `textclf serve` answers from (serve/servedModel.ts). Host-safe: types and input
// checks only, no native import. test/unit/classifier-contract.test.ts runs one suite against all four.
import type { Explanation } from './explanation';
import { UNITS, type SegmentOptions } from './segment';
import type { Classification, ClassifiedSegment, ModelInfo, Unit } from './types';

export interface ClassifyOptions {
  /** Keep only the best K labels of each result (all labels by default). */
  topK?: number;
  /** Aborting rejects the call; the classifier stays usable. */
  signal?: AbortSignal;
  /** Texts (or document units) finished so far, of all asked for; the last call has done === total. */
  onProgress?: (done: number, total: number) => void;
}

export type ClassifyDocumentOptions = ClassifyOptions & SegmentOptions;

export interface Classifier {
  /** The model's labels in its own order (id2label). */
  readonly labels: readonly string[];
  readonly info: ModelInfo;
  /** One result per text, in order: every label (or the best topK) with its score, sorted by score. */
  classify(texts: string[], options?: ClassifyOptions): Promise<Classification[]>;
  /** Cuts a document into units (segment.ts) and classifies each; every segment keeps its exact range. */
  classifyDocument(text: string, unit: Unit, options?: ClassifyDocumentOptions): Promise<ClassifiedSegment[]>;
}

/**
 * Why each text got its scores: per-word contributions to every label. Apart from Classifier so
 * that a classifier that cannot explain (a future backend) still is one; all four today are both.
 */
export interface Explainer {
  explain(texts: string[], options?: Omit<ClassifyOptions, 'topK'>): Promise<Explanation[]>;
}

/** Why `texts` is not an array of strings, or undefined when it is (also the worker's message check). */
export function textsProblem(texts: unknown): string | undefined {
  if (!Array.isArray(texts)) return `texts must be an array of strings, got ${describe(texts)}`;
  const bad = texts.findIndex((text) => typeof text !== 'string');
  return bad >= 0 ? `texts must be an array of strings, but texts[${bad}] is ${describe(texts[bad])}` : undefined;
}

/** Why `text` is not a document string or `unit` not one of UNITS, or undefined when both are fine. */
export function documentProblem(text: unknown, unit: unknown): string | undefined {
  if (typeof text !== 'string') return `the document must be a string, got ${describe(text)}`;
  if (!UNITS.includes(unit as Unit)) return `unknown unit ${JSON.stringify(unit) ?? String(unit)} (expected one of ${UNITS.join(', ')})`;
  return undefined;
}

export function checkTexts(texts: unknown): asserts texts is string[] {
  const problem = textsProblem(texts);
  if (problem) throw new TypeError(problem);
}

export function checkDocument(text: unknown, unit: unknown): asserts text is string {
  const problem = documentProblem(text, unit);
  if (problem) throw new TypeError(problem);
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
