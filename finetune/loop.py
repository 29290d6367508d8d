"""Training loop: length-bucketed batches, AdamW with warmup and linear decay, optional distillation targets,
per-example weights and an exponential moving average of the weights; picks the best evaluation checkpoint."""
import copy
import time

import numpy as np
import torch
import torch.nn.functional as F

from model import BertForSequenceClassification


def pad(sequences):
    width = max(len(s) for s in sequences)
    ids = torch.zeros((len(sequences), width), dtype=torch.int64)
    for i, s in enumerate(sequences):
        ids[i, :len(s)] = torch.tensor(s)
    return ids, (ids != 0).to(torch.int64)


def bucketed_batches(lengths, batch_size, rng):
    """Shuffled batches of similar length (little padding), in a shuffled order; deterministic given rng."""
    order = rng.permutation(len(lengths))
    batches = []
    chunk = batch_size * 50
    for start in range(0, len(order), chunk):
        part = sorted(order[start:start + chunk], key=lambda i: lengths[i])
        batches += [part[i:i + batch_size] for i in range(0, len(part), batch_size)]
    return [batches[i] for i in rng.permutation(len(batches))]


@torch.no_grad()
def predict_logits(model, sequences, batch_size=128):
    model.eval()
    order = sorted(range(len(sequences)), key=lambda i: len(sequences[i]))
    out = torch.zeros((len(sequences), model.classifier.out_features))
    for start in range(0, len(order), batch_size):
        rows = order[start:start + batch_size]
        ids, mask = pad([sequences[i] for i in rows])
        out[rows] = model(ids, mask)
    return out


def accuracy(model, sequences, labels):
    return (predict_logits(model, sequences).argmax(-1).numpy() == np.asarray(labels)).mean()


def train(cfg, train_seqs, train_labels, eval_seqs, eval_labels, seed, soft_targets=None, weights=None, log=print):
    """Returns (best model, history). soft_targets: [n, labels] probabilities to distil from (mixed with the
    hard labels by cfg['distill_alpha']); weights: per-example loss weights."""
    torch.manual_seed(seed)
    rng = np.random.RandomState(seed)
    model = BertForSequenceClassification(cfg)
    decay = [p for n, p in model.named_parameters() if p.dim() > 1 and "LayerNorm" not in n]
    no_decay = [p for n, p in model.named_parameters() if not (p.dim() > 1 and "LayerNorm" not in n)]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": cfg["weight_decay"]},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=cfg["lr"], betas=(0.9, 0.98))
    lengths = [len(s) for s in train_seqs]
    steps_per_epoch = -(-len(train_seqs) // cfg["batch_size"])
    total = int(steps_per_epoch * cfg["epochs"])
    warmup = int(total * cfg["warmup"])
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / max(1, warmup), max(0.0, (total - s) / max(1, total - warmup))))
    labels = torch.tensor(train_labels)
    weights = torch.ones(len(train_seqs)) if weights is None else torch.as_tensor(weights, dtype=torch.float32)
    ema = copy.deepcopy(model) if cfg["ema"] else None
    evals_per_epoch = cfg["evals_per_epoch"]
    best = (-1.0, None, None)
    history = []
    step, started = 0, time.time()
    while step < total:
        for batch in bucketed_batches(lengths, cfg["batch_size"], rng):
            if step >= total:
                break
            model.train()
            ids, mask = pad([train_seqs[i] for i in batch])
            logits = model(ids, mask)
            w = weights[batch]
            loss = F.cross_entropy(logits, labels[batch], reduction="none", label_smoothing=cfg["label_smoothing"])
            if soft_targets is not None:
                soft = -(soft_targets[batch] * F.log_softmax(logits, -1)).sum(-1)
                loss = cfg["distill_alpha"] * soft + (1 - cfg["distill_alpha"]) * loss
            loss = (loss * w).sum() / w.sum()
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            step += 1
            if ema is not None:
                decay = min(cfg["ema"], (1 + step) / (10 + step))  # short memory early: no weight of the init lingers
                with torch.no_grad():
                    for e, p in zip(ema.parameters(), model.parameters()):
                        e.mul_(decay).add_(p, alpha=1 - decay)
            if step % max(1, steps_per_epoch // evals_per_epoch) == 0 or step == total:
                candidate = ema if ema is not None else model
                acc = accuracy(candidate, eval_seqs, eval_labels)
                history.append({"step": step, "epoch": round(step / steps_per_epoch, 2), "eval_accuracy": float(acc),
                                "seconds": round(time.time() - started)})
                log(f"  step {step}/{total} epoch {step / steps_per_epoch:.2f} loss {loss.item():.4f} "
                    f"eval {acc * 100:.2f} % ({time.time() - started:.0f} s)")
                if cfg["select"] == "last" or acc > best[0]:
                    best = (acc, copy.deepcopy(candidate.state_dict()), f"{history[-1]['epoch']} (step {step})")
    model.load_state_dict(best[1])
    model.eval()
    return model, {"history": history, "selected_epoch": best[2], "seconds": round(time.time() - started)}
