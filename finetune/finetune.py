"""Fine-tunes a whole BERT classifier on a labeled dataset. Started by Local Text Classifier's "pytorch"
training method (src/training/pytorch.ts), which writes the job file and reads the progress:

  /usr/bin/python3 finetune/finetune.py JOB.json

This folder is the Python that ships in the extension: this file and the modules beside it (the WordPiece
vocabulary builder, the model, the training loop and the ONNX export), which scripts/train/ (training the
bundled models, development only) imports too.

JOB.json: {"train": [[text, label index], ...], "validation": [...], "labels": [names], "out": dir,
           "seed": n, "base": model directory or null, "settings": {hyper-parameter overrides}}

With a base model made by these modules (the bundled models are) (its vocabulary, sizes and weights are read from its tokenizer.json,
config.json and onnx/model.onnx), every weight starts from the base and a new classifier is trained on top;
otherwise (no base, or a base of another architecture) a vocabulary is learned from the training texts and
the model starts from scratch. Progress goes to stdout as one JSON object per line ("event": "start",
"eval", "note", "done"); errors go to stderr. Writes onnx/model.onnx, config.json, tokenizer.json and
tokenizer_config.json into "out".
"""
import json
import re
import sys
import time
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import numpy_helper

import export
import loop
from model import BertForSequenceClassification
from wordpiece import WordPiece, learn_vocab

SCRATCH = {
    "vocab_size": 8000, "hidden_size": 128, "num_hidden_layers": 2, "num_attention_heads": 2,
    "intermediate_size": 512, "max_position_embeddings": 128, "layer_norm_eps": 1e-12,
    "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1, "classifier_dropout": 0.1,
    "lr": 1e-3, "batch_size": 32, "epochs": 6, "warmup": 0.1, "weight_decay": 0.01, "label_smoothing": 0.0,
    "ema": 0.0, "evals_per_epoch": 1, "select": "best",
}
# Starting from trained weights: fewer epochs. The step stays 1e-3: with the distilled sentiment-sst2 as the
# base, 5e-4 left 800 SMS rows at the majority baseline after 4 epochs (test 0.89; 1e-3: 0.97, 0.97 over 2 seeds).
FROM_BASE = dict(SCRATCH, epochs=4)
SIZE_KEYS = ["vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size",
             "max_position_embeddings", "layer_norm_eps"]
STEP_LINE = re.compile(r"step (\d+)/(\d+) epoch ([\d.]+) loss ([\d.]+) eval ([\d.]+) %")


def emit(event, **fields):
    print(json.dumps({"event": event, **fields}), flush=True)


def base_weights(base_dir, cfg):
    """The state dict of the pipeline's model, read from the base model's ONNX graph; None (with the reason)
    when the graph is not the pipeline's architecture. Linear layers exported as MatMul hold the transposed
    weight under a generated name; the node's output name carries the module path."""
    graph = onnx.load(str(Path(base_dir) / "onnx" / "model.onnx")).graph
    initializers = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    matmul_weight = {}
    for node in graph.node:
        if node.op_type == "MatMul" and node.output[0].endswith("/MatMul_output_0") and node.input[1] in initializers:
            module = node.output[0][1:-len("/MatMul_output_0")].replace("/", ".")
            matmul_weight[module + ".weight"] = initializers[node.input[1]].T
    model = BertForSequenceClassification(dict(cfg, num_labels=1))
    state = {}
    for key, tensor in model.state_dict().items():
        if key.startswith("classifier."):
            continue
        value = initializers.get(key, matmul_weight.get(key))
        if value is None or tuple(value.shape) != tuple(tensor.shape):
            return None, f"the base graph has no weight for {key} of shape {tuple(tensor.shape)}"
        state[key] = torch.from_numpy(np.array(value, dtype=np.float32))
    return state, None


def load_base(base_dir):
    """(cfg sizes, WordPiece) of a base model directory, or (None, reason)."""
    base = Path(base_dir)
    config = json.loads((base / "config.json").read_text(encoding="utf-8"))
    if config.get("model_type") != "bert" or config.get("type_vocab_size", 0) not in (0, None):
        return None, None, "the base model is not a BERT of the bundled-models pipeline"
    tokenizer = json.loads((base / "tokenizer.json").read_text(encoding="utf-8"))
    model = tokenizer.get("model", {})
    if model.get("type") != "WordPiece":
        return None, None, "the base tokenizer is not WordPiece"
    vocab = [token for token, _ in sorted(model["vocab"].items(), key=lambda item: item[1])]
    cfg = dict(FROM_BASE, **{key: config[key] for key in SIZE_KEYS if key in config})
    return cfg, WordPiece(vocab), None


def main():
    job = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    torch.set_num_threads(1)
    torch.manual_seed(job["seed"])
    np.random.seed(job["seed"])
    started = time.time()

    train_texts = [text for text, _ in job["train"]]
    train_labels = [label for _, label in job["train"]]
    eval_texts = [text for text, _ in job["validation"]]
    eval_labels = [label for _, label in job["validation"]]

    cfg, tokenizer, state = None, None, None
    if job.get("base"):
        cfg, tokenizer, reason = load_base(job["base"])
        if cfg is not None:
            state, reason = base_weights(job["base"], cfg)
        if state is None:
            emit("note", message=f"starting from scratch: {reason}")
            cfg, tokenizer = None, None
    if cfg is None:
        cfg = dict(SCRATCH)
        vocab = learn_vocab(train_texts, cfg["vocab_size"])
        cfg["vocab_size"] = len(vocab)
        tokenizer = WordPiece(vocab)
    for key, value in job.get("settings", {}).items():
        if key not in cfg:
            raise SystemExit(f"unknown hyper-parameter {key!r} (known: {', '.join(sorted(cfg))})")
        cfg[key] = value
    cfg["num_labels"] = len(job["labels"])

    max_length = cfg["max_position_embeddings"]
    train_seqs = [tokenizer.encode(t, max_length) for t in train_texts]
    eval_seqs = [tokenizer.encode(t, max_length) for t in eval_texts]
    steps = -(-len(train_seqs) // cfg["batch_size"]) * cfg["epochs"]
    emit("start", init="base" if state is not None else "scratch", train=len(train_seqs), validation=len(eval_seqs),
         epochs=cfg["epochs"], steps=steps, vocabulary=len(tokenizer.vocab), settings=cfg)

    def log(line):
        match = STEP_LINE.search(line)
        if match:
            step, total, epoch, loss, accuracy = match.groups()
            emit("eval", step=int(step), steps=int(total), epoch=float(epoch), loss=float(loss),
                 validation_accuracy=float(accuracy) / 100, seconds=round(time.time() - started, 1))
        else:
            emit("note", message=line.strip())

    if state is not None:
        # loop.train builds its model itself (seeded); this makes that model start from the base weights.
        class FromBase(BertForSequenceClassification):
            def __init__(self, model_cfg):
                super().__init__(model_cfg)
                self.load_state_dict(state, strict=False)

        loop.BertForSequenceClassification = FromBase
    model, info = loop.train(cfg, train_seqs, train_labels, eval_seqs, eval_labels, seed=job["seed"], log=log)

    out = Path(job["out"])
    export.export_onnx(model, out / "onnx" / "model.onnx")
    export.write_config(out, cfg, job["labels"])
    export.write_tokenizer(out, tokenizer, max_length)
    emit("done", selected_epoch=info["selected_epoch"], seconds=round(time.time() - started, 1), settings=cfg,
         init="base" if state is not None else "scratch", history=info["history"])


if __name__ == "__main__":
    main()
