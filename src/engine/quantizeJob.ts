// Runs a quantize job (src/quantize/job.ts): quantizes the model directory, then, with a dataset,
// evaluates the source and the quantized model with the engine (the evaluation `textclf evaluate` runs)
// and counts the rows whose predicted label changed.
import { Engine } from './engine';
import type { ModelVariant } from '../classifier/types';
import { evaluate } from '../datasets/evaluate';
import { readTrainingManifest } from '../datasets/trainingManifest';
import { quantizeModelDirectory } from '../quantize/directory';
import type { ModelScore, QuantizeComparison, QuantizeDataset, QuantizeJob, QuantizeJobProgress, QuantizeJobResult } from '../quantize/job';

export interface QuantizeJobOptions {
  signal?: AbortSignal;
  onProgress?: (progress: QuantizeJobProgress) => void;
}

export async function runQuantizeJob(job: QuantizeJob, options: QuantizeJobOptions = {}): Promise<QuantizeJobResult> {
  const { signal, onProgress } = options;
  const result = await quantizeModelDirectory({ ...job, signal, onProgress });
  if (!job.dataset) return { ...result, comparison: null };
  const before = await evaluateModel(job.modelDir, job.variant ?? 'auto', job.dataset, 'before', options);
  const after = await evaluateModel(result.outDir, 'quantized', job.dataset, 'after', options);
  let changedLabels = 0;
  for (const [line, label] of after.predicted) if (before.predicted.get(line) !== label) changedLabels++;
  const comparison: QuantizeComparison = { dataset: job.dataset.path, total: after.total, evaluated: after.score.evaluated, before: before.score, after: after.score, changedLabels };
  return { ...result, comparison };
}

async function evaluateModel(modelDir: string, variant: ModelVariant, dataset: QuantizeDataset, which: 'before' | 'after', options: QuantizeJobOptions) {
  const engine = await Engine.load(modelDir, { modelVariant: variant });
  try {
    options.signal?.throwIfAborted();
    const predicted = new Map<number, string>();
    const { path: file, labelMap, heldOut, ...schema } = dataset;
    const report = await evaluate(
      file,
      {
        ...schema,
        labels: engine.model.labels,
        labelMap,
        trainingManifest: heldOut ? readTrainingManifest(modelDir) : null,
        heldOutOnly: heldOut ?? false,
        signal: options.signal,
        keepPredictions: false,
        onPredictions: (rows) => rows.forEach((row) => predicted.set(row.line, row.predicted)),
        onProgress: (progress) => options.onProgress?.({ stage: 'evaluating', model: which, rows: progress.rows, fraction: progress.bytesRead / Math.max(progress.totalBytes, 1) }),
      },
      (texts, signal) => engine.classify(texts, { signal }),
    );
    if (report.evaluated === 0) throw new Error(`no row of ${file} could be evaluated with ${modelDir} (${report.total} rows, ${report.skipped} skipped)`);
    const score: ModelScore = { accuracy: report.accuracy, macroF1: report.macroF1, evaluated: report.evaluated, rowsPerSecond: report.rowsPerSecond, seconds: report.seconds };
    return { score, predicted, total: report.total };
  } finally {
    await engine.dispose();
  }
}
