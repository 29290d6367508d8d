"""Writes the benchmark's real-size models: seeded random weights, the bundled tokenizer, the bundled export.

  /usr/bin/python3 scripts/bench/sizes/make_models.py [--out DIR] [NAME ...]

NAME is one of SIZES below (default: all). Each model is a complete model directory under DIR (default
.cache/size-models, git-ignored): config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx,
generator.json. The weights are random (model.py's initialisation, seeded), so the labels mean nothing;
what the models are for is their size. They are exported exactly like the bundled models
(finetune/model.py and export.py), and use models/sentiment-sst2's tokenizer files unchanged, so
the model window stays 128 tokens (its tokenizer_config.json) and longer texts are split into windows.

A directory is reused when its generator.json holds the same hash of this file, model.py, export.py and
the tokenizer files; otherwise it is written again (into a temporary directory, then renamed). Prints
{"name": "directory", ...} as JSON on stdout.
"""
import argparse
import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
TRAIN = REPO / "finetune"  # the model and export modules the bundled models are made with
TOKENIZER_SOURCE = REPO / "models" / "sentiment-sst2"
TOKENIZER_FILES = ["tokenizer.json", "tokenizer_config.json"]
SEED = 20261205

# Widths of BERT-base; DistilBERT has the same widths and half the layers. The bundled vocabulary
# (8,000 tokens) replaces BERT's 30,522, so the 12-layer model has 92 M parameters instead of 110 M.
COMMON = {
    "hidden_size": 768, "num_attention_heads": 12, "intermediate_size": 3072, "max_position_embeddings": 512,
    "layer_norm_eps": 1e-12, "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
    "classifier_dropout": 0.1,
}
SIZES = {
    "bert-base": dict(COMMON, num_hidden_layers=12),
    "distilbert": dict(COMMON, num_hidden_layers=6),
}
LABELS = ["negative", "positive"]


def generator_hash():
    digest = hashlib.sha256()
    for file in [Path(__file__), TRAIN / "model.py", TRAIN / "export.py"] + [TOKENIZER_SOURCE / f for f in TOKENIZER_FILES]:
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def is_current(model_dir, key):
    marker = model_dir / "generator.json"
    if not marker.exists() or not (model_dir / "onnx" / "model.onnx").exists():
        return False
    return json.loads(marker.read_text()).get("generatorHash") == key


def center_decision(model, vocab, torch):
    """Shifts the classifier's bias so that random token sequences fall on both sides of the decision.

    With random weights every text gets nearly the same pooled vector, and the classifier's random
    weights put all of them on one label; a benchmark that counts label mismatches (fp32 against int8,
    engine against Transformers.js) learns nothing from a model that always answers the same. Centering
    on the median logit difference of seeded random sequences ([CLS] ids [SEP], 5 to 40 tokens) makes
    the two labels about equally common.
    """
    generator = torch.Generator().manual_seed(SEED)
    rows, width = 256, 42
    ids = torch.randint(5, len(vocab), (rows, width), generator=generator)
    lengths = torch.randint(5, width - 1, (rows, 1), generator=generator)
    positions = torch.arange(width)[None, :]
    ids[:, 0] = vocab["[CLS]"]
    ids = torch.where(positions == lengths + 1, torch.tensor(vocab["[SEP]"]), ids)
    mask = (positions <= lengths + 1).to(torch.int64)
    model.eval()
    with torch.no_grad():
        logits = model(ids * mask, mask)
        shift = (logits[:, 1] - logits[:, 0]).median() / 2
        model.classifier.bias[0] += shift
        model.classifier.bias[1] -= shift


def write_model(name, out_dir, key):
    # Torch is imported only when a model is written: a cached run stays fast. OpenBLAS misdetects this
    # VM's CPU (TRAINING-NOTES.md); these settings are for this process only.
    os.environ.setdefault("OPENBLAS_CORETYPE", "SkylakeX")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")
    sys.path.insert(0, str(TRAIN))
    import torch
    import export
    from model import BertForSequenceClassification

    vocab = json.loads((TOKENIZER_SOURCE / "tokenizer.json").read_text(encoding="utf-8"))["model"]["vocab"]
    cfg = dict(SIZES[name], vocab_size=len(vocab), num_labels=len(LABELS))
    torch.manual_seed(SEED + cfg["num_hidden_layers"])
    model = BertForSequenceClassification(cfg)
    center_decision(model, vocab, torch)
    parameters = sum(p.numel() for p in model.parameters())

    staging = out_dir.parent / f".{out_dir.name}.tmp-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    export.export_onnx(model, staging / "onnx" / "model.onnx")
    export.write_config(staging, cfg, LABELS)
    for file in TOKENIZER_FILES:
        shutil.copyfile(TOKENIZER_SOURCE / file, staging / file)
    (staging / "generator.json").write_text(json.dumps({
        "generatorHash": key, "seed": SEED + cfg["num_hidden_layers"], "parameters": parameters,
        "note": "random weights for benchmarks (scripts/bench/sizes/make_models.py); the labels mean nothing",
    }, indent=2) + "\n")
    shutil.rmtree(out_dir, ignore_errors=True)
    staging.rename(out_dir)
    print(f"wrote {out_dir}: {cfg['num_hidden_layers']} layers, {parameters / 1e6:.1f} M parameters", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(REPO / ".cache" / "size-models"))
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"one of {', '.join(SIZES)} (default: all)")
    args = parser.parse_args()
    unknown = [name for name in args.names if name not in SIZES]
    if unknown:
        parser.error(f"unknown model {', '.join(unknown)}: choose from {', '.join(SIZES)}")
    key = generator_hash()
    written = {}
    for name in args.names or list(SIZES):
        model_dir = Path(args.out).resolve() / name
        if not is_current(model_dir, key):
            write_model(name, model_dir, key)
        written[name] = str(model_dir)
    print(json.dumps(written))


if __name__ == "__main__":
    main()
