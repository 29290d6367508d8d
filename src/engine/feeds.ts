// The inputs of a BERT-family graph for a batch of token id sequences.
import type { RawTensor } from '../classifier/types';

/** How a model family pads and numbers positions (from the model directory, see bundle.ts). */
export interface FeedLayout {
  /** The tokenizer's pad token id: input_ids of padded positions. */
  padId: number;
  /**
   * position_ids, for a graph that takes them: 'absolute' numbers every column 0..n-1 (BERT);
   * 'padding-offset' numbers real tokens padId+1, padId+2, … and gives padded ones padId (RoBERTa,
   * XLM-R: what their PyTorch embeddings compute from input_ids).
   */
  positions: 'absolute' | 'padding-offset';
}

const BERT_LAYOUT: FeedLayout = { padId: 0, positions: 'absolute' };

/**
 * int64 input tensors [rows, longest sequence] for `inputNames`: input_ids padded with the pad id,
 * attention_mask 1 on real tokens, position_ids as the layout numbers them, and zeros for any other
 * input (token_type_ids: one segment).
 */
export function paddedFeeds(batch: number[][], inputNames: readonly string[], layout: FeedLayout = BERT_LAYOUT): Record<string, RawTensor<BigInt64Array>> {
  const rows = batch.length;
  const columns = batch.reduce((max, ids) => Math.max(max, ids.length), 0);
  // int64 tensors written through an Int32 view (low words; ids and masks are small and
  // non-negative, and every platform onnxruntime-node ships for is little-endian).
  const ids = new BigInt64Array(rows * columns);
  const mask = new BigInt64Array(rows * columns);
  const ids32 = new Int32Array(ids.buffer);
  const mask32 = new Int32Array(mask.buffer);
  if (layout.padId !== 0) for (let k = 0; k < ids32.length; k += 2) ids32[k] = layout.padId;
  for (let r = 0; r < rows; r++) {
    const sequence = batch[r];
    for (let c = 0, k = 2 * r * columns; c < sequence.length; c++, k += 2) {
      ids32[k] = sequence[c];
      mask32[k] = 1;
    }
  }
  const dims = [rows, columns];
  const feeds: Record<string, RawTensor<BigInt64Array>> = {};
  for (const name of inputNames) {
    if (name === 'input_ids') feeds[name] = { data: ids, dims };
    else if (name === 'attention_mask') feeds[name] = { data: mask, dims };
    else if (name === 'position_ids') feeds[name] = { data: positionIds(batch, columns, layout), dims };
    else feeds[name] = { data: new BigInt64Array(rows * columns), dims };
  }
  return feeds;
}

function positionIds(batch: number[][], columns: number, layout: FeedLayout): BigInt64Array {
  const positions = new BigInt64Array(batch.length * columns);
  const positions32 = new Int32Array(positions.buffer);
  for (let r = 0; r < batch.length; r++) {
    for (let c = 0, k = 2 * r * columns; c < columns; c++, k += 2) {
      if (layout.positions === 'absolute') positions32[k] = c;
      else positions32[k] = c < batch[r].length ? layout.padId + 1 + c : layout.padId;
    }
  }
  return positions;
}

/** The same values as int32, for a graph that declares int32 inputs. */
export function toInt32(data: BigInt64Array): Int32Array {
  const low = new Int32Array(data.buffer, data.byteOffset, data.length * 2);
  const out = new Int32Array(data.length);
  for (let i = 0; i < out.length; i++) out[i] = low[2 * i];
  return out;
}

/** Logits as float32, whatever float type the graph gives them in (float16 arrives as raw Uint16 bits). */
export function toFloat32(data: unknown, type: string): Float32Array {
  if (data instanceof Float32Array) return data;
  if (type === 'float16' && data instanceof Uint16Array) {
    const bits = data;
    const out = new Float32Array(bits.length);
    for (let i = 0; i < bits.length; i++) out[i] = halfToFloat(bits[i]);
    return out;
  }
  // Float64, or float16 where the runtime has Float16Array.
  if (type === 'float64' || type === 'float16') return Float32Array.from(data as ArrayLike<number>);
  throw new Error(`graph output of type ${type} is not a float tensor`);
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}
