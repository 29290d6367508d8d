"""Trains a bundled model and writes its complete model directory.

  scripts/train/train.sh sentiment --data ../shared/datasets/sst2 --out models/sentiment-sst2 --seed 0 [--set ...]
  scripts/train/train.sh news      --data ../shared/datasets/ag_news --out models/news-topic --seed 0 [--set ...]

(train.sh sets the thread and OpenBLAS environment and calls this file with /usr/bin/python3.)
`--set key=value` overrides a hyper-parameter of the task's defaults below; README.md lists the overrides
that produced the bundled models.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

# The model, loop, export and WordPiece modules are shared with the fine-tuning that ships in the extension.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "finetune"))

import card  # noqa: E402
import data  # noqa: E402
import export  # noqa: E402
import loop  # noqa: E402
import teachers as teaching  # noqa: E402
import word_cnn  # noqa: E402
from wordpiece import WordPiece, learn_vocab  # noqa: E402

BASE = {
    "vocab_size": 8000, "hidden_size": 128, "num_hidden_layers": 2, "num_attention_heads": 2,
    "intermediate_size": 512, "max_position_embeddings": 128, "layer_norm_eps": 1e-12,
    "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1, "classifier_dropout": 0.1,
    "lr": 1e-3, "batch_size": 64, "epochs": 1, "warmup": 0.1, "weight_decay": 0.01, "label_smoothing": 0.0,
    "ema": 0.0, "evals_per_epoch": 4, "select": "best",
    "teachers": 0, "teacher_epochs": 1, "tfidf_teacher": 0.0, "distill_alpha": 0.5, "sentence_weight": 1.0,
    "augment": 0, "augment_drop": 0.2, "augment_mix": 0, "mix_drop": 0.1, "mix_replace": 0.15, "mix_span": 0.3, "tfidf_ngrams": 2, "tfidf_c": 10.0, "tfidf_tokens": "[^\\s]+",
    "tfidf_char_teacher": 0.0, "cnn_teachers": 0, "cnn_epochs": 4, "cnn_dim": 200, "cnn_filters": 128,
    "cnn_widths": [1, 2, 3, 4, 5], "cnn_lr": 1e-3,
}
TASKS = {
    "sentiment": dict(BASE),
    "news": dict(BASE, epochs=8, batch_size=32, evals_per_epoch=1, select="last", tfidf_tokens=r"(?u)\b\w\w+\b"),
}


def load_task(task, data_dir):
    """-> (train texts, train labels, eval texts, eval labels, label names, split or None)."""
    data_dir = Path(data_dir)
    if task == "sentiment":
        train = data.read_sst2(data_dir / "train.tsv")
        dev = data.read_sst2(data_dir / "dev.tsv")
        return ([t for t, _ in train], [y for _, y in train], [t for t, _ in dev], [y for _, y in dev],
                data.SST2_LABELS, None)
    rows = data.read_ag_news(data_dir / "test.csv")
    train_idx, eval_idx = data.stratified_split([y for _, y in rows], 1500, 400, seed=0)
    split = {"source": "test.csv", "rows": len(rows), "seed": 0, "train": train_idx, "eval": eval_idx}
    return ([rows[i][0] for i in train_idx], [rows[i][1] for i in train_idx],
            [rows[i][0] for i in eval_idx], [rows[i][1] for i in eval_idx], data.AG_NEWS_LABELS, split)


def set_seeds(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def parse_value(text):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def evaluate_in_node(out_dir, texts, labels, seqs, logits, max_length):
    """Runs evaluate_onnx.mjs: accuracy of the exported files in onnxruntime-node, and the id check."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({"maxLength": max_length, "texts": texts, "labels": labels, "ids": seqs,
                   "logits": logits.tolist()}, f)
    try:
        result = subprocess.run(["node", str(Path(__file__).with_name("evaluate_onnx.mjs")), str(out_dir), f.name],
                                check=True, capture_output=True, text=True, env=dict(os.environ, OMP_NUM_THREADS="1"))
    finally:
        os.unlink(f.name)
    return json.loads(result.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("task", choices=sorted(TASKS))
    parser.add_argument("--data", required=True, help="dataset folder (sst2 or ag_news)")
    parser.add_argument("--out", required=True, help="model directory to write")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a hyper-parameter")
    args = parser.parse_args()
    cfg = dict(TASKS[args.task])
    for item in args.set:
        key, _, value = item.partition("=")
        if key not in cfg:
            parser.error(f"--set {item}: unknown hyper-parameter {key!r} (known: {', '.join(sorted(cfg))})")
        cfg[key] = parse_value(value)
    torch.set_num_threads(1)
    set_seeds(args.seed)
    started = time.time()

    train_texts, train_labels, eval_texts, eval_labels, label_names, split = load_task(args.task, args.data)
    cfg["num_labels"] = len(label_names)
    vocab = learn_vocab(train_texts, cfg["vocab_size"])
    cfg["vocab_size"] = len(vocab)
    tokenizer = WordPiece(vocab)
    max_length = cfg["max_position_embeddings"]
    train_seqs = [tokenizer.encode(t, max_length) for t in train_texts]
    eval_seqs = [tokenizer.encode(t, max_length) for t in eval_texts]
    print(f"{args.task}: {len(train_seqs)} training rows, {len(eval_seqs)} evaluation rows, vocabulary {len(vocab)}")

    # SST-2 train.tsv holds the sentences and all their sub-phrases: weighting and augmentation use the sentences.
    sentences = data.full_sentence_mask(train_texts) if args.task == "sentiment" else np.ones(len(train_texts), bool)
    weights = np.where(sentences, cfg["sentence_weight"], 1.0)
    student_texts, student_labels, student_seqs, student_weights = train_texts, train_labels, train_seqs, weights
    if cfg["augment"] or cfg["augment_mix"]:
        source = np.flatnonzero(sentences)
        source_texts = [train_texts[i] for i in source]
        extra = teaching.drop_words(source_texts, cfg["augment"], cfg["augment_drop"], seed=args.seed)
        extra += teaching.mix_words(source_texts, cfg["augment_mix"], cfg["mix_drop"], cfg["mix_replace"], cfg["mix_span"],
                                    seed=args.seed)
        copies = cfg["augment"] + cfg["augment_mix"]
        student_texts = train_texts + extra
        student_labels = train_labels + [train_labels[i] for i in source] * copies
        student_seqs = train_seqs + [tokenizer.encode(t, max_length) for t in extra]
        student_weights = np.concatenate([weights] + [weights[source]] * copies)
        kind = 'sentences' if args.task == 'sentiment' else 'texts'
        print(f"  {len(extra)} augmented rows of {len(source)} {kind}: {cfg['augment']} copies with words dropped "
              f"(p={cfg['augment_drop']}), {cfg['augment_mix']} with words dropped (p={cfg['mix_drop']}), replaced "
              f"(p={cfg['mix_replace']}) and cut to a span (p={cfg['mix_span']})")

    teachers, teacher_sum, teacher_weight = [], 0, 0.0
    teacher_cfg = dict(cfg, epochs=cfg["teacher_epochs"])
    for k in range(cfg["teachers"]):
        seed = args.seed * 1000 + k + 1
        print(f"teacher {k + 1}/{cfg['teachers']} (seed {seed})")
        teacher, info = loop.train(teacher_cfg, train_seqs, train_labels, eval_seqs, eval_labels, seed=seed,
                                   weights=weights)
        teacher_sum = teacher_sum + loop.predict_logits(teacher, student_seqs + eval_seqs).softmax(-1)
        teacher_weight += 1
        teachers.append({"name": f"BERT, seed {seed}", "eval_accuracy": float(loop.accuracy(teacher, eval_seqs, eval_labels)),
                         "selected_epoch": info["selected_epoch"]})
    for k in range(cfg["cnn_teachers"]):
        seed = args.seed * 1000 + 100 + k + 1
        print(f"word-CNN teacher {k + 1}/{cfg['cnn_teachers']} (seed {seed})")
        probabilities, accuracy, epoch = word_cnn.train_and_predict(
            cfg, train_texts, train_labels, eval_texts, eval_labels, student_texts + eval_texts, seed=seed)
        teacher_sum = teacher_sum + probabilities
        teacher_weight += 1
        teachers.append({"name": f"word CNN, seed {seed}", "eval_accuracy": accuracy, "selected_epoch": epoch})
    for weight, chars in ((cfg["tfidf_teacher"], False), (cfg["tfidf_char_teacher"], True)):
        if not weight:
            continue
        probabilities = teaching.tfidf_probabilities(train_texts, train_labels, student_texts + eval_texts,
                                                     cfg["tfidf_ngrams"], cfg["tfidf_c"], cfg["tfidf_tokens"], chars)
        accuracy = float((probabilities[len(student_texts):].argmax(-1).numpy() == np.asarray(eval_labels)).mean())
        teachers.append({"name": f"TF-IDF logistic regression, word 1-{cfg['tfidf_ngrams']}-grams"
                                 f"{' and character 2-5-grams' if chars else ''}, C={cfg['tfidf_c']} (weight {weight})",
                         "eval_accuracy": accuracy, "selected_epoch": "-"})
        teacher_sum = teacher_sum + weight * probabilities
        teacher_weight += weight
    soft_targets = None
    if teachers:
        average = teacher_sum / teacher_weight
        soft_targets = average[:len(student_seqs)]
        ensemble = float((average[len(student_seqs):].argmax(-1).numpy() == np.asarray(eval_labels)).mean())
        teachers.append({"name": "the averaged teachers (the distillation target)", "eval_accuracy": ensemble,
                         "selected_epoch": "-"})
    for t in teachers:
        print(f"  teacher {t['name']}: eval {t['eval_accuracy'] * 100:.2f} %")

    print("model" if not teachers else "student")
    model, info = loop.train(cfg, student_seqs, student_labels, eval_seqs, eval_labels, seed=args.seed,
                             soft_targets=soft_targets, weights=student_weights)
    training_seconds = round(time.time() - started)
    logits = loop.predict_logits(model, eval_seqs)
    torch_accuracy = float((logits.argmax(-1).numpy() == np.asarray(eval_labels)).mean())

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    export.export_onnx(model, out / "onnx" / "model.onnx")
    export.write_config(out, cfg, label_names)
    export.write_tokenizer(out, tokenizer, max_length)
    if split is not None:
        with open(out / "split.json", "w") as f:
            json.dump(split, f, separators=(",", ":"))
            f.write("\n")
    node = evaluate_in_node(out, eval_texts, eval_labels, eval_seqs, logits, max_length)
    if node["idMismatches"]:
        raise SystemExit(f"tokenizer.json gives other ids in Node than the Python tokenizer: {node['firstIdMismatches']}")
    print(f"PyTorch {torch_accuracy * 100:.2f} %, ONNX in Node {node['accuracy'] * 100:.2f} % "
          f"(macro-F1 {node['macroF1'] * 100:.2f}), max logit difference {node['maxLogitDiff']:.2g}")
    card.write(out, task=args.task, cfg=cfg, seed=args.seed, overrides=args.set, model=model,
               train_rows=len(student_seqs), eval_rows=len(eval_seqs), torch_accuracy=torch_accuracy, node=node,
               history=info["history"], selected_epoch=info["selected_epoch"], teachers=teachers,
               training_seconds=training_seconds)


if __name__ == "__main__":
    main()
