#!/usr/bin/python3
"""Writes tiny, seeded, random-weight model directories, one per model family and case, into OUT_DIR.

Usage: /usr/bin/python3 scripts/compat/make_models.py OUT_DIR

Each directory is laid out like an optimum / Transformers.js Hub export: config.json,
tokenizer.json (the family's fast-tokenizer pipeline, see tokenizers_json.py), tokenizer_config.json,
special_tokens_map.json and onnx/model*.onnx with the family's input signature (see graphs.py).
The output depends only on this folder's files (the tests regenerate it when they change).
Needs numpy and onnx (Debian: python3-onnx).
"""
import functools
import json
import os
import shutil
import sys
import zlib

import onnx
from onnx import TensorProto

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import graphs  # noqa: E402
import tokenizers_json as tj  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ENGLISH = """the a an and or but of to in on at for with from by as is are was were be been being it its this that
these those i you he she we they me him her us them my your his our their what which who whom whose when where why how
all any both each few more most other some such no nor not only own same so than too very can will just should now
film movie story plot acting actor actress director script scene scenes character characters performance music
good great bad terrible awful wonderful funny boring dull brilliant beautiful moving warm cold smart stupid best worst
love loved hate hated like liked enjoy enjoyed waste hours time minutes year years day today week
stocks market shares prices oil bank rates company companies profit quarter economy growth fell rose rallied
team game season win won lose lost match player players coach championship goal points league
new phone software computer internet technology microsoft google apple chip camera system version users
world government president minister election war peace country people police officials reuters ap said says
scientists species study research space nasa climate health new york monday tuesday wednesday thursday friday
"""
TEXTS = json.load(open(os.path.join(HERE, "texts.json"), encoding="utf-8"))
CORPUS = [ENGLISH] + TEXTS

LABELS = {2: ["negative", "positive"], 3: ["negative", "neutral", "positive"], 4: ["World", "Sports", "Business", "Sci/Tech"],
          5: ["admiration", "anger", "joy", "sadness", "toxic"]}

# family: (model_type, architecture, tokenizer, graph inputs, max_position_embeddings, tokenizer_config extras)
FAMILIES = {
    "bert": ("bert", "BertForSequenceClassification", "wordpiece-uncased", ["input_ids", "attention_mask", "token_type_ids"], 512, {"tokenizer_class": "BertTokenizer", "do_lower_case": True}),
    "bert-cased": ("bert", "BertForSequenceClassification", "wordpiece-cased", ["input_ids", "attention_mask", "token_type_ids"], 512, {"tokenizer_class": "BertTokenizer", "do_lower_case": False}),
    "bert-chinese": ("bert", "BertForSequenceClassification", "wordpiece-chinese", ["input_ids", "attention_mask", "token_type_ids"], 512, {"tokenizer_class": "BertTokenizer", "do_lower_case": False}),
    "distilbert": ("distilbert", "DistilBertForSequenceClassification", "wordpiece-uncased", ["input_ids", "attention_mask"], 512, {"tokenizer_class": "DistilBertTokenizer", "do_lower_case": True}),
    "electra": ("electra", "ElectraForSequenceClassification", "wordpiece-uncased", ["input_ids", "attention_mask", "token_type_ids"], 512, {"tokenizer_class": "ElectraTokenizer", "do_lower_case": True}),
    "minilm": ("bert", "BertForSequenceClassification", "wordpiece-minilm", ["input_ids", "attention_mask", "token_type_ids"], 512, {"tokenizer_class": "BertTokenizer", "do_lower_case": True}),
    "roberta": ("roberta", "RobertaForSequenceClassification", "bpe-roberta", ["input_ids", "attention_mask"], 514, {"tokenizer_class": "RobertaTokenizer"}),
    "xlm-roberta": ("xlm-roberta", "XLMRobertaForSequenceClassification", "unigram-xlm-roberta", ["input_ids", "attention_mask"], 514, {"tokenizer_class": "XLMRobertaTokenizer"}),
    "albert": ("albert", "AlbertForSequenceClassification", "unigram-albert", ["input_ids", "attention_mask", "token_type_ids"], 512, {"tokenizer_class": "AlbertTokenizer", "do_lower_case": True, "keep_accents": False}),
    "deberta-v3": ("deberta-v2", "DebertaV2ForSequenceClassification", "unigram-deberta", ["input_ids", "attention_mask"], 512, {"tokenizer_class": "DebertaV2Tokenizer", "do_lower_case": False}),
    "modernbert": ("modernbert", "ModernBertForSequenceClassification", "bpe-modernbert", ["input_ids", "attention_mask"], 8192, {"tokenizer_class": "PreTrainedTokenizerFast"}),
}


def seed_of(name):
    return zlib.crc32(name.encode("utf-8")) & 0x7FFFFFFF


@functools.lru_cache(maxsize=None)
def make_tokenizer(kind):
    if kind == "wordpiece-uncased":
        return tj.wordpiece(CORPUS, lowercase=True, words_kept=500)
    if kind == "wordpiece-cased":
        return tj.wordpiece(CORPUS, lowercase=False, words_kept=500)
    if kind == "wordpiece-chinese":
        return tj.wordpiece(CORPUS, lowercase=True, words_kept=300, chinese=True)
    if kind == "wordpiece-minilm":
        return tj.wordpiece(CORPUS, lowercase=True, words_kept=400, bert_processing=True)
    if kind.startswith("bpe-"):
        return tj.byte_level_bpe(CORPUS, kind[4:])
    return tj.unigram(CORPUS, kind[len("unigram-"):])


def write_json(path, value):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, ensure_ascii=False, indent=1)
        f.write("\n")


def write_model(out, name, family, *, labels=2, logits=None, problem_type=None, id2label=True, variants=("",), root=False,
                external=False, int_type=TensorProto.INT64, extra_inputs=(), outputs="logits", max_positions=None,
                model_max_length=None):
    model_type, architecture, tokenizer_kind, inputs, positions, tok_extra = FAMILIES[family]
    positions = max_positions or positions
    tokenizer, vocab_size, special = make_tokenizer(tokenizer_kind)
    directory = os.path.join(out, name)
    os.makedirs(directory)
    names = LABELS.get(labels, [f"class_{i}" for i in range(labels)]) if problem_type != "regression" else ["score"]
    config = {"architectures": [architecture], "model_type": model_type, "vocab_size": vocab_size, "hidden_size": graphs.HIDDEN,
              "max_position_embeddings": positions, "pad_token_id": special["pad"][1],
              "type_vocab_size": 2 if "token_type_ids" in inputs else 0}
    if id2label:
        config["id2label"] = {str(i): label for i, label in enumerate(names)}
        config["label2id"] = {label: i for i, label in enumerate(names)}
    else:
        config["num_labels"] = labels
    if problem_type:
        config["problem_type"] = problem_type
    write_json(os.path.join(directory, "config.json"), config)
    write_json(os.path.join(directory, "tokenizer.json"), tokenizer)
    special_map = {f"{key}_token": token for key, (token, _) in special.items()}
    write_json(os.path.join(directory, "special_tokens_map.json"), special_map)
    write_json(os.path.join(directory, "tokenizer_config.json"), {
        **tok_extra, **special_map, "model_max_length": model_max_length or min(FAMILIES[family][4] - (2 if model_type in ("roberta", "xlm-roberta") else 0), 8192),
        "clean_up_tokenization_spaces": True})
    graph_dir = directory if root else os.path.join(directory, "onnx")
    os.makedirs(graph_dir, exist_ok=True)
    for variant in variants:
        quant = {"": None, "_fp16": "fp16", "_quantized": "uint8", "_int8": "int8", "_uint8": "uint8", "_q4": "q4", "_bnb4": "int8", "_q4f16": "q4"}[variant]
        model = graphs.classifier_graph(seed=seed_of(name), vocab_size=vocab_size, labels=1 if problem_type == "regression" else logits or labels,
                                        inputs=list(inputs) + list(extra_inputs), int_type=int_type, quant=quant,
                                        max_positions=positions, outputs=outputs)
        file = os.path.join(graph_dir, f"model{variant}.onnx")
        if external:
            onnx.save_model(model, file, save_as_external_data=True, all_tensors_to_one_file=True, location="model.onnx_data", size_threshold=1024)
        else:
            onnx.save_model(model, file)


def main(out):
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    for family in FAMILIES:
        write_model(out, family, family, labels=3 if family in ("roberta", "xlm-roberta") else 2)
    write_model(out, "bert-variants", "bert", labels=3, variants=("", "_quantized", "_int8", "_uint8", "_q4", "_fp16", "_bnb4"))
    write_model(out, "bert-fp16-only", "bert", variants=("_fp16",))
    write_model(out, "roberta-quantized-only", "roberta", labels=3, variants=("_quantized",))
    write_model(out, "bert-root", "bert", root=True)
    write_model(out, "bert-external-data", "bert", external=True)
    write_model(out, "bert-int32", "bert", int_type=TensorProto.INT32)
    write_model(out, "bert-position-ids", "bert", extra_inputs=["position_ids"])
    write_model(out, "roberta-position-ids", "roberta", labels=3, extra_inputs=["position_ids"])
    write_model(out, "bert-several-outputs", "bert", outputs="several")
    write_model(out, "bert-multi-label", "bert", labels=5, problem_type="multi_label_classification")
    write_model(out, "bert-regression", "bert", problem_type="regression")
    write_model(out, "bert-single-logit", "bert", labels=2, logits=1)
    write_model(out, "bert-no-id2label", "bert", labels=3, id2label=False)
    write_model(out, "bert-token-classification", "bert", labels=5, outputs="token")
    write_model(out, "roberta-window", "roberta", labels=3, max_positions=34)
    write_model(out, "bert-window", "bert", model_max_length=24)
    seq2seq = os.path.join(out, "bart-seq2seq")
    os.makedirs(os.path.join(seq2seq, "onnx"))
    shutil.copy(os.path.join(out, "roberta", "tokenizer.json"), seq2seq)
    shutil.copy(os.path.join(out, "roberta", "tokenizer_config.json"), seq2seq)
    write_json(os.path.join(seq2seq, "config.json"), {"architectures": ["BartForConditionalGeneration"], "model_type": "bart", "is_encoder_decoder": True,
                                                      "id2label": {"0": "LABEL_0", "1": "LABEL_1"}, "max_position_embeddings": 1024})
    vocab_size = len(json.load(open(os.path.join(seq2seq, "tokenizer.json")))["model"]["vocab"])
    onnx.save_model(graphs.seq2seq_graph(seed=1, vocab_size=vocab_size), os.path.join(seq2seq, "onnx", "model.onnx"))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
