// Wraps the native Hugging Face `tokenizers` binding. Texts are encoded without truncation or
// padding (whatever tokenizer.json asks for is switched off); a text longer than the model's window
// is cut into overlapping windows here, each with the special tokens of a full sequence and the
// character range it covers. Plain-ASCII texts that fit one window take the JavaScript fast path of
// wordpiece.ts when tokenizer.json is the standard BERT pipeline (same ids, several times cheaper).
import * as fs from 'node:fs';
import { Tokenizer, type Encoding } from 'tokenizers';
import { BundleError } from './bundle';
import { AsciiWordPiece } from './wordpiece';
import { errorMessage } from '../classifier/errors';

/** One model input sequence: a whole text or one window of a long text. */
export interface TokenWindow {
  ids: number[];
  /** Character range of the text this window covers (UTF-16 offsets, as String.prototype.slice uses). */
  start: number;
  end: number;
}

export interface EncodedText {
  /** Tokens of the whole text, special tokens included. */
  tokens: number;
  windows: TokenWindow[];
}

export class TextTokenizer {
  private readonly tokenizer: Tokenizer;
  private readonly fastPath: AsciiWordPiece | undefined;

  constructor(
    readonly file: string,
    /** The most tokens one window may hold, special tokens included. */
    readonly maxTokens: number,
    /** Tokens shared by consecutive windows. */
    readonly stride: number,
  ) {
    try {
      this.tokenizer = Tokenizer.fromFile(file);
      this.fastPath = AsciiWordPiece.fromJson(JSON.parse(fs.readFileSync(file, 'utf8')));
    } catch (error) {
      throw new BundleError(file, `cannot load the tokenizer (${errorMessage(error)})`);
    }
    this.tokenizer.disableTruncation();
    this.tokenizer.disablePadding();
  }

  /** Texts the fast path cannot take are encoded on the binding's native thread pool, the event loop free meanwhile. */
  async encodeBatch(texts: string[]): Promise<EncodedText[]> {
    const results = texts.map((text) => this.encodeFast(text));
    const rest: number[] = [];
    results.forEach((result, index) => result || rest.push(index));
    if (rest.length > 0) {
      const encodings = await this.tokenizer.encodeBatch(rest.map((index) => texts[index]));
      rest.forEach((index, k) => (results[index] = this.windowsOf(encodings[k], texts[index])));
    }
    return results as EncodedText[];
  }

  async encode(text: string): Promise<EncodedText> {
    return this.encodeFast(text) ?? this.windowsOf(await this.tokenizer.encode(text), text);
  }

  /** A text that fits one window, encoded by the fast path; undefined when it needs the binding. */
  private encodeFast(text: string): EncodedText | undefined {
    const ids = this.fastPath?.encode(text);
    if (!ids || ids.length > this.maxTokens) return undefined;
    return { tokens: ids.length, windows: [{ ids, start: 0, end: text.length }] };
  }

  /**
   * A text's tokens with the pre-tokenized word each belongs to, split as windowsOf splits them: for
   * explanations (src/engine/explain.ts), so always through the binding (the fast path knows no words).
   */
  async encodeWords(text: string): Promise<WordTokens> {
    const encoding = await this.tokenizer.encode(text);
    const { head, tail, prefix, suffix } = specialEnds(encoding);
    const ids = encoding.getIds();
    const toUtf16 = utf16OffsetMap(text);
    const content = ids.slice(prefix, ids.length - suffix);
    const offsets = encoding.getOffsets().slice(prefix, ids.length - suffix).map(([from, to]): [number, number] => [toUtf16(from), toUtf16(to)]);
    const wordIds = encoding.getWordIds().slice(prefix, ids.length - suffix).map((word) => word ?? -1);
    const windows: [number, number][] = ids.length <= this.maxTokens ? [[0, content.length]] : this.contentWindows(content.length, head.length + tail.length);
    return { head, tail, content, offsets, wordIds, windows, tokens: ids.length };
  }

  private windowsOf(encoding: Encoding, text: string): EncodedText {
    const ids = encoding.getIds();
    if (ids.length <= this.maxTokens) {
      return { tokens: ids.length, windows: [{ ids, start: 0, end: text.length }] };
    }
    const { head, tail, prefix, suffix } = specialEnds(encoding);
    const content = ids.slice(prefix, ids.length - suffix);
    const toUtf16 = utf16OffsetMap(text);
    const offsets = encoding.getOffsets().slice(prefix, ids.length - suffix).map(([from, to]) => [toUtf16(from), toUtf16(to)]);
    const windows = this.contentWindows(content.length, prefix + suffix).map(([from, to]) => ({
      ids: [...head, ...content.slice(from, to), ...tail],
      start: offsets[from][0],
      end: offsets[to - 1][1],
    }));
    return { tokens: ids.length, windows };
  }

  /** The [from, to) ranges of content tokens that the windows of a long text cover, `stride` tokens shared by neighbours. */
  private contentWindows(contentLength: number, specialTokens: number): [number, number][] {
    const width = this.maxTokens - specialTokens;
    const step = width - this.stride;
    if (step <= 0) {
      throw new Error(`window stride ${this.stride} must be smaller than the window's ${width} content tokens`);
    }
    const windows: [number, number][] = [];
    for (let from = 0; ; from += step) {
      const to = Math.min(from + width, contentLength);
      windows.push([from, to]);
      if (to === contentLength) break;
    }
    return windows;
  }
}

/** A text's tokens without the special tokens around them, each with its word and character range. */
export interface WordTokens {
  /** Special tokens before and after the content ([CLS] … [SEP]); every window has them. */
  head: number[];
  tail: number[];
  content: number[];
  /** Per content token: UTF-16 range in the text, and the index of its pre-tokenized word (-1 for none). */
  offsets: [number, number][];
  wordIds: number[];
  /** The [from, to) ranges of `content` that the model windows cover (one range when the text fits one window). */
  windows: [number, number][];
  /** Tokens of the whole text, special tokens included (Classification.tokens). */
  tokens: number;
}

/** The special tokens an encoding starts and ends with. */
function specialEnds(encoding: Encoding): { head: number[]; tail: number[]; prefix: number; suffix: number } {
  const ids = encoding.getIds();
  const special = encoding.getSpecialTokensMask();
  let prefix = 0;
  while (prefix < special.length && special[prefix] === 1) prefix++;
  let suffix = 0;
  while (suffix < special.length - prefix && special[special.length - 1 - suffix] === 1) suffix++;
  return { head: ids.slice(0, prefix), tail: ids.slice(ids.length - suffix), prefix, suffix };
}

/** The binding reports offsets in code points; JavaScript strings index UTF-16 code units. */
function utf16OffsetMap(text: string): (codePointOffset: number) => number {
  if (!/[\uD800-\uDFFF]/.test(text)) return (offset) => offset;
  const utf16Of: number[] = [];
  let unit = 0;
  for (const character of text) {
    utf16Of.push(unit);
    unit += character.length;
  }
  utf16Of.push(unit);
  return (offset) => utf16Of[offset];
}
