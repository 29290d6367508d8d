// Transformers.js at its best on a model directory: a short calibration over a small grid of
// configurations (session options × batch size) picks the one the rounds measure.
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { now } from '../common.mjs';

const require = createRequire(import.meta.url);
const BATCH_SIZES = [1, 4, 8, 16];

/** Session options tried: as it comes, and the engine's own settings (threads, no spinning) in case they suit it better. */
function sessionOptions(threads) {
  return {
    defaults: {},
    'engine session options': { intraOpNumThreads: threads, interOpNumThreads: 1, extra: { session: { 'intra_op.allow_spinning': '0' } } },
  };
}

async function loadPipeline(modelDir, dtype, options) {
  const { pipeline, env } = require('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.localModelPath = path.dirname(modelDir);
  return pipeline('text-classification', path.basename(modelDir), { dtype, session_options: options });
}

/** Classifies `texts` in batches of `batchSize`: {perSecond, results} (results: every label with its score, per text). */
export async function transformersRun(classifier, texts, batchSize) {
  const start = now();
  const results = [];
  for (let i = 0; i < texts.length; i += batchSize) {
    const batch = texts.slice(i, i + batchSize);
    const output = await classifier(batch, { top_k: null });
    results.push(...(batch.length === 1 && !Array.isArray(output[0]) ? [output] : output));
  }
  return { perSecond: texts.length / ((now() - start) / 1000), results };
}

/**
 * Loads both session option sets with `dtype` ('fp32' or 'q8'), times each at every batch size once on
 * `sample` (after an untimed warm-up on it), keeps the fastest and releases the other pipeline.
 * Returns {classifier, config: {options, batchSize}, calibration: {"batch, options": texts/s}}.
 */
export async function transformersAtBest(modelDir, dtype, threads, sample) {
  const calibration = {};
  let best;
  for (const [name, options] of Object.entries(sessionOptions(threads))) {
    const classifier = await loadPipeline(modelDir, dtype, options);
    await transformersRun(classifier, sample, 8);
    for (const batchSize of BATCH_SIZES) {
      const { perSecond } = await transformersRun(classifier, sample, batchSize);
      calibration[`${batchSize}, ${name}`] = Math.round(perSecond);
      if (!best || perSecond > best.perSecond) {
        if (best && best.classifier !== classifier) await best.classifier.dispose();
        best = { classifier, perSecond, config: { options: name, batchSize } };
      }
    }
    if (best.classifier !== classifier) await classifier.dispose();
  }
  return { classifier: best.classifier, config: best.config, calibration };
}
