"""Re-exports a model directory written by train.py with the current export code, without retraining.

Loads the weights of <model dir>/onnx/model.onnx back into finetune/model.py's
BertForSequenceClassification (initializers named after the parameters; a MatMul's weight, which the export
stores transposed under a generated name, is found through its node's name, e.g.
/bert/encoder/layer.0/attention/self/query/MatMul), exports it with finetune/export.py into <out dir>, copies
the directory's other files, and checks that both graphs give the same logits in PyTorch. For trying an export change on the shipped models; the shipped models
themselves are written by train.py.

Usage: python3 reexport.py <model dir> <out dir>
"""
import argparse
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import numpy_helper

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "finetune"))

import export  # noqa: E402
from model import BertForSequenceClassification  # noqa: E402


def config_of(model_dir):
    config = json.loads((Path(model_dir) / "config.json").read_text())
    keys = ["vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size",
            "hidden_dropout_prob", "attention_probs_dropout_prob", "classifier_dropout", "max_position_embeddings",
            "layer_norm_eps"]
    cfg = {key: config[key] for key in keys}
    cfg["num_labels"] = len(config["id2label"])
    return cfg


def state_dict_of(onnx_file):
    graph = onnx.load(str(onnx_file)).graph
    initializers = {tensor.name: numpy_helper.to_array(tensor) for tensor in graph.initializer}
    state = {name: value for name, value in initializers.items() if not name.startswith("onnx::")}
    for node in graph.node:
        if node.op_type == "MatMul" and node.input[1] in initializers and node.input[1] not in state:
            module = node.name.strip("/").rsplit("/", 1)[0].replace("/", ".")
            state[f"{module}.weight"] = initializers[node.input[1]].T  # MatMul holds [in, out]; nn.Linear [out, in]
    return {name: torch.from_numpy(np.ascontiguousarray(value)) for name, value in state.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model_dir")
    parser.add_argument("out_dir")
    args = parser.parse_args()
    source, out = Path(args.model_dir), Path(args.out_dir)
    if out.resolve() == source.resolve():
        raise SystemExit("the output directory must differ from the model directory")

    model = BertForSequenceClassification(config_of(source))
    missing, unexpected = model.load_state_dict(state_dict_of(source / "onnx" / "model.onnx"), strict=False)
    if missing or unexpected:
        raise SystemExit(f"{source / 'onnx' / 'model.onnx'}: parameters missing {missing}, not in the model {unexpected}")
    model.eval()

    shutil.copytree(source, out, dirs_exist_ok=True, ignore=shutil.ignore_patterns("onnx"))
    export.export_onnx(model, out / "onnx" / "model.onnx")

    # The same weights read back from the new file must give the same logits.
    again = BertForSequenceClassification(config_of(source))
    again.load_state_dict(state_dict_of(out / "onnx" / "model.onnx"))
    again.eval()
    generator = torch.Generator().manual_seed(0)
    ids = torch.randint(4, model.bert.embeddings.word_embeddings.num_embeddings, (8, 24), generator=generator)
    mask = (torch.arange(24)[None, :] < torch.randint(3, 25, (8, 1), generator=generator)).to(torch.int64)
    with torch.no_grad():
        difference = (model(ids * mask, mask) - again(ids * mask, mask)).abs().max().item()
    if difference > 1e-6:
        raise SystemExit(f"re-read weights give logits {difference:.2g} away from the original")
    print(f"wrote {out} (weights read back exactly: logit difference {difference:.2g})")


if __name__ == "__main__":
    main()
