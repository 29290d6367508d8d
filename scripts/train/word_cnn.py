"""A word-level convolutional teacher (Kim 2014, randomly initialised embeddings): a different view of the text
than the WordPiece BERT (whole words, n-gram filters, max over positions), so its mistakes differ and the averaged
teachers improve. Teachers are not shipped; only their predictions on the student's training texts are used."""
import collections
import copy
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from loop import bucketed_batches
from wordpiece import words_of

PAD, UNK = 0, 1


class WordVocabulary:
    """Every word of the training texts (lowercased, punctuation split off as by the BERT pre-tokenizer)."""

    def __init__(self, texts):
        counts = collections.Counter(w for t in texts for w in words_of(t))
        self.ids = {w: i + 2 for i, w in enumerate(sorted(counts))}

    def __len__(self):
        return len(self.ids) + 2

    def encode(self, text):
        return [self.ids.get(w, UNK) for w in words_of(text)] or [UNK]


class WordCNN(nn.Module):
    def __init__(self, vocab_size, num_labels, dim, filters, widths, dropout):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, dim, padding_idx=PAD)
        self.convs = nn.ModuleList(nn.Conv1d(dim, filters, w, padding=w - 1) for w in widths)
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(filters * len(widths), num_labels)

    def forward(self, ids):
        x = self.embedding(ids).transpose(1, 2)
        padded = (ids == PAD)[:, None, :]
        features = [F.relu(conv(x))[:, :, :ids.shape[1]].masked_fill(padded, -1e4).max(-1).values for conv in self.convs]
        return self.out(self.dropout(torch.cat(features, 1)))


def _pad(rows):
    ids = torch.zeros((len(rows), max(len(r) for r in rows)), dtype=torch.int64)
    for i, r in enumerate(rows):
        ids[i, :len(r)] = torch.tensor(r)
    return ids


@torch.no_grad()
def _probabilities(model, rows, batch_size=256):
    model.eval()
    order = sorted(range(len(rows)), key=lambda i: len(rows[i]))
    out = torch.zeros((len(rows), model.out.out_features))
    for start in range(0, len(order), batch_size):
        batch = order[start:start + batch_size]
        out[batch] = model(_pad([rows[i] for i in batch])).softmax(-1)
    return out


def train_and_predict(cfg, train_texts, train_labels, eval_texts, eval_labels, texts, seed, log=print):
    """Trains on the training texts (Adam, linear decay, 4 evaluations per epoch, the best kept) and returns
    (probabilities for texts, eval accuracy, selected epoch)."""
    torch.manual_seed(seed)
    rng = np.random.RandomState(seed)
    vocab = WordVocabulary(train_texts)
    train_rows = [vocab.encode(t) for t in train_texts]
    eval_rows = [vocab.encode(t) for t in eval_texts]
    model = WordCNN(len(vocab), cfg["num_labels"], cfg["cnn_dim"], cfg["cnn_filters"], cfg["cnn_widths"], 0.5)
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg["cnn_lr"])
    steps_per_epoch = -(-len(train_rows) // cfg["batch_size"])
    total = steps_per_epoch * cfg["cnn_epochs"]
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: 1 - s / total)
    labels = torch.tensor(train_labels)
    lengths = [len(r) for r in train_rows]
    best = (-1.0, None, None)
    step, started = 0, time.time()
    for _ in range(cfg["cnn_epochs"]):
        for batch in bucketed_batches(lengths, cfg["batch_size"], rng):
            model.train()
            loss = F.cross_entropy(model(_pad([train_rows[i] for i in batch])), labels[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            step += 1
            if step % (steps_per_epoch // 4) == 0 or step == total:
                accuracy = float((_probabilities(model, eval_rows).argmax(-1).numpy() == np.asarray(eval_labels)).mean())
                log(f"  step {step}/{total} epoch {step / steps_per_epoch:.2f} eval {accuracy * 100:.2f} % "
                    f"({time.time() - started:.0f} s)")
                if accuracy > best[0]:
                    best = (accuracy, copy.deepcopy(model.state_dict()), f"{step / steps_per_epoch:.2f} (step {step})")
    model.load_state_dict(best[1])
    return _probabilities(model, [vocab.encode(t) for t in texts]), best[0], best[2]
