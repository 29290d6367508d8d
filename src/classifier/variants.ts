// The graph variants of a model directory as Transformers.js names them (model_quantized.onnx,
// model_fp16.onnx, …), where each lies, and the order they are tried in. Host-safe: the Hub download
// picks its files with it; the engine's bundle.ts finds the graph with it.
import * as path from 'node:path';
import { MODEL_VARIANTS, type ModelVariant } from './types';

/** File name suffix of each variant, as Transformers.js names them (its dtype option in brackets where it differs). */
const VARIANT_SUFFIX: Record<Exclude<ModelVariant, 'auto'>, string> = {
  fp32: '',
  fp16: '_fp16',
  quantized: '_quantized', // q8
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
};

/** Where the graph of a variant may lie (relative to the model directory), in the order looked at. */
export function variantFiles(variant: Exclude<ModelVariant, 'auto'>): string[] {
  const name = `model${VARIANT_SUFFIX[variant]}.onnx`;
  return [path.join('onnx', name), name];
}

/** The variants to try, best first: the one asked for alone, or for 'auto' fp32 (quantized with preferQuantized) and then the rest. */
export function variantPreference(wanted: ModelVariant, preferQuantized = false): Exclude<ModelVariant, 'auto'>[] {
  if (wanted !== 'auto') return [wanted];
  const all = MODEL_VARIANTS.filter((variant): variant is Exclude<ModelVariant, 'auto'> => variant !== 'auto');
  const first = preferQuantized ? 'quantized' : 'fp32';
  return [first, ...all.filter((variant) => variant !== first)];
}
