"""Soft targets for distillation: what the student learns to imitate besides the labels.

A bag-of-words teacher (TF-IDF of words and word pairs, logistic regression) and the averaged probabilities of
several BERT models trained with other seeds. Augmented copies of the training texts (random words dropped) carry
the teachers' view of texts the labels do not cover, which is where distillation helps most."""
import numpy as np
import torch
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression


def tfidf_probabilities(train_texts, train_labels, texts, ngrams, c, token_pattern):
    vectorizer = TfidfVectorizer(ngram_range=(1, ngrams), sublinear_tf=True, lowercase=True, token_pattern=token_pattern)
    features = vectorizer.fit_transform(train_texts)
    classifier = LogisticRegression(C=c, max_iter=2000).fit(features, train_labels)
    return torch.tensor(classifier.predict_proba(vectorizer.transform(texts)), dtype=torch.float32)


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
