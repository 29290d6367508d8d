// The engine end to end through the worker client, for the size bench: cold start, one-text latency,
// timed classify passes and the worker's peak RSS, one client per model file.
import { median, now, percentile, workerScript } from '../common.mjs';

// onnxruntime's intra-op threads (Transformers.js's sessions, the GEMM probe) keep spinning for a while
// after a run and would take CPU from whatever is measured next.
const SETTLE_MS = 100;
export const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

/** `variant`: {dir, modelVariant} ('fp32' or 'quantized'); the cache is off so every pass classifies for real. */
const optionsOf = (variant) => ({ cacheSize: 0, modelVariant: variant.modelVariant });

/** Fork to first result of fresh workers, `count` times: {median, all} in ms. */
export async function coldStart(ClassifierClient, variant, count) {
  const all = [];
  for (let i = 0; i < count; i++) {
    const start = now();
    const fresh = new ClassifierClient({ workerScript });
    await fresh.loadModel(variant.dir, optionsOf(variant));
    await fresh.classify(['a first sentence']);
    all.push(now() - start);
    await fresh.dispose();
  }
  return { median: median(all), all };
}

/** A worker with the model loaded and warmed on `warmUp` (a new engine's first pass runs slower). */
export async function openEngine(ClassifierClient, variant, warmUp) {
  const client = new ClassifierClient({ workerScript });
  await client.loadModel(variant.dir, optionsOf(variant));
  await client.classify(warmUp);
  return client;
}

/** One-text latency over `texts`, in 4 passes: the median of the passes' p50 and p95 (ms). */
export async function latency(client, texts) {
  for (const text of texts.slice(0, 10)) await client.classify([text]);
  const passes = [];
  const size = Math.ceil(texts.length / 4);
  for (let from = 0; from < texts.length; from += size) {
    const times = [];
    for (const text of texts.slice(from, from + size)) {
      const start = now();
      await client.classify([text]);
      times.push(now() - start);
    }
    passes.push({ p50: percentile(times, 50), p95: percentile(times, 95) });
  }
  return { p50: median(passes.map((p) => p.p50)), p95: median(passes.map((p) => p.p95)), calls: texts.length, passes };
}

/** One timed pass over `texts`: {perSecond, results}. */
export async function engineRun(client, texts) {
  await settle();
  const start = now();
  const results = await client.classify(texts);
  return { perSecond: texts.length / ((now() - start) / 1000), results };
}
