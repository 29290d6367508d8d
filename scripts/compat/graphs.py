"""Tiny seeded ONNX classifier graphs with the input/output signature of an optimum export.

embeddings (word + token type + position, each only when the graph takes that input) -> one dense
tanh layer -> mean over the attention mask -> linear head -> `logits` [batch, labels]. Padding is
handled the way a real encoder handles it: padded positions are masked out, so a padded batch gives
the same logits as each text alone. Weight storage follows the variant: fp32, fp16 (fp16 logits),
int8 / uint8 (DequantizeLinear), q4 (com.microsoft MatMulNBits, 4-bit blocks).
"""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HIDDEN = 16


def _dims(names):
    return [helper.make_tensor_value_info(n, t, s) for n, t, s in names]


class GraphBuilder:
    def __init__(self, float_type):
        self.nodes, self.initializers = [], []
        self.float_type = float_type
        self.count = 0

    def name(self, prefix):
        self.count += 1
        return f"{prefix}_{self.count}"

    def const(self, array, name=None):
        name = name or self.name("const")
        self.initializers.append(numpy_helper.from_array(array, name))
        return name

    def op(self, op_type, inputs, domain=None, **attributes):
        out = self.name(op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [out], name=out, domain=domain, **attributes))
        return out

    def weight(self, array, quant):
        """A float weight matrix [K, N] as the variant stores it; returns (tensor name, how to multiply)."""
        np_float = np.float16 if self.float_type == TensorProto.FLOAT16 else np.float32
        if quant in (None, "fp16"):
            return self.const(array.astype(np_float)), None
        if quant in ("int8", "uint8"):
            scale = np.float32(np.abs(array).max() / 127)
            q = np.clip(np.round(array / scale), -127, 127)
            if quant == "uint8":
                stored, zero = (q + 128).astype(np.uint8), np.uint8(128)
            else:
                stored, zero = q.astype(np.int8), np.int8(0)
            return self.op("DequantizeLinear", [self.const(stored), self.const(np.array(scale)), self.const(np.array(zero))]), None
        if quant == "q4":
            return None, array
        raise ValueError(quant)

    def matmul(self, x, array, quant):
        name, raw = self.weight(array, quant)
        if raw is None:
            return self.op("MatMul", [x, name])
        k, n = raw.shape
        block = 16
        blocks = (k + block - 1) // block
        padded = np.zeros((blocks * block, n), np.float32)
        padded[:k] = raw
        w = padded.T.reshape(n, blocks, block)  # [N, blocks, block]
        scales = (np.abs(w).max(axis=2) / 7).astype(np.float32)
        scales[scales == 0] = 1
        q = (np.clip(np.round(w / scales[:, :, None]), -8, 7) + 8).astype(np.uint8)
        packed = (q[:, :, 0::2] | (q[:, :, 1::2] << 4)).astype(np.uint8)  # low nibble first
        return self.op("MatMulNBits", [x, self.const(packed), self.const(scales.reshape(-1))], domain="com.microsoft",
                       K=k, N=n, bits=4, block_size=block)


def classifier_graph(*, seed, vocab_size, labels, inputs, int_type=TensorProto.INT64, quant=None,
                     max_positions=512, type_vocab=2, outputs="logits"):
    """inputs: graph input names in order; outputs: 'logits', 'several' (last_hidden_state first) or 'token'."""
    rng = np.random.RandomState(seed)
    float_type = TensorProto.FLOAT16 if quant == "fp16" else TensorProto.FLOAT
    np_float = np.float16 if quant == "fp16" else np.float32
    g = GraphBuilder(float_type)
    word = rng.normal(0, 1, (vocab_size, HIDDEN)).astype(np.float32)
    embedded = g.op("Gather", [g.const(word.astype(np_float)), "input_ids"], axis=0)
    if "token_type_ids" in inputs:
        types = rng.normal(0, 0.5, (type_vocab, HIDDEN)).astype(np_float)
        embedded = g.op("Add", [embedded, g.op("Gather", [g.const(types), "token_type_ids"], axis=0)])
    if "position_ids" in inputs:
        positions = rng.normal(0, 0.5, (max_positions, HIDDEN)).astype(np_float)
        embedded = g.op("Add", [embedded, g.op("Gather", [g.const(positions), "position_ids"], axis=0)])
    w1 = rng.normal(0, 1 / np.sqrt(HIDDEN), (HIDDEN, HIDDEN)).astype(np.float32)
    b1 = rng.normal(0, 0.1, (HIDDEN,)).astype(np_float)
    hidden = g.op("Tanh", [g.op("Add", [g.matmul(embedded, w1, quant), g.const(b1)])])
    w2 = rng.normal(0, 3 / np.sqrt(HIDDEN), (HIDDEN, labels)).astype(np.float32)
    b2 = rng.normal(0, 0.3, (labels,)).astype(np_float)
    out_type = float_type
    if outputs == "token":
        logits = g.op("Add", [g.matmul(hidden, w2, quant), g.const(b2)])
        logits_shape = ["batch_size", "sequence_length", labels]
    else:
        mask = g.op("Cast", ["attention_mask"], to=float_type)
        masked = g.op("Mul", [hidden, g.op("Unsqueeze", [mask, g.const(np.array([2], np.int64))])])
        summed = g.op("ReduceSum", [masked, g.const(np.array([1], np.int64))], keepdims=0)
        count = g.op("ReduceSum", [mask, g.const(np.array([1], np.int64))], keepdims=1)
        pooled = g.op("Div", [summed, count])
        logits = g.op("Add", [g.matmul(pooled, w2, quant), g.const(b2)])
        logits_shape = ["batch_size", labels]
    g.nodes.append(helper.make_node("Identity", [logits], ["logits"], name="logits_identity"))
    graph_inputs = _dims([(name, int_type, ["batch_size", "sequence_length"]) for name in inputs])
    graph_outputs = _dims([("logits", out_type, logits_shape)])
    if outputs == "several":
        g.nodes.append(helper.make_node("Identity", [hidden], ["last_hidden_state"], name="hidden_identity"))
        graph_outputs = _dims([("last_hidden_state", out_type, ["batch_size", "sequence_length", HIDDEN])]) + graph_outputs
    graph = helper.make_graph(g.nodes, "tiny_classifier", graph_inputs, graph_outputs, g.initializers)
    opsets = [helper.make_opsetid("", 14)]
    if quant == "q4":
        opsets.append(helper.make_opsetid("com.microsoft", 1))
    model = helper.make_model(graph, opset_imports=opsets, producer_name="textclf-compat")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def seq2seq_graph(*, seed, vocab_size):
    """The encoder-decoder signature (decoder_input_ids) of a seq2seq export, to be refused."""
    rng = np.random.RandomState(seed)
    g = GraphBuilder(TensorProto.FLOAT)
    word = rng.normal(0, 1, (vocab_size, HIDDEN)).astype(np.float32)
    enc = g.op("ReduceMean", [g.op("Gather", [g.const(word), "input_ids"], axis=0)], axes=[1], keepdims=1)
    dec = g.op("Gather", [g.const(word), "decoder_input_ids"], axis=0)
    mixed = g.op("Add", [dec, enc])
    logits = g.op("MatMul", [mixed, g.const(word.T.copy())])
    g.nodes.append(helper.make_node("Identity", [logits], ["logits"]))
    graph = helper.make_graph(g.nodes, "tiny_seq2seq", _dims([
        ("input_ids", TensorProto.INT64, ["batch_size", "encoder_sequence_length"]),
        ("attention_mask", TensorProto.INT64, ["batch_size", "encoder_sequence_length"]),
        ("decoder_input_ids", TensorProto.INT64, ["batch_size", "decoder_sequence_length"])]),
        _dims([("logits", TensorProto.FLOAT, ["batch_size", "decoder_sequence_length", vocab_size])]), g.initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)], producer_name="textclf-compat")
    model.ir_version = 8
    return model
