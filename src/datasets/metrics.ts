// Classification metrics over model label indices, accumulated one prediction at a time so that an
// evaluation of a large dataset needs no per-row arrays. Definitions follow scikit-learn:
// precision/recall/F1 are 0 where undefined (zero_division=0); macro and weighted averages are over
// the labels that occur in the gold or the predicted labels (sklearn's default `labels=None`);
// calibration uses equal-width confidence bins closed on the right, (lower, upper], with 0 in the
// first bin, as sklearn's calibration_curve and Guo et al. (2017) do.

export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Gold rows of this label. */
  support: number;
}

export interface CalibrationBin {
  lower: number;
  upper: number;
  /** Rows whose top score falls in this bin (the confidence histogram). */
  count: number;
  /** Of those, rows predicted correctly. */
  correct: number;
  /** correct / count; 0 for an empty bin. */
  accuracy: number;
  /** Mean top score of the rows in this bin; 0 for an empty bin. */
  confidence: number;
}

export interface Metrics {
  labels: string[];
  count: number;
  accuracy: number;
  macroPrecision: number;
  macroRecall: number;
  macroF1: number;
  weightedF1: number;
  perClass: ClassMetrics[];
  /** confusionMatrix[gold][predicted], in the order of `labels`. */
  confusionMatrix: number[][];
  /** Expected calibration error of the top score: sum over bins of count/N * |accuracy - confidence|. */
  expectedCalibrationError: number;
  calibrationBins: CalibrationBin[];
}

export class MetricsAccumulator {
  private readonly matrix: number[][];
  private readonly binCount: number[];
  private readonly binCorrect: number[];
  private readonly binConfidence: number[];
  private count = 0;

  constructor(
    readonly labels: string[],
    readonly bins = 10,
  ) {
    this.matrix = labels.map(() => labels.map(() => 0));
    this.binCount = new Array(bins).fill(0);
    this.binCorrect = new Array(bins).fill(0);
    this.binConfidence = new Array(bins).fill(0);
  }

  /** One evaluated row: gold and predicted label indices and the predicted label's score. */
  add(gold: number, predicted: number, confidence: number): void {
    this.matrix[gold][predicted]++;
    const bin = Math.min(this.bins - 1, Math.max(0, Math.ceil(confidence * this.bins) - 1));
    this.binCount[bin]++;
    this.binConfidence[bin] += confidence;
    if (gold === predicted) this.binCorrect[bin]++;
    this.count++;
  }

  result(): Metrics {
    const { labels, matrix, count } = this;
    const safeDivide = (numerator: number, denominator: number) => (denominator === 0 ? 0 : numerator / denominator);
    const perClass = labels.map((label, index): ClassMetrics => {
      const truePositives = matrix[index][index];
      const support = matrix[index].reduce((sum, cell) => sum + cell, 0);
      const predicted = matrix.reduce((sum, row) => sum + row[index], 0);
      const precision = safeDivide(truePositives, predicted);
      const recall = safeDivide(truePositives, support);
      return { label, precision, recall, f1: safeDivide(2 * precision * recall, precision + recall), support };
    });
    const present = perClass.filter((_, index) => perClass[index].support > 0 || matrix.some((row) => row[index] > 0));
    const mean = (values: number[]) => safeDivide(values.reduce((sum, value) => sum + value, 0), values.length);
    const correct = labels.reduce((sum, _, index) => sum + matrix[index][index], 0);
    const calibrationBins = this.binCount.map((binRows, bin): CalibrationBin => ({
      lower: bin / this.bins,
      upper: (bin + 1) / this.bins,
      count: binRows,
      correct: this.binCorrect[bin],
      accuracy: safeDivide(this.binCorrect[bin], binRows),
      confidence: safeDivide(this.binConfidence[bin], binRows),
    }));
    return {
      labels: [...labels],
      count,
      accuracy: safeDivide(correct, count),
      macroPrecision: mean(present.map((metrics) => metrics.precision)),
      macroRecall: mean(present.map((metrics) => metrics.recall)),
      macroF1: mean(present.map((metrics) => metrics.f1)),
      weightedF1: safeDivide(perClass.reduce((sum, metrics) => sum + metrics.f1 * metrics.support, 0), count),
      perClass,
      confusionMatrix: matrix.map((row) => [...row]),
      expectedCalibrationError: calibrationBins.reduce((sum, bin) => sum + safeDivide(bin.count, count) * Math.abs(bin.accuracy - bin.confidence), 0),
      calibrationBins,
    };
  }
}

export function computeMetrics(labels: string[], gold: number[], predicted: number[], confidence: number[], bins = 10): Metrics {
  const accumulator = new MetricsAccumulator(labels, bins);
  gold.forEach((goldIndex, row) => accumulator.add(goldIndex, predicted[row], confidence[row]));
  return accumulator.result();
}
