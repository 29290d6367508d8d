// A JavaScript fast path for the standard BERT tokenizer on plain-ASCII text. Calling the native
// `tokenizers` binding costs about 19 µs per sentence, most of it crossing into native code and
// building an Encoding object; on ASCII text the BERT pipeline is simple enough to run here in 2–3 µs
// (whole words are looked up once and cached). It is used only when tokenizer.json is exactly that
// pipeline, and only for texts where the result is certain to equal the binding's: anything else
// (non-ASCII characters, control characters, text containing an added token such as "[MASK]") returns
// undefined and goes to the binding. A test compares both on every sentence of the bundled datasets.

/** Printable ASCII plus the whitespace BertNormalizer turns into spaces. */
const PLAIN_ASCII = /^[\x20-\x7e\t\n\r]*$/;
/** BertPreTokenizer on ASCII: runs of non-space, non-punctuation characters, and each punctuation character alone. */
const ASCII_WORD_OR_PUNCTUATION = /[^\s!-/:-@[-`{-~]+|[!-/:-@[-`{-~]/g;
/** Words cached per tokenizer; cleared when full, so memory stays bounded on any stream of text. */
const MAX_CACHED_WORDS = 200_000;

interface TokenizerJson {
  normalizer?: { type?: string; lowercase?: boolean; clean_text?: boolean } | null;
  pre_tokenizer?: { type?: string } | null;
  model?: { type?: string; vocab?: Record<string, number>; unk_token?: string; continuing_subword_prefix?: string; max_input_chars_per_word?: number };
  post_processor?: {
    type?: string;
    single?: ({ SpecialToken: { id: string } } | { Sequence: { id: string } })[];
    special_tokens?: Record<string, { ids: number[] }>;
    cls?: [string, number];
    sep?: [string, number];
  } | null;
  added_tokens?: { content: string }[];
}

export class AsciiWordPiece {
  private readonly cache = new Map<string, number[]>();

  private constructor(
    private readonly vocab: Map<string, number>,
    private readonly unknownId: number,
    private readonly continuation: string,
    private readonly maxWordLength: number,
    private readonly lowercase: boolean,
    private readonly prefix: number[],
    private readonly suffix: number[],
    /** Added tokens' contents, lowercased: a text containing one goes to the binding, which matches them first. */
    private readonly addedTokens: string[],
  ) {}

  /** The fast path for this tokenizer.json, or undefined when it is not the standard BERT pipeline. */
  static fromJson(json: TokenizerJson): AsciiWordPiece | undefined {
    const { normalizer, pre_tokenizer: preTokenizer, model, post_processor: post } = json;
    if (normalizer?.type !== 'BertNormalizer' || normalizer.clean_text === false) return undefined;
    if (preTokenizer?.type !== 'BertPreTokenizer') return undefined;
    if (model?.type !== 'WordPiece' || !model.vocab || model.unk_token === undefined) return undefined;
    const unknownId = model.vocab[model.unk_token];
    if (unknownId === undefined) return undefined;
    const template = specialTokensAround(post);
    if (!template) return undefined;
    return new AsciiWordPiece(
      new Map(Object.entries(model.vocab)),
      unknownId,
      model.continuing_subword_prefix ?? '##',
      model.max_input_chars_per_word ?? 100,
      normalizer.lowercase !== false,
      template.prefix,
      template.suffix,
      (json.added_tokens ?? []).map((token) => token.content.toLowerCase()),
    );
  }

  /** The ids the binding would give, special tokens included; undefined when this text needs the binding. */
  encode(text: string): number[] | undefined {
    if (!PLAIN_ASCII.test(text)) return undefined;
    const lower = text.toLowerCase();
    for (const token of this.addedTokens) if (lower.includes(token)) return undefined;
    const ids = [...this.prefix];
    for (const match of (this.lowercase ? lower : text).matchAll(ASCII_WORD_OR_PUNCTUATION)) {
      for (const id of this.wordIds(match[0])) ids.push(id);
    }
    for (const id of this.suffix) ids.push(id);
    return ids;
  }

  /** WordPiece ids of one word, cached; [UNK] alone for a word too long or with a part no vocabulary entry covers. */
  private wordIds(word: string): number[] {
    let ids = this.cache.get(word);
    if (ids) return ids;
    ids = (word.length <= this.maxWordLength && this.piecesOf(word)) || [this.unknownId];
    if (this.cache.size >= MAX_CACHED_WORDS) this.cache.clear();
    this.cache.set(word, ids);
    return ids;
  }

  /** The longest vocabulary entry from the left, then the longest continuation pieces. */
  private piecesOf(word: string): number[] | undefined {
    const ids: number[] = [];
    for (let start = 0; start < word.length; ) {
      let end = word.length;
      let id: number | undefined;
      for (; end > start; end--) {
        id = this.vocab.get(start > 0 ? this.continuation + word.slice(start, end) : word.slice(start, end));
        if (id !== undefined) break;
      }
      if (id === undefined) return undefined;
      ids.push(id);
      start = end;
    }
    return ids;
  }
}

/** The special-token ids before and after a single sequence, from a TemplateProcessing or BertProcessing post-processor. */
function specialTokensAround(post: TokenizerJson['post_processor']): { prefix: number[]; suffix: number[] } | undefined {
  if (post?.type === 'BertProcessing' && post.cls && post.sep) return { prefix: [post.cls[1]], suffix: [post.sep[1]] };
  if (post?.type !== 'TemplateProcessing' || !post.single) return undefined;
  const sequenceAt = post.single.findIndex((piece) => 'Sequence' in piece);
  if (sequenceAt < 0 || post.single.filter((piece) => 'Sequence' in piece).length !== 1) return undefined;
  const idsOf = (pieces: typeof post.single): number[] | undefined => {
    const ids: number[] = [];
    for (const piece of pieces!) {
      const special = 'SpecialToken' in piece ? post.special_tokens?.[piece.SpecialToken.id] : undefined;
      if (!special) return undefined;
      ids.push(...special.ids);
    }
    return ids;
  };
  const prefix = idsOf(post.single.slice(0, sequenceAt));
  const suffix = idsOf(post.single.slice(sequenceAt + 1));
  return prefix && suffix ? { prefix, suffix } : undefined;
}
