"""A BERT encoder for sequence classification, written out so it exports to a plain ONNX graph.

Parameter names follow Hugging Face's BertForSequenceClassification (bert.embeddings..., bert.encoder.layer.N...,
bert.pooler.dense, classifier), so the exported initializers read like those of any Hub BERT export.
No token type embeddings: the graph takes input_ids and attention_mask only.
"""
import math

import torch
from torch import nn


class Linear(nn.Linear):
    """nn.Linear that exports as MatMul followed by Add(product, bias).

    PyTorch exports a linear layer on a 3-D input as Add(bias, MatMul); onnxruntime's attention
    fusion only recognises the bias as the Add's second input, so the layers it fuses are written
    this way round. Same parameters, same result.
    """

    def forward(self, x):
        return torch.matmul(x, self.weight.t()) + self.bias


class Embeddings(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.word_embeddings = nn.Embedding(cfg["vocab_size"], cfg["hidden_size"], padding_idx=0)
        self.position_embeddings = nn.Embedding(cfg["max_position_embeddings"], cfg["hidden_size"])
        self.LayerNorm = nn.LayerNorm(cfg["hidden_size"], eps=cfg["layer_norm_eps"])
        self.dropout = nn.Dropout(cfg["hidden_dropout_prob"])

    def forward(self, input_ids):
        positions = torch.arange(input_ids.shape[1], device=input_ids.device).unsqueeze(0)
        x = self.word_embeddings(input_ids) + self.position_embeddings(positions)
        return self.dropout(self.LayerNorm(x))


class SelfAttention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.heads = cfg["num_attention_heads"]
        self.head_size = cfg["hidden_size"] // self.heads
        self.query = Linear(cfg["hidden_size"], cfg["hidden_size"])
        self.key = Linear(cfg["hidden_size"], cfg["hidden_size"])
        self.value = Linear(cfg["hidden_size"], cfg["hidden_size"])
        self.dropout = nn.Dropout(cfg["attention_probs_dropout_prob"])

    def _split(self, x):
        b, t, _ = x.shape
        return x.view(b, t, self.heads, self.head_size).transpose(1, 2)

    def forward(self, x, additive_mask):
        q, k, v = self._split(self.query(x)), self._split(self.key(x)), self._split(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.head_size) + additive_mask
        context = (self.dropout(scores.softmax(-1)) @ v).transpose(1, 2)
        # The new shape read from the tensor being reshaped: onnxruntime folds it to (0, 0, hidden), which
        # its attention fusion requires.
        return context.reshape(context.shape[:2] + (self.heads * self.head_size,))


class DenseResidual(nn.Module):
    """BertSelfOutput / BertOutput: dense, dropout, residual, LayerNorm."""

    def __init__(self, cfg, in_size):
        super().__init__()
        self.dense = Linear(in_size, cfg["hidden_size"])
        self.LayerNorm = nn.LayerNorm(cfg["hidden_size"], eps=cfg["layer_norm_eps"])
        self.dropout = nn.Dropout(cfg["hidden_dropout_prob"])

    def forward(self, x, residual):
        return self.LayerNorm(self.dropout(self.dense(x)) + residual)


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.self = SelfAttention(cfg)
        self.output = DenseResidual(cfg, cfg["hidden_size"])

    def forward(self, x, additive_mask):
        return self.output(self.self(x, additive_mask), x)


class Intermediate(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.dense = Linear(cfg["hidden_size"], cfg["intermediate_size"])

    def forward(self, x):
        return nn.functional.gelu(self.dense(x))  # erf GELU, as BERT's "gelu"


class Layer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.attention = Attention(cfg)
        self.intermediate = Intermediate(cfg)
        self.output = DenseResidual(cfg, cfg["intermediate_size"])

    def forward(self, x, additive_mask):
        x = self.attention(x, additive_mask)
        return self.output(self.intermediate(x), x)


class Encoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.layer = nn.ModuleList(Layer(cfg) for _ in range(cfg["num_hidden_layers"]))

    def forward(self, x, additive_mask):
        for layer in self.layer:
            x = layer(x, additive_mask)
        return x


class Pooler(nn.Module):
    """The [CLS] vector through dense + tanh: the sentence representation the classifier reads."""

    def __init__(self, cfg):
        super().__init__()
        self.dense = nn.Linear(cfg["hidden_size"], cfg["hidden_size"])
        self.activation = nn.Tanh()

    def forward(self, hidden):
        return self.activation(self.dense(hidden[:, 0]))


class Bert(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.embeddings = Embeddings(cfg)
        self.encoder = Encoder(cfg)
        self.pooler = Pooler(cfg)

    def forward(self, input_ids, attention_mask):
        # 0 where attended, a large negative number where padded; broadcast over heads and query positions.
        additive_mask = (1.0 - attention_mask[:, None, None, :].to(torch.float32)) * -10000.0
        return self.pooler(self.encoder(self.embeddings(input_ids), additive_mask))


class BertForSequenceClassification(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.bert = Bert(cfg)
        self.dropout = nn.Dropout(cfg["classifier_dropout"])
        self.classifier = nn.Linear(cfg["hidden_size"], cfg["num_labels"])
        self.apply(self._init_weights)

    @staticmethod
    def _init_weights(module):
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, std=0.02)
        if isinstance(module, nn.Linear):
            nn.init.zeros_(module.bias)
        if isinstance(module, nn.Embedding) and module.padding_idx is not None:
            nn.init.zeros_(module.weight[module.padding_idx])

    def forward(self, input_ids, attention_mask):
        return self.classifier(self.dropout(self.bert(input_ids, attention_mask)))
