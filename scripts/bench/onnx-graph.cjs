// Writes small ONNX graphs (protobuf encoded by hand, just the fields these graphs use): the
// benchmark's MatMul that measures this CPU's GEMM rate, and the synthetic classifier graphs the
// engine's unit tests use for cases the bundled model cannot show (multi-label, one logit, an input
// the engine cannot feed). Field numbers are those of onnx/onnx.proto.
'use strict';

const FLOAT = 1;
const INT64 = 7;

function varint(value) {
  const bytes = [];
  let v = BigInt.asUintN(64, BigInt(value));
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    bytes.push(byte);
  } while (v !== 0n);
  return Buffer.from(bytes);
}

const key = (field, wireType) => varint((field << 3) | wireType);
const int = (field, value) => Buffer.concat([key(field, 0), varint(value)]);
const bytes = (field, buffer) => Buffer.concat([key(field, 2), varint(buffer.length), buffer]);
const str = (field, text) => bytes(field, Buffer.from(text, 'utf8'));
const msg = (field, ...parts) => bytes(field, Buffer.concat(parts));

/** dims: numbers, or strings for symbolic (dynamic) dimensions. */
function valueInfo(field, name, elemType, dims) {
  const shape = dims.map((d) => msg(1, typeof d === 'number' ? int(1, d) : str(2, d)));
  return msg(field, str(1, name), msg(2, msg(1, int(1, elemType), msg(2, ...shape))));
}

function floatTensor(field, name, dims, values) {
  const raw = Buffer.from(new Float32Array(values).buffer);
  return msg(field, ...dims.map((d) => int(1, d)), int(2, FLOAT), str(8, name), bytes(9, raw));
}

function node(opType, inputs, outputs, attributes = []) {
  return msg(1, ...inputs.map((i) => str(1, i)), ...outputs.map((o) => str(2, o)), str(3, `${opType}_${outputs[0]}`), str(4, opType), ...attributes);
}

const intAttribute = (name, value) => msg(5, str(1, name), int(3, value), int(20, 2));
const intsAttribute = (name, values) => msg(5, str(1, name), ...values.map((v) => int(8, v)), int(20, 7));

function model(graphParts, opset = 13) {
  return Buffer.concat([int(1, 8), str(2, 'textclf-test'), msg(7, str(2, 'g'), ...graphParts), msg(8, str(1, ''), int(2, opset))]);
}

/** Y[m, n] = A[m, k] x B[k, n] with B a constant: the GEMM-rate probe. */
function matmulModel(m, k, n) {
  const weights = new Float32Array(k * n);
  for (let i = 0; i < weights.length; i++) weights[i] = ((i * 7919) % 1000) / 1000 - 0.5;
  return model([
    node('MatMul', ['A', 'B'], ['Y']),
    floatTensor(5, 'B', [k, n], weights),
    valueInfo(11, 'A', FLOAT, [m, k]),
    valueInfo(12, 'Y', FLOAT, [m, n]),
  ]);
}

/**
 * A stand-in classifier: logits[b, j] = mean(input_ids[b, :]) * weights[j] + bias[j].
 * inputs: graph input names (int64 [batch, sequence]) besides input_ids, e.g. ['attention_mask'].
 */
function classifierModel({ width, weights, bias, inputs = [] }) {
  const parts = [
    node('Cast', ['input_ids'], ['ids_float'], [intAttribute('to', FLOAT)]),
    node('ReduceMean', ['ids_float'], ['mean'], [intsAttribute('axes', [1]), intAttribute('keepdims', 1)]),
    node('MatMul', ['mean', 'W'], ['scaled']),
    node('Add', ['scaled', 'bias'], ['logits']),
    floatTensor(5, 'W', [1, width], weights),
    floatTensor(5, 'bias', [width], bias),
    valueInfo(11, 'input_ids', INT64, ['batch', 'sequence']),
    ...inputs.map((name) => valueInfo(11, name, INT64, ['batch', 'sequence'])),
    valueInfo(12, 'logits', FLOAT, ['batch', width]),
  ];
  return model(parts);
}

module.exports = { matmulModel, classifierModel };
