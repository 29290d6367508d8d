// Accuracy, macro-F1, per-label precision/recall/F1 and the confusion matrix of a head's logits:
// what model selection compares on the validation split and what the model card reports for the test split.
import type { HeadTargets } from './head';

export interface LabelMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Examples that have the label. */
  support: number;
}

export interface SplitMetrics {
  rows: number;
  /** Single-label: top-1; multi-label: rows whose predicted label set is exactly right. */
  accuracy: number;
  macroF1: number;
  perLabel: LabelMetrics[];
  /** Single-label only: confusion[gold][predicted]. */
  confusion: number[][] | null;
  /** Single-label: the predicted label index per row; multi-label: -1. */
  predictions: Int32Array;
}

/** `logits` row-major rows × labels; multi-label predicts every label whose logit is above 0. */
export function evaluateLogits(logits: Float32Array, targets: HeadTargets, labels: string[]): SplitMetrics {
  const k = targets.numLabels;
  const rows = logits.length / k;
  const truePositive = new Float64Array(k);
  const predictedCount = new Float64Array(k);
  const goldCount = new Float64Array(k);
  const predictions = new Int32Array(rows).fill(-1);
  let correct = 0;
  let confusion: number[][] | null = null;

  if (targets.kind === 'single') {
    confusion = labels.map(() => new Array<number>(k).fill(0));
    for (let row = 0; row < rows; row++) {
      let predicted = 0;
      for (let j = 1; j < k; j++) if (logits[row * k + j] > logits[row * k + predicted]) predicted = j;
      const gold = targets.classes[row];
      predictions[row] = predicted;
      confusion[gold][predicted]++;
      predictedCount[predicted]++;
      goldCount[gold]++;
      if (predicted === gold) {
        truePositive[gold]++;
        correct++;
      }
    }
  } else {
    for (let row = 0; row < rows; row++) {
      let exact = true;
      for (let j = 0; j < k; j++) {
        const predicted = logits[row * k + j] > 0;
        const gold = targets.matrix[row * k + j] === 1;
        if (predicted) predictedCount[j]++;
        if (gold) goldCount[j]++;
        if (predicted && gold) truePositive[j]++;
        if (predicted !== gold) exact = false;
      }
      if (exact) correct++;
    }
  }

  const perLabel = labels.map((label, j) => {
    const precision = predictedCount[j] > 0 ? truePositive[j] / predictedCount[j] : 0;
    const recall = goldCount[j] > 0 ? truePositive[j] / goldCount[j] : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, precision, recall, f1, support: goldCount[j] };
  });
  return {
    rows,
    accuracy: rows > 0 ? correct / rows : 0,
    macroF1: perLabel.reduce((sum, metrics) => sum + metrics.f1, 0) / Math.max(1, perLabel.length),
    perLabel,
    confusion,
    predictions,
  };
}
