"""A BERT WordPiece tokenizer: vocabulary learning, encoding, and the Hugging Face tokenizer.json.

Encoding re-implements exactly what the tokenizer.json written here asks the HF `tokenizers` library
to do (BertNormalizer with lowercase, BertPreTokenizer, WordPiece with `##`), so the ids used in training
are the ids the extension gets in Node; build.py checks that on the evaluation texts.
The vocabulary is learned like HF's WordPieceTrainer: byte-pair merges over word counts, with `##` marking
pieces that continue a word.
"""
import collections
import heapq
import json
import unicodedata

SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
MAX_INPUT_CHARS_PER_WORD = 100


def _is_punctuation(ch):
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
            or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF
            or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def normalize(text):
    """BertNormalizer(clean_text, handle_chinese_chars, strip_accents, lowercase)."""
    out = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD:
            continue
        cat = unicodedata.category(ch)
        if ch in "\t\n\r" or cat == "Zs":
            out.append(" ")
            continue
        if cat in ("Cc", "Cf", "Cn", "Co"):  # control characters (HF: is_control)
            continue
        out.append(f" {ch} " if _is_cjk(cp) else ch)
    text = unicodedata.normalize("NFD", "".join(out))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return text.lower()


def pre_tokenize(text):
    """BertPreTokenizer: split on whitespace, each punctuation character is its own word."""
    words = []
    for chunk in text.split():
        current = []
        for ch in chunk:
            if _is_punctuation(ch):
                if current:
                    words.append("".join(current))
                    current = []
                words.append(ch)
            else:
                current.append(ch)
        if current:
            words.append("".join(current))
    return words


def words_of(text):
    return pre_tokenize(normalize(text))


def learn_vocab(texts, vocab_size, min_frequency=2):
    """Byte-pair merges over word frequencies until the vocabulary has vocab_size entries."""
    word_counts = collections.Counter(w for t in texts for w in words_of(t))
    words = [[w[0]] + ["##" + c for c in w[1:]] for w in word_counts]  # symbols per word type
    counts = list(word_counts.values())
    alphabet = collections.Counter()
    for symbols, n in zip(words, counts):
        for s in symbols:
            alphabet[s] += n
    vocab = list(SPECIAL_TOKENS) + sorted(alphabet, key=lambda s: (-alphabet[s], s))
    known = set(vocab)

    pair_counts = collections.Counter()
    where = collections.defaultdict(set)  # pair -> word indices containing it
    for i, (symbols, n) in enumerate(zip(words, counts)):
        for pair in zip(symbols, symbols[1:]):
            pair_counts[pair] += n
            where[pair].add(i)
    heap = [(-c, pair) for pair, c in pair_counts.items()]
    heapq.heapify(heap)
    while len(vocab) < vocab_size and heap:
        neg, pair = heapq.heappop(heap)
        if -neg != pair_counts.get(pair, 0):  # stale entry: re-push with the current count
            if pair_counts.get(pair, 0) > 0:
                heapq.heappush(heap, (-pair_counts[pair], pair))
            continue
        if -neg < min_frequency:
            break
        merged = pair[0] + pair[1][2:]
        for i in list(where[pair]):
            symbols, n = words[i], counts[i]
            for p in zip(symbols, symbols[1:]):
                pair_counts[p] -= n
            new, j = [], 0
            while j < len(symbols):
                if j + 1 < len(symbols) and (symbols[j], symbols[j + 1]) == pair:
                    new.append(merged)
                    j += 2
                else:
                    new.append(symbols[j])
                    j += 1
            words[i] = new
            for p in zip(new, new[1:]):
                pair_counts[p] += n
                where[p].add(i)
                heapq.heappush(heap, (-pair_counts[p], p))
        del pair_counts[pair]
        if merged not in known:
            known.add(merged)
            vocab.append(merged)
    return vocab


class WordPiece:
    def __init__(self, vocab):
        self.vocab = list(vocab)
        self.ids = {token: i for i, token in enumerate(self.vocab)}
        self.unk_id = self.ids["[UNK]"]
        self.cls_id = self.ids["[CLS]"]
        self.sep_id = self.ids["[SEP]"]
        self.pad_id = self.ids["[PAD]"]

    def _word_ids(self, word):
        if len(word) > MAX_INPUT_CHARS_PER_WORD:
            return [self.unk_id]
        pieces, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.ids:
                    pieces.append(self.ids[piece])
                    break
                end -= 1
            if end == start:
                return [self.unk_id]
            start = end
        return pieces

    def encode(self, text, max_length):
        """[CLS] pieces [SEP], the pieces truncated so the whole fits max_length."""
        ids = [i for w in words_of(text) for i in self._word_ids(w)]
        return [self.cls_id] + ids[:max_length - 2] + [self.sep_id]

    def tokenizer_json(self):
        """The HF fast-tokenizer file (no truncation or padding: the caller chooses them)."""
        return {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": [
                {"id": self.ids[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                 "normalized": False, "special": True} for t in SPECIAL_TOKENS],
            "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                           "strip_accents": None, "lowercase": True},
            "pre_tokenizer": {"type": "BertPreTokenizer"},
            "post_processor": {
                "type": "TemplateProcessing",
                "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                           {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
                "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                         {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                         {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
                "special_tokens": {
                    "[CLS]": {"id": "[CLS]", "ids": [self.cls_id], "tokens": ["[CLS]"]},
                    "[SEP]": {"id": "[SEP]", "ids": [self.sep_id], "tokens": ["[SEP]"]},
                },
            },
            "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
            "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                      "max_input_chars_per_word": MAX_INPUT_CHARS_PER_WORD,
                      "vocab": {t: i for i, t in enumerate(self.vocab)}},
        }

    def save(self, path):
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self.tokenizer_json(), f, ensure_ascii=False, indent=1)
