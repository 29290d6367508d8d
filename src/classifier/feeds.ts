// The inputs of a BERT-family graph for a batch of token id sequences.
import type { RawTensor } from './engine';

/**
 * int64 input tensors [rows, longest sequence] for `inputNames`: input_ids padded with zeros,
 * attention_mask 1 on real tokens, and zeros for any other input (token_type_ids: one segment).
 */
export function paddedFeeds(batch: number[][], inputNames: readonly string[]): Record<string, RawTensor<BigInt64Array>> {
  const rows = batch.length;
  const columns = batch.reduce((max, ids) => Math.max(max, ids.length), 0);
  // int64 tensors written through an Int32 view (low words; ids and masks are small and
  // non-negative, and every platform onnxruntime-node ships for is little-endian).
  const ids = new BigInt64Array(rows * columns);
  const mask = new BigInt64Array(rows * columns);
  const ids32 = new Int32Array(ids.buffer);
  const mask32 = new Int32Array(mask.buffer);
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
    else feeds[name] = { data: new BigInt64Array(rows * columns), dims };
  }
  return feeds;
}
