import * as assert from 'node:assert/strict';
import { computeMetrics, MetricsAccumulator } from '../../src/datasets/metrics';

// Expected values computed once with scikit-learn 1.2.1 (Debian python3-sklearn) and numpy:
//
//   import numpy as np
//   from sklearn.metrics import accuracy_score, precision_recall_fscore_support, f1_score, confusion_matrix
//   from sklearn.calibration import calibration_curve
//   gold, pred, conf = <the arrays below>
//   accuracy_score(gold, pred)
//   precision_recall_fscore_support(gold, pred, labels=range(5), zero_division=0)
//   f1_score(gold, pred, average='macro', zero_division=0); f1_score(gold, pred, average='weighted', zero_division=0)
//   precision_recall_fscore_support(gold, pred, average='macro', zero_division=0)   # macro precision, recall
//   confusion_matrix(gold, pred, labels=range(5))
//   correct = (np.array(gold) == np.array(pred)).astype(int)
//   prob_true, prob_pred = calibration_curve(correct, conf, n_bins=10, strategy='uniform')
//   counts, _ = np.histogram(conf, bins=10, range=(0, 1))       # no confidence lies on a bin edge
//   ece = np.sum(counts[counts > 0] / len(conf) * np.abs(prob_true - prob_pred))
//
// 'mixed' is predicted once but never gold; 'unused' occurs nowhere, so sklearn's macro average
// (labels=None) covers four labels, not five.
const labels = ['negative', 'neutral', 'positive', 'mixed', 'unused'];
const gold = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 0, 1, 2, 0, 1, 2];
const pred = [0, 0, 0, 1, 2, 0, 1, 1, 0, 1, 3, 2, 2, 2, 1, 2, 0, 2, 2, 0, 1, 2, 1, 1, 2];
const conf = [0.97, 0.88, 0.64, 0.51, 0.43, 0.99, 0.72, 0.93, 0.58, 0.81, 0.37, 0.95, 0.86, 0.77, 0.62, 0.91, 0.55, 0.68, 0.99, 0.74, 0.83, 0.46, 0.57, 0.66, 0.89];

const sklearn = {
  accuracy: 0.72,
  perClass: [
    ['negative', 0.7142857142857143, 0.625, 0.6666666666666666, 8],
    ['neutral', 0.625, 0.7142857142857143, 0.6666666666666666, 7],
    ['positive', 0.8888888888888888, 0.8, 0.8421052631578948, 10],
    ['mixed', 0.0, 0.0, 0.0, 0],
    ['unused', 0.0, 0.0, 0.0, 0],
  ] as const,
  macroF1: 0.543859649122807,
  weightedF1: 0.736842105263158,
  macroPrecision: 0.5570436507936508,
  macroRecall: 0.5348214285714286,
  confusionMatrix: [
    [5, 2, 1, 0, 0],
    [1, 5, 0, 1, 0],
    [1, 1, 8, 0, 0],
    [0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0],
  ],
  binCounts: [0, 0, 0, 1, 2, 4, 4, 3, 5, 6],
  // calibration_curve's non-empty bins, lowest first
  binAccuracy: [0.0, 0.5, 0.0, 0.75, 1.0, 1.0, 1.0],
  binConfidence: [0.37, 0.445, 0.5525, 0.65, 0.7433333333333333, 0.8539999999999999, 0.9566666666666667],
  ece: 0.19400000000000003,
};

const close = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual} != ${expected}`);

describe('datasets/metrics (pinned to scikit-learn)', () => {
  const metrics = computeMetrics(labels, gold, pred, conf);

  it('accuracy, macro and weighted F1, macro precision and recall', () => {
    close(metrics.accuracy, sklearn.accuracy, 'accuracy');
    close(metrics.macroF1, sklearn.macroF1, 'macro F1');
    close(metrics.weightedF1, sklearn.weightedF1, 'weighted F1');
    close(metrics.macroPrecision, sklearn.macroPrecision, 'macro precision');
    close(metrics.macroRecall, sklearn.macroRecall, 'macro recall');
    assert.equal(metrics.count, gold.length);
  });

  it('per-class precision, recall, F1 and support', () => {
    sklearn.perClass.forEach(([label, precision, recall, f1, support], index) => {
      const actual = metrics.perClass[index];
      assert.equal(actual.label, label);
      close(actual.precision, precision, `${label} precision`);
      close(actual.recall, recall, `${label} recall`);
      close(actual.f1, f1, `${label} F1`);
      assert.equal(actual.support, support);
    });
  });

  it('confusion matrix (rows gold, columns predicted)', () => {
    assert.deepEqual(metrics.confusionMatrix, sklearn.confusionMatrix);
  });

  it('calibration bins and expected calibration error', () => {
    assert.deepEqual(metrics.calibrationBins.map((bin) => bin.count), sklearn.binCounts);
    const nonEmpty = metrics.calibrationBins.filter((bin) => bin.count > 0);
    nonEmpty.forEach((bin, index) => {
      close(bin.accuracy, sklearn.binAccuracy[index], `bin ${bin.lower}-${bin.upper} accuracy`);
      close(bin.confidence, sklearn.binConfidence[index], `bin ${bin.lower}-${bin.upper} confidence`);
    });
    close(metrics.expectedCalibrationError, sklearn.ece, 'ECE');
    assert.deepEqual(metrics.calibrationBins.map((bin) => bin.upper), [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
  });

  it('bins are closed on the right: a confidence of exactly 1 and of 0.5 fall in the bins that end there', () => {
    const accumulator = new MetricsAccumulator(['a', 'b']);
    accumulator.add(0, 0, 1);
    accumulator.add(1, 0, 0.5);
    const bins = accumulator.result().calibrationBins;
    assert.equal(bins[9].count, 1);
    assert.equal(bins[4].count, 1);
    assert.equal(bins[4].correct, 0);
  });

  it('an empty evaluation gives zeros, not NaN', () => {
    const empty = new MetricsAccumulator(['a', 'b']).result();
    assert.equal(empty.count, 0);
    for (const value of [empty.accuracy, empty.macroF1, empty.weightedF1, empty.expectedCalibrationError]) assert.equal(value, 0);
  });
});
