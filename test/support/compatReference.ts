// The two references the compatibility tests hold the engine to, on the directories of
// scripts/compat: Transformers.js's text-classification pipeline (its own tokenizer, padding and
// post-processing), and, for what Transformers.js cannot load (int32 inputs, a position_ids input) or
// scores differently (regression, a single logit: it applies softmax to every single-label model), a
// direct reference written here: the `tokenizers` binding and one onnxruntime-node run per text, no
// padding, the inputs and score function as transformers' PyTorch models and pipeline define them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { Tokenizer } from 'tokenizers';
import type { LabelScore } from '../../src/classifier/types';

export interface TransformersJsOptions {
  /** Transformers.js dtype: fp32, fp16, q8 (model_quantized), int8, uint8, q4, bnb4. */
  dtype?: string;
  /** '' for a model.onnx at the directory's root. */
  subfolder?: string;
  useExternalData?: boolean;
  /** One text per run instead of one padded batch of all. */
  oneByOne?: boolean;
}

/** Every label's score per text, from Transformers.js's text-classification pipeline on a local directory (offline). */
export async function transformersJsScores(dir: string, texts: string[], options: TransformersJsOptions = {}): Promise<LabelScore[][]> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when this comparison runs: Transformers.js is large
  const { pipeline, env } = require('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.localModelPath = path.dirname(dir) + path.sep;
  const classifier = await pipeline('text-classification', path.basename(dir), {
    dtype: options.dtype ?? 'fp32',
    ...(options.subfolder !== undefined ? { subfolder: options.subfolder } : {}),
    ...(options.useExternalData ? { use_external_data_format: true } : {}),
  });
  try {
    if (!options.oneByOne) return await classifier(texts, { top_k: null });
    const results: LabelScore[][] = [];
    for (const text of texts) results.push(await classifier(text, { top_k: null }));
    return results;
  } finally {
    await classifier.dispose();
  }
}

/** Position ids as transformers' PyTorch embeddings make them for one unpadded sequence. */
function positionIds(modelType: string, padId: number, length: number): number[] {
  const offsetFamilies = ['roberta', 'xlm-roberta', 'camembert'];
  return Array.from({ length }, (_, i) => (offsetFamilies.includes(modelType) ? padId + 1 + i : i));
}

function halfToFloat(bits: number): number {
  const buffer = new DataView(new ArrayBuffer(4));
  const sign = (bits & 0x8000) << 16;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return (sign ? -1 : 1) * mantissa * 2 ** -24;
  buffer.setUint32(0, sign | ((exponent === 31 ? 255 : exponent - 15 + 127) << 23) | (mantissa << 13));
  return buffer.getFloat32(0);
}

/** Scores per text from the tokenizers binding and onnxruntime directly, one text per run. */
export async function directScores(dir: string, onnxFile: string, texts: string[]): Promise<LabelScore[][]> {
  const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
  const tokenizer = Tokenizer.fromFile(path.join(dir, 'tokenizer.json'));
  const session = await ort.InferenceSession.create(onnxFile, { executionProviders: ['cpu'], intraOpNumThreads: 1 });
  try {
    const results: LabelScore[][] = [];
    for (const text of texts) {
      const ids = (await tokenizer.encode(text)).getIds();
      const feeds: Record<string, ort.Tensor> = {};
      for (const meta of session.inputMetadata) {
        const values =
          meta.name === 'input_ids' ? ids
          : meta.name === 'attention_mask' ? ids.map(() => 1)
          : meta.name === 'position_ids' ? positionIds(config.model_type, config.pad_token_id, ids.length)
          : ids.map(() => 0);
        const type = meta.isTensor ? meta.type : 'int64';
        feeds[meta.name] = type === 'int32' ? new ort.Tensor('int32', Int32Array.from(values), [1, ids.length]) : new ort.Tensor('int64', BigInt64Array.from(values.map(BigInt)), [1, ids.length]);
      }
      const output = (await session.run(feeds, ['logits'])).logits;
      const logits = output.type === 'float16' ? Array.from(output.data as Uint16Array, halfToFloat) : Array.from(output.data as Float32Array);
      const labels: string[] = config.id2label ? logits.length === 1 && Object.keys(config.id2label).length === 2 ? [config.id2label[0], config.id2label[1]] : logits.map((_, i) => config.id2label[i]) : logits.map((_, i) => `LABEL_${i}`);
      let scores: number[];
      const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
      if (config.problem_type === 'regression') scores = logits;
      else if (config.problem_type === 'multi_label_classification') scores = logits.map(sigmoid);
      else if (logits.length === 1) scores = labels.length === 2 ? [1 - sigmoid(logits[0]), sigmoid(logits[0])] : [sigmoid(logits[0])];
      else {
        const max = Math.max(...logits);
        const exps = logits.map((x) => Math.exp(x - max));
        const sum = exps.reduce((a, b) => a + b, 0);
        scores = exps.map((x) => x / sum);
      }
      results.push(labels.map((label, i) => ({ label, score: scores[i] })).sort((a, b) => b.score - a.score));
    }
    return results;
  } finally {
    await session.release();
  }
}

/** The largest |Δscore| between two sets of results, after checking that the top labels agree. */
export function largestDifference(texts: string[], ours: { labels: LabelScore[] }[], theirs: LabelScore[][]): number {
  let largest = 0;
  texts.forEach((text, i) => {
    if (theirs[i].length !== ours[i].labels.length) throw new Error(`${JSON.stringify(text)}: ${ours[i].labels.length} labels, reference ${theirs[i].length}`);
    for (const { label, score } of theirs[i]) {
      const mine = ours[i].labels.find((l) => l.label === label);
      if (!mine) throw new Error(`${JSON.stringify(text)}: no label "${label}" in ${JSON.stringify(ours[i].labels)}`);
      largest = Math.max(largest, Math.abs(mine.score - score));
    }
    // A top label may differ only where two scores tie within the tolerance.
    const top = theirs[i][0];
    const mineTop = ours[i].labels[0];
    if (mineTop.label !== top.label && Math.abs(mineTop.score - top.score) > 1e-4) {
      throw new Error(`${JSON.stringify(text)}: top label ${mineTop.label}, reference ${top.label}`);
    }
  });
  return largest;
}
