// Wraps the native Hugging Face `tokenizers` binding. Texts are encoded without truncation or
// padding (whatever tokenizer.json asks for is switched off); a text longer than the model's window
// is cut into overlapping windows here, each with the special tokens of a full sequence and the
// character range it covers. Plain-ASCII texts that fit one window take the JavaScript fast path of
// wordpiece.ts when tokenizer.json is the standard BERT pipeline (same ids, several times cheaper).
import * as fs from 'node:fs';
import { Tokenizer, type Encoding } from 'tokenizers';
import { BundleError } from './bundle';
import { AsciiWordPiece } from './wordpiece';

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
      throw new BundleError(file, `cannot load the tokenizer (${(error as Error).message})`);
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

  private windowsOf(encoding: Encoding, text: string): EncodedText {
    const ids = encoding.getIds();
    if (ids.length <= this.maxTokens) {
      return { tokens: ids.length, windows: [{ ids, start: 0, end: text.length }] };
    }
    const special = encoding.getSpecialTokensMask();
    let prefix = 0;
    while (prefix < special.length && special[prefix] === 1) prefix++;
    let suffix = 0;
    while (suffix < special.length - prefix && special[special.length - 1 - suffix] === 1) suffix++;
    const head = ids.slice(0, prefix);
    const tail = ids.slice(ids.length - suffix);
    const content = ids.slice(prefix, ids.length - suffix);
    const toUtf16 = utf16OffsetMap(text);
    const offsets = encoding.getOffsets().slice(prefix, ids.length - suffix).map(([from, to]) => [toUtf16(from), toUtf16(to)]);
    const width = this.maxTokens - prefix - suffix;
    const step = width - this.stride;
    if (step <= 0) {
      throw new Error(`window stride ${this.stride} must be smaller than the window's ${width} content tokens`);
    }
    const windows: TokenWindow[] = [];
    for (let from = 0; ; from += step) {
      const to = Math.min(from + width, content.length);
      windows.push({ ids: [...head, ...content.slice(from, to), ...tail], start: offsets[from][0], end: offsets[to - 1][1] });
      if (to === content.length) break;
    }
    return { tokens: ids.length, windows };
  }
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
