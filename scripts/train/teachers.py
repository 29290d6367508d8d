"""Soft targets for distillation: what the student learns to imitate besides the labels.

Bag-of-n-grams teachers (TF-IDF of word n-grams, optionally with character n-grams, logistic regression); the
BERT and word-CNN teachers are trained by loop.py and word_cnn.py. Augmented copies of the training texts
(random words dropped, or dropped, replaced and cut to a span) carry the teachers' view of texts the labels do
not cover, which is where distillation helps most."""
import numpy as np
import torch
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression


def tfidf_probabilities(train_texts, train_labels, texts, ngrams, c, token_pattern, chars=False):
    """Logistic regression on TF-IDF of word 1-to-ngrams, plus character 2-5-grams within words when chars."""
    vectorizers = [TfidfVectorizer(ngram_range=(1, ngrams), sublinear_tf=True, lowercase=True, token_pattern=token_pattern)]
    if chars:
        vectorizers.append(TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, lowercase=True))
    features = hstack([v.fit_transform(train_texts) for v in vectorizers]).tocsr()
    classifier = LogisticRegression(C=c, max_iter=2000).fit(features, train_labels)
    inputs = hstack([v.transform(texts) for v in vectorizers]).tocsr()
    return torch.tensor(classifier.predict_proba(inputs), dtype=torch.float32)


def drop_words(texts, copies, drop_prob, seed):
    """copies variants of each text with each whitespace-separated word dropped with drop_prob (at least one kept)."""
    rng = np.random.RandomState(seed)
    variants = []
    for _ in range(copies):
        for text in texts:
            words = text.split()
            keep = rng.random_sample(len(words)) >= drop_prob
            if not keep.any():
                keep[rng.randint(len(words))] = True
            variants.append(" ".join(w for w, k in zip(words, keep) if k))
    return variants


def mix_words(texts, copies, drop_prob, replace_prob, span_prob, seed):
    """copies variants of each text as in Tang et al. 2019 ("Distilling task-specific knowledge from BERT into
    simple neural networks"): each word dropped with drop_prob or replaced with replace_prob by a word drawn from
    all the texts' words (so by frequency), then with span_prob only a random contiguous span of at least a third
    of the words kept. The variants are new sentences the teachers label; the labels are not needed."""
    rng = np.random.RandomState(seed)
    pool = [w for t in texts for w in t.split()]
    variants = []
    for _ in range(copies):
        for text in texts:
            words = []
            for word in text.split():
                r = rng.random_sample()
                if r < drop_prob:
                    continue
                words.append(pool[rng.randint(len(pool))] if r < drop_prob + replace_prob else word)
            if not words:
                words = text.split()[:1]
            if len(words) > 2 and rng.random_sample() < span_prob:
                length = rng.randint(max(1, len(words) // 3), len(words) + 1)
                start = rng.randint(0, len(words) - length + 1)
                words = words[start:start + length]
            variants.append(" ".join(words))
    return variants
