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

/** Throws a TypeError saying what is wrong unless `texts` is an array of strings. */
export function checkTexts(texts: unknown): asserts texts is string[] {
  if (!Array.isArray(texts)) throw new TypeError(`texts must be an array of strings, got ${describe(texts)}`);
  const bad = texts.findIndex((text) => typeof text !== 'string');
  if (bad >= 0) throw new TypeError(`texts must be an array of strings, but texts[${bad}] is ${describe(texts[bad])}`);
}

/** Throws a TypeError saying what is wrong unless `text` is a string and `unit` one of UNITS. */
export function checkDocument(text: unknown, unit: unknown): asserts text is string {
  if (typeof text !== 'string') throw new TypeError(`the document must be a string, got ${describe(text)}`);
  if (!UNITS.includes(unit as Unit)) throw new TypeError(`unknown unit ${JSON.stringify(unit) ?? String(unit)} (expected one of ${UNITS.join(', ')})`);
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
