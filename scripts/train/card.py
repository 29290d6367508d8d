"""Writes MODEL_CARD.md from what the run measured. The experiment log of each task lives in
experiments/<task>.md (kept by hand, one row per run) and is copied into the card."""
import json
import platform
import subprocess
from pathlib import Path

import onnx

DESCRIPTIONS = {
    "sentiment": {
        "title": "sentiment-sst2: binary sentiment (negative, positive), a small BERT trained from scratch",
        "data": "SST-2 (GLUE Stanford Sentiment Treebank, binary). Trained on `train.tsv` (67,349 rows: full "
                "sentences and all their sub-phrases from the parse trees), evaluated and selected on `dev.tsv` "
                "(872 full sentences). The vocabulary is learned from `train.tsv` only.",
        "eval_name": "SST-2 dev.tsv (872 rows)",
        "data_arg": "../shared/datasets/sst2",
        "use": "English movie-review style sentences and short paragraphs. Lowercases its input. Trained on "
               "movie reviews only: other domains (product reviews, tweets, news) will be less accurate; sarcasm, "
               "negation over long spans and mixed sentiment are its typical mistakes. Texts longer than 128 "
               "tokens must be split into windows (the engine does this).",
    },
    "news": {
        "title": "news-topic: news topic (World, Sports, Business, Sci/Tech), a small BERT trained from scratch",
        "data": "AG News (Zhang, Zhao, LeCun 2015), test split only (7,600 rows, 1,900 per class; the train split "
                "is not available here). Deterministic stratified split with `random.Random(0)`: per class, the "
                "rows are shuffled and the first 1,500 go to training, the next 400 to evaluation, so every row "
                "is used exactly once (6,000 train, 1,600 eval). The row indices (0-based lines of `test.csv`) are "
                "in `split.json` (`train`, `eval`). Each text is the title and the description joined by one "
                "space, as they are in the file (no unescaping). The vocabulary is learned from the 6,000 training "
                "rows only.",
        "eval_name": "AG News test.csv, 1,600 held-out rows (split.json `eval`)",
        "data_arg": "../shared/datasets/ag_news",
        "use": "English news headlines and short news paragraphs of 2004-2005 style. Lowercases its input. Four "
               "topics only: anything else is forced into one of them. Trained on 6,000 rows, so rare topics and "
               "names outside that vocabulary are weak. Texts longer than 128 tokens must be split into windows.",
    },
}


def _sizes(out):
    return {p.relative_to(out).as_posix(): p.stat().st_size for p in sorted(out.rglob("*")) if p.is_file()
            and p.name != "MODEL_CARD.md"}


def _opset(onnx_file):
    return next(o.version for o in onnx.load(str(onnx_file), load_external_data=False).opset_import if o.domain in ("", "ai.onnx"))


def _cpu():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def write(out, task, cfg, seed, overrides, model, train_rows, eval_rows, torch_accuracy, node, history, selected_epoch,
          teachers, training_seconds):
    out = Path(out)
    d = DESCRIPTIONS[task]
    params = sum(p.numel() for p in model.parameters())
    metrics = {"eval_set": d["eval_name"], "rows": node["rows"], "accuracy": round(node["accuracy"], 6),
               "macro_f1": round(node["macroF1"], 6), "pytorch_accuracy": round(torch_accuracy, 6),
               "max_length": cfg["max_position_embeddings"]}
    command = " ".join([f"scripts/train/train.sh {task} --data {d['data_arg']} --out {out.as_posix()} --seed {seed}"]
                       + [f"--set {item}" for item in overrides])
    experiments = Path(__file__).with_name("experiments") / f"{task}.md"
    lines = [
        f"# {d['title']}", "",
        "Bundled with Local Text Classifier. Every file in this directory was written by `scripts/train/` "
        "(nothing hand-edited).", "",
        "## Metrics (machine-readable, measured by loading `onnx/model.onnx` in onnxruntime-node with "
        "`tokenizer.json` in the npm `tokenizers` package)", "",
        "```json", json.dumps(metrics, indent=2), "```", "",
        f"Accuracy (ONNX, eval set): {node['accuracy'] * 100:.2f} %  ",
        f"Macro-F1 (ONNX, eval set): {node['macroF1'] * 100:.2f} %  ",
        f"PyTorch accuracy of the same weights: {torch_accuracy * 100:.2f} %; largest logit difference between "
        f"PyTorch and ONNX: {node['maxLogitDiff']:.2g}; tokenizer ids identical in Python and Node on all "
        f"{node['rows']} evaluation texts.", "",
        "## Data", "", d["data"], "",
        "## Training command", "",
        "```sh", command, "```", "",
        f"Seeded (`--seed {seed}`: Python, NumPy and torch seeds, deterministic batch order). `train.sh` sets "
        "`OPENBLAS_NUM_THREADS=2 OPENBLAS_CORETYPE=SkylakeX` and the script uses one torch thread.", "",
        f"Training time: {training_seconds} s wall-clock for the whole run (vocabulary, "
        f"{'%d teacher(s), ' % (len(teachers) - 1) if teachers else ''}model, evaluation) on {_cpu()}, 2 cores shared "
        "with other work at the time, so a quiet machine is faster.", "",
        "## Architecture", "",
        f"BERT encoder trained from scratch (no pre-training): {cfg['num_hidden_layers']} layers, hidden size "
        f"{cfg['hidden_size']}, {cfg['num_attention_heads']} attention heads, feed-forward {cfg['intermediate_size']}, "
        f"vocabulary {cfg['vocab_size']} WordPiece tokens, {cfg['max_position_embeddings']} positions, no token type "
        f"embeddings. {params:,} parameters. The classifier reads the pooled [CLS] vector (dense + tanh, graph "
        "tensor `pooler_output`) through `classifier.weight` / `classifier.bias` (Gemm).", "",
        f"ONNX (opset {_opset(out / 'onnx' / 'model.onnx')}): inputs `input_ids`, `attention_mask` (int64, [batch, sequence]), output `logits` "
        f"[batch, {cfg['num_labels']}]; single-label, so softmax gives the probabilities.", "",
        "Hyper-parameters: " + ", ".join(f"`{k}={v}`" for k, v in sorted(cfg.items())), "",
        "## Files", "",
        "| file | bytes |", "| --- | --- |",
        *[f"| {name} | {size:,} |" for name, size in _sizes(out).items()], "",
        "## This run", "",
    ]
    if teachers:
        lines += ["Distilled from the averaged probabilities of these teachers (BERT teachers have this model's shape "
                  "and their own seed; word-CNN teachers are convolutional networks over whole words with randomly "
                  "initialised embeddings, `word_cnn.py`; TF-IDF teachers are scikit-learn logistic regressions on "
                  "n-gram TF-IDF of the training texts). Teachers are not shipped; the BERT and word-CNN teachers "
                  "keep their checkpoint of the best evaluation accuracy (BERT teachers with `select=best`):", "",
                  "| teacher | eval accuracy | epoch |", "| --- | --- | --- |",
                  *[f"| {t['name']} | {t['eval_accuracy'] * 100:.2f} % | {t['selected_epoch']} |" for t in teachers], ""]
    lines += [f"Evaluation during training (PyTorch); the checkpoint of epoch {selected_epoch} was exported:", "",
              "| step | epoch | eval accuracy | seconds |", "| --- | --- | --- | --- |",
              *[f"| {h['step']} | {h['epoch']} | {h['eval_accuracy'] * 100:.2f} % | {h['seconds']} |" for h in history], ""]
    if experiments.exists():
        lines += ["## Experiments", "", experiments.read_text().strip(), ""]
    lines += ["## Intended use and limits", "", d["use"], ""]
    (out / "MODEL_CARD.md").write_text("\n".join(lines))
