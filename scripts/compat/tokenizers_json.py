"""tokenizer.json files in each model family's own pipeline, on a small vocabulary built here.

The JSON is what the family's Hugging Face fast tokenizer writes (transformers' convert_slow_tokenizer
converters): normalizer, pre-tokenizer, model, post-processor and decoder. One deliberate difference:
SentencePiece families (XLM-R, ALBERT, DeBERTa-v2/v3) carry a `Precompiled` normalizer whose charsmap is
a binary blob from the original .model file; it cannot be made without that file, so NFKC (what the
blob mostly encodes) stands in for it.
"""
import collections
import re
import unicodedata

WORD_RE = re.compile(r"\w+|[^\w\s]", re.UNICODE)
BYTE_LEVEL_RE = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[^\W\d_]+| ?\d+| ?[^\s\w]+|\s+(?!\S)|\s+""", re.UNICODE)
SPIECE = "\u2581"
SUFFIXES = ["ing", "ed", "s", "ly", "er", "est", "tion", "ness", "able", "ment", "un", "re", "es", "al"]


def added(token_id, content, special=True, lstrip=False, normalized=False):
    return {"id": token_id, "content": content, "single_word": False, "lstrip": lstrip, "rstrip": False,
            "normalized": normalized, "special": special}


def template(cls, sep, pair_sep_twice=False):
    """TemplateProcessing as BertConverter / XLMRobertaConverter / DebertaV2Converter write it."""
    (cls_token, cls_id), (sep_token, sep_id) = cls, sep
    single = [{"SpecialToken": {"id": cls_token, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
              {"SpecialToken": {"id": sep_token, "type_id": 0}}]
    second = 0 if pair_sep_twice else 1
    pair = single + ([{"SpecialToken": {"id": sep_token, "type_id": 0}}] if pair_sep_twice else []) + [
        {"Sequence": {"id": "B", "type_id": second}}, {"SpecialToken": {"id": sep_token, "type_id": second}}]
    return {"type": "TemplateProcessing", "single": single, "pair": pair, "special_tokens": {
        cls_token: {"id": cls_token, "ids": [cls_id], "tokens": [cls_token]},
        sep_token: {"id": sep_token, "ids": [sep_id], "tokens": [sep_token]}}}


def document(added_tokens, normalizer, pre_tokenizer, post_processor, decoder, model):
    return {"version": "1.0", "truncation": None, "padding": None, "added_tokens": added_tokens,
            "normalizer": normalizer, "pre_tokenizer": pre_tokenizer, "post_processor": post_processor,
            "decoder": decoder, "model": model}


# ---- WordPiece (BERT, DistilBERT, ELECTRA, MiniLM, Chinese BERT) ----

def bert_normalize(text, lowercase, strip_accents):
    text = "".join(" " if c in "\t\n\r" else c for c in text if not (ord(c) == 0 or ord(c) == 0xFFFD or unicodedata.category(c) in ("Cc", "Cf")) or c in "\t\n\r")
    if lowercase:
        text = text.lower()
    if strip_accents if strip_accents is not None else lowercase:
        text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    return text


def is_cjk(c):
    cp = ord(c)
    return 0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0xF900 <= cp <= 0xFAFF or 0x20000 <= cp <= 0x2FA1F


def wordpiece(corpus, lowercase, words_kept, chinese=False, bert_processing=False):
    specials = ["[PAD]"] + [f"[unused{i}]" for i in range(99)] + ["[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    counts = collections.Counter()
    chars = set()
    for text in corpus:
        normalized = bert_normalize(text, lowercase, None)
        for word in WORD_RE.findall(normalized):
            if chinese and any(is_cjk(c) for c in word):
                pieces = re.findall(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+", word)
            else:
                pieces = [word]
            for piece in pieces:
                counts[piece] += 1
                chars.update(piece)
    vocab = list(specials)
    vocab += [p for p in "!\"#$%&'()*+,-./0123456789:;<=>?@[\\]^_`{|}~"]
    letters = sorted(c for c in chars if c.isalnum() or not c.isascii())
    vocab += [c for c in letters if c not in vocab]
    vocab += ["##" + c for c in letters if not is_cjk(c)]
    vocab += ["##" + s for s in SUFFIXES]
    vocab += [w for w, _ in counts.most_common(words_kept) if len(w) > 1]
    vocab = list(dict.fromkeys(vocab))
    ids = {token: i for i, token in enumerate(vocab)}
    added_tokens = [added(ids[t], t) for t in ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]]
    normalizer = {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True, "strip_accents": None, "lowercase": lowercase}
    if bert_processing:  # what tokenizers < 0.10 wrote, still common on the Hub (e.g. MiniLM repositories)
        post = {"type": "BertProcessing", "sep": ["[SEP]", ids["[SEP]"]], "cls": ["[CLS]", ids["[CLS]"]]}
    else:
        post = template(("[CLS]", ids["[CLS]"]), ("[SEP]", ids["[SEP]"]))
    model = {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100, "vocab": ids}
    tokenizer = document(added_tokens, normalizer, {"type": "BertPreTokenizer"}, post, {"type": "WordPiece", "prefix": "##", "cleanup": True}, model)
    special = {"pad": ("[PAD]", 0), "unk": ("[UNK]", ids["[UNK]"]), "cls": ("[CLS]", ids["[CLS]"]), "sep": ("[SEP]", ids["[SEP]"]), "mask": ("[MASK]", ids["[MASK]"])}
    return tokenizer, len(vocab), special


# ---- byte-level BPE (RoBERTa, ModernBERT) ----

def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs)))


def train_bpe(corpus, merges_wanted):
    byte_map = bytes_to_unicode()
    words = collections.Counter()
    for text in corpus:
        for piece in BYTE_LEVEL_RE.findall(text):
            words[tuple(byte_map[b] for b in piece.encode("utf-8"))] += 1
    merges = []
    for _ in range(merges_wanted):
        pairs = collections.Counter()
        for word, count in words.items():
            for a, b in zip(word, word[1:]):
                pairs[(a, b)] += count
        if not pairs:
            break
        (a, b), count = max(pairs.items(), key=lambda item: (item[1], item[0]))
        if count < 2:
            break
        merges.append((a, b))
        merged = collections.Counter()
        for word, n in words.items():
            out, i = [], 0
            while i < len(word):
                if i + 1 < len(word) and word[i] == a and word[i + 1] == b:
                    out.append(a + b)
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            merged[tuple(out)] += n
        words = merged
    alphabet = [byte_map[b] for b in range(256)]
    return alphabet, merges


def byte_level_bpe(corpus, family, merges_wanted=500):
    alphabet, merges = train_bpe(corpus, merges_wanted)
    learned = list(dict.fromkeys(a + b for a, b in merges))
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
    if family == "roberta":
        head = ["<s>", "<pad>", "</s>", "<unk>"]
        vocab = list(dict.fromkeys(head + alphabet + learned)) + ["<mask>"]
        ids = {t: i for i, t in enumerate(vocab)}
        added_tokens = [added(ids[t], t) for t in head] + [added(ids["<mask>"], "<mask>", lstrip=True)]
        post = {"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0], "trim_offsets": True, "add_prefix_space": False}
        merges_json = [f"{a} {b}" for a, b in merges]  # the "a b" strings tokenizers < 0.20 wrote
        special = {"pad": ("<pad>", 1), "unk": ("<unk>", 3), "cls": ("<s>", 0), "sep": ("</s>", 2), "mask": ("<mask>", ids["<mask>"])}
        unk = None
    else:  # ModernBERT: OLMo's byte-level BPE with BERT-style special tokens after the vocabulary
        tail = ["<|endoftext|>", "<|padding|>", "[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]"]
        vocab = list(dict.fromkeys(alphabet + learned)) + tail
        ids = {t: i for i, t in enumerate(vocab)}
        added_tokens = [added(ids[t], t, lstrip=(t == "[MASK]")) for t in tail]
        post = template(("[CLS]", ids["[CLS]"]), ("[SEP]", ids["[SEP]"]))
        merges_json = [[a, b] for a, b in merges]  # the pair arrays tokenizers >= 0.20 writes
        special = {"pad": ("[PAD]", ids["[PAD]"]), "unk": ("[UNK]", ids["[UNK]"]), "cls": ("[CLS]", ids["[CLS]"]), "sep": ("[SEP]", ids["[SEP]"]), "mask": ("[MASK]", ids["[MASK]"])}
        unk = None
    model = {"type": "BPE", "dropout": None, "unk_token": unk, "continuing_subword_prefix": "", "end_of_word_suffix": "",
             "fuse_unk": False, "byte_fallback": False, "ignore_merges": False, "vocab": ids, "merges": merges_json}
    decoder = {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True}
    return document(added_tokens, None, byte_level, post, decoder, model), len(vocab), special


# ---- SentencePiece Unigram with Metaspace (XLM-R, ALBERT, DeBERTa-v2/v3) ----

def unigram(corpus, family, words_kept=600):
    def nfkc(text):
        return unicodedata.normalize("NFKC", text)

    def albert_normalize(text):
        text = unicodedata.normalize("NFKD", text.replace("``", '"').replace("''", '"'))
        return "".join(c for c in text if unicodedata.category(c) != "Mn").lower()

    normalize = albert_normalize if family == "albert" else nfkc
    counts = collections.Counter()
    chars = collections.Counter()
    for text in corpus:
        for word in normalize(text).split():
            counts[SPIECE + word] += 1
            chars.update(word)
    pieces = [(SPIECE, -2.0)]
    pieces += [(w, -4.0 - i * 0.01) for i, (w, _) in enumerate(counts.most_common(words_kept))]
    pieces += [(s, -7.0 - i * 0.01) for i, s in enumerate(SUFFIXES)]
    pieces += [(c, -9.0 - i * 0.001) for i, (c, _) in enumerate(sorted(chars.items(), key=lambda kv: (-kv[1], kv[0])))]
    seen, unique = set(), []
    for piece, score in pieces:
        if piece not in seen:
            seen.add(piece)
            unique.append([piece, score])
    if family == "xlm-roberta":
        head = ["<s>", "<pad>", "</s>", "<unk>"]
        tail = ["<mask>"]
        names = {"pad": "<pad>", "unk": "<unk>", "cls": "<s>", "sep": "</s>", "mask": "<mask>"}
    elif family == "albert":
        head = ["<pad>", "<unk>", "[CLS]", "[SEP]", "[MASK]"]
        tail = []
        names = {"pad": "<pad>", "unk": "<unk>", "cls": "[CLS]", "sep": "[SEP]", "mask": "[MASK]"}
    else:  # deberta-v2 / v3
        head = ["[PAD]", "[CLS]", "[SEP]", "[UNK]"]
        tail = ["[MASK]"]
        names = {"pad": "[PAD]", "unk": "[UNK]", "cls": "[CLS]", "sep": "[SEP]", "mask": "[MASK]"}
    vocab = [[t, 0.0] for t in head] + unique + [[t, 0.0] for t in tail]
    ids = {piece: i for i, (piece, _) in enumerate(vocab)}
    added_tokens = [added(ids[t], t, lstrip=(t == "<mask>")) for t in head + tail]
    replace_spaces = {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}
    if family == "albert":
        normalizer = {"type": "Sequence", "normalizers": [
            {"type": "Replace", "pattern": {"String": "``"}, "content": "\""},
            {"type": "Replace", "pattern": {"String": "''"}, "content": "\""},
            {"type": "NFKD"}, {"type": "StripAccents"}, {"type": "Lowercase"}, replace_spaces]}
    elif family == "xlm-roberta":
        normalizer = {"type": "Sequence", "normalizers": [{"type": "NFKC"}, replace_spaces]}
    else:
        normalizer = {"type": "Sequence", "normalizers": [{"type": "Strip", "strip_left": True, "strip_right": True}, {"type": "NFKC"}, replace_spaces]}
    metaspace = {"type": "Metaspace", "replacement": SPIECE, "prepend_scheme": "always", "split": True}
    post = template((names["cls"], ids[names["cls"]]), (names["sep"], ids[names["sep"]]), pair_sep_twice=(family == "xlm-roberta"))
    model = {"type": "Unigram", "unk_id": ids[names["unk"]], "vocab": vocab, "byte_fallback": False}
    special = {key: (name, ids[name]) for key, name in names.items()}
    return document(added_tokens, normalizer, metaspace, post, metaspace, model), len(vocab), special
