// Symmetric int8 quantization of float weights: q = round(w / scale), scale = max|w| / 127 per channel,
// zero point 0. 127 rather than 128 keeps the range symmetric, so -q never overflows.
import { TensorProto, TensorProto_DataType } from 'onnx-buf';

export interface QuantizedMatrix {
  values: Int8Array;
  /** One scale per channel. */
  scales: Float32Array;
}

/** The float values of a tensor (raw_data is little-endian by the ONNX spec; so are the hosts this runs on). */
export function floatValues(tensor: TensorProto): Float32Array | undefined {
  if (tensor.dataType !== TensorProto_DataType.FLOAT) return undefined;
  const raw = tensor.rawData;
  if (raw.byteLength === 0) return Float32Array.from(tensor.floatData);
  // A view when aligned (no copy of large weights); a copy otherwise.
  if (raw.byteOffset % 4 === 0) return new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  return new Float32Array(Uint8Array.from(raw).buffer);
}

function scaleOf(absMax: number): number {
  return absMax > 0 ? absMax / 127 : 1;
}

function quantize(value: number, inverseScale: number): number {
  const q = Math.round(value * inverseScale);
  return q > 127 ? 127 : q < -127 ? -127 : q;
}

/** Row-major [rows, cols] with one scale per column: the output channels of a MatMul weight [K, N]. */
export function quantizePerColumn(matrix: Float32Array, rows: number, cols: number): QuantizedMatrix {
  const absMax = new Float32Array(cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) {
      const magnitude = Math.abs(matrix[base + c]);
      if (magnitude > absMax[c]) absMax[c] = magnitude;
    }
  }
  const scales = absMax.map(scaleOf);
  const inverse = scales.map((scale) => 1 / scale);
  const values = new Int8Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) values[base + c] = quantize(matrix[base + c], inverse[c]);
  }
  return { values, scales };
}

/** Row-major [rows, cols] with one scale per row: the rows of an embedding table a Gather picks. */
export function quantizePerRow(matrix: Float32Array, rows: number, cols: number): QuantizedMatrix {
  const scales = new Float32Array(rows);
  const values = new Int8Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let absMax = 0;
    for (let c = 0; c < cols; c++) absMax = Math.max(absMax, Math.abs(matrix[base + c]));
    scales[r] = scaleOf(absMax);
    const inverse = 1 / scales[r];
    for (let c = 0; c < cols; c++) values[base + c] = quantize(matrix[base + c], inverse);
  }
  return { values, scales };
}

/** [cols, rows] from row-major [rows, cols] (a Gemm's transB weight to MatMul layout). */
export function transpose(matrix: Float32Array, rows: number, cols: number): Float32Array {
  const result = new Float32Array(matrix.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) result[c * rows + r] = matrix[r * cols + c];
  return result;
}
