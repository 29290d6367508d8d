"""Dataset readers and the deterministic AG News split. Every row is kept or reported, never dropped silently."""
import csv
import random
from pathlib import Path

import numpy as np

SST2_LABELS = ["negative", "positive"]
AG_NEWS_LABELS = ["World", "Sports", "Business", "Sci/Tech"]


def read_sst2(path):
    """GLUE SST-2 TSV (header `sentence<TAB>label`) -> list of (text, label)."""
    path = Path(path)
    rows = []
    with path.open(encoding="utf-8") as f:
        header = f.readline().rstrip("\n")
        if header.split("\t") != ["sentence", "label"]:
            raise ValueError(f"{path}:1: expected header 'sentence<TAB>label', got {header!r}")
        for line_no, line in enumerate(f, start=2):
            parts = line.rstrip("\n").rsplit("\t", 1)
            if len(parts) != 2 or parts[1] not in ("0", "1"):
                raise ValueError(f"{path}:{line_no}: expected '<sentence><TAB><0|1>', got {line!r}")
            rows.append((parts[0].strip(), int(parts[1])))
    return rows


def ag_news_text(title, description):
    """The text a news row is classified by: title and description joined by one space (same in the Node check)."""
    return f"{title} {description}"


def read_ag_news(path):
    """AG News CSV (class 1-4, title, description; no header) -> list of (text, label 0-3), in file order."""
    path = Path(path)
    rows = []
    with path.open(encoding="utf-8", newline="") as f:
        for line_no, record in enumerate(csv.reader(f), start=1):
            if len(record) != 3 or record[0] not in ("1", "2", "3", "4"):
                raise ValueError(f"{path}:{line_no}: expected 3 fields with class 1-4, got {record!r}")
            rows.append((ag_news_text(record[1], record[2]), int(record[0]) - 1))
    return rows


def stratified_split(labels, train_per_class, eval_per_class, seed):
    """Row indices for train and eval: per class, shuffle its rows with random.Random(seed) and take the
    first train_per_class for training, the next eval_per_class for evaluation. Both lists are sorted."""
    rng = random.Random(seed)
    train, evaluation = [], []
    for label in sorted(set(labels)):
        rows = [i for i, y in enumerate(labels) if y == label]
        if len(rows) < train_per_class + eval_per_class:
            raise ValueError(f"class {label} has {len(rows)} rows, fewer than {train_per_class}+{eval_per_class}")
        rng.shuffle(rows)
        train += rows[:train_per_class]
        evaluation += rows[train_per_class:train_per_class + eval_per_class]
    return sorted(train), sorted(evaluation)


def full_sentence_mask(texts):
    """SST-2 train.tsv holds every phrase of a parse tree as its own row; a row is a full sentence when it is
    no contiguous word span of another row. Dev holds full sentences only."""
    spans = set()
    for text in texts:
        words = text.split()
        for i in range(len(words)):
            for j in range(i + 1, len(words) + 1):
                if j - i < len(words):
                    spans.add(" ".join(words[i:j]))
    return np.array([t not in spans for t in texts])
