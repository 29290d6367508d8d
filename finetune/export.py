"""Writes the model directory: onnx/model.onnx, config.json, tokenizer.json, tokenizer_config.json."""
import json
from pathlib import Path

import onnx
import torch

# The tensor that feeds the classifier gets the name Hugging Face uses for it, so tools that read the
# sentence representation out of the graph (e.g. for a new classifier head) can find it.
POOLED_OUTPUT = "pooler_output"


def export_onnx(model, path, opset=12):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    model.eval()
    ids = torch.tensor([[2, 7, 8, 3], [2, 9, 3, 0]], dtype=torch.int64)
    mask = (ids != 0).to(torch.int64)
    torch.onnx.export(
        model, (ids, mask), str(path), opset_version=opset,
        input_names=["input_ids", "attention_mask"], output_names=["logits"],
        dynamic_axes={"input_ids": {0: "batch_size", 1: "sequence_length"},
                      "attention_mask": {0: "batch_size", 1: "sequence_length"},
                      "logits": {0: "batch_size"}},
        do_constant_folding=True)
    graph_model = onnx.load(str(path))
    _name_pooled_output(graph_model.graph)
    onnx.checker.check_model(graph_model)
    onnx.save(graph_model, str(path))


def _name_pooled_output(graph):
    """Renames the output of the pooler's Tanh (the input of the classifier's Gemm) to POOLED_OUTPUT."""
    tanh = [n for n in graph.node if n.op_type == "Tanh"]
    if len(tanh) != 1:
        raise RuntimeError(f"expected one Tanh node (the pooler) in the exported graph, found {len(tanh)}")
    old = tanh[0].output[0]
    for node in graph.node:
        node.output[:] = [POOLED_OUTPUT if o == old else o for o in node.output]
        node.input[:] = [POOLED_OUTPUT if i == old else i for i in node.input]
    classifier = [n for n in graph.node if POOLED_OUTPUT in n.input]
    weights = {i.name for i in graph.initializer}
    if len(classifier) != 1 or not {"classifier.weight", "classifier.bias"} <= set(classifier[0].input) & weights:
        raise RuntimeError("the pooled output does not feed one node with classifier.weight/classifier.bias")


def write_config(out_dir, cfg, labels):
    config = {
        "architectures": ["BertForSequenceClassification"],
        "model_type": "bert",
        "problem_type": "single_label_classification",
        "id2label": {str(i): name for i, name in enumerate(labels)},
        "label2id": {name: i for i, name in enumerate(labels)},
        "vocab_size": cfg["vocab_size"],
        "hidden_size": cfg["hidden_size"],
        "num_hidden_layers": cfg["num_hidden_layers"],
        "num_attention_heads": cfg["num_attention_heads"],
        "intermediate_size": cfg["intermediate_size"],
        "hidden_act": "gelu",
        "hidden_dropout_prob": cfg["hidden_dropout_prob"],
        "attention_probs_dropout_prob": cfg["attention_probs_dropout_prob"],
        "classifier_dropout": cfg["classifier_dropout"],
        "max_position_embeddings": cfg["max_position_embeddings"],
        "type_vocab_size": 0,
        "layer_norm_eps": cfg["layer_norm_eps"],
        "initializer_range": 0.02,
        "pad_token_id": 0,
        "position_embedding_type": "absolute",
    }
    _write_json(Path(out_dir) / "config.json", config)


def write_tokenizer(out_dir, wordpiece, max_length):
    wordpiece.save(Path(out_dir) / "tokenizer.json")
    _write_json(Path(out_dir) / "tokenizer_config.json", {
        "tokenizer_class": "BertTokenizerFast",
        "do_lower_case": True,
        "model_max_length": max_length,
        "unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]", "cls_token": "[CLS]",
        "mask_token": "[MASK]",
    })


def _write_json(path, value):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, ensure_ascii=False, indent=2)
        f.write("\n")
