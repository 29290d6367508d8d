// Trains a linear classification head on fixed sentence features: softmax cross-entropy (sigmoid and
// binary cross-entropy for multi-label), Adam, L2 on the weights, mini-batches, class weights against
// imbalance, early stopping on the validation loss. Features are standardized for training and the
// standardization is folded back into the weights, so the head applies to the raw features the graph
// produces. A few thousand rows of 128–768 features train in well under a second per epoch.
import { seededRandom, shuffleInPlace } from './random';

/** Row-major rows × cols. */
export interface FeatureMatrix {
  data: Float32Array;
  rows: number;
  cols: number;
}

export type HeadTargets =
  | { kind: 'single'; numLabels: number; /** label index per row */ classes: Int32Array }
  | { kind: 'multi'; numLabels: number; /** rows × labels, 1 where the row has the label */ matrix: Uint8Array };

export interface LabeledFeatures {
  features: FeatureMatrix;
  targets: HeadTargets;
}

export interface HeadOptions {
  /** Adam step size (default 0.003). */
  learningRate?: number;
  /** L2 penalty on the weights, not the bias (default 0.001). */
  l2?: number;
  batchSize?: number;
  maxEpochs?: number;
  /** Epochs without a better validation loss before stopping (default 20). */
  patience?: number;
  /** 'balanced' weighs each label by rows / (labels × its rows); multi-label: positives by negatives / positives. */
  classWeights?: 'balanced' | 'none';
  seed?: number;
  signal?: AbortSignal;
  onEpoch?: (progress: EpochProgress) => void;
}

export interface EpochProgress {
  epoch: number;
  maxEpochs: number;
  trainLoss: number;
  validationLoss: number;
  /** Single-label: top-1 accuracy; multi-label: rows whose predicted label set is exactly right. */
  validationAccuracy: number;
  bestEpoch: number;
  elapsedMs: number;
  /** Upper bound: early stopping usually ends sooner. */
  remainingMs: number;
}

export interface TrainedHead {
  /** Row-major [numLabels, numFeatures], for the raw (unstandardized) features. */
  weights: Float32Array;
  bias: Float32Array;
  numLabels: number;
  numFeatures: number;
  multiLabel: boolean;
  /** The epoch whose weights were kept (lowest validation loss). */
  bestEpoch: number;
  epochsRun: number;
  validationLoss: number;
  validationAccuracy: number;
  history: EpochProgress[];
}

export class TrainingCancelledError extends Error {
  constructor() {
    super('Training was cancelled');
    this.name = 'TrainingCancelledError';
  }
}

export const DEFAULT_LEARNING_RATE = 0.003;
const DEFAULTS = { learningRate: DEFAULT_LEARNING_RATE, l2: 0.001, batchSize: 32, maxEpochs: 300, patience: 20, classWeights: 'balanced', seed: 42 } as const;

export async function trainHead(train: LabeledFeatures, validation: LabeledFeatures, options: HeadOptions = {}): Promise<TrainedHead> {
  const settings = { ...DEFAULTS, ...definedOnly(options) };
  const cols = train.features.cols;
  const numLabels = train.targets.numLabels;
  checkShapes(train, cols, numLabels, 'training');
  checkShapes(validation, cols, numLabels, 'validation');

  const { mean, scale } = standardization(train.features);
  const trainX = standardize(train.features, mean, scale);
  const validationX = standardize(validation.features, mean, scale);
  const weighting = lossWeights(train.targets, settings.classWeights);

  // Parameters in float64: z = W·x + b on standardized x.
  const weights = new Float64Array(numLabels * cols);
  const bias = new Float64Array(numLabels);
  const adam = new Adam(weights.length + bias.length, settings.learningRate);
  const gradient = new Float64Array(weights.length + bias.length);
  const best = { weights: weights.slice(), bias: bias.slice(), loss: Infinity, accuracy: 0, epoch: 0 };

  const random = seededRandom(settings.seed);
  const order = Int32Array.from({ length: train.features.rows }, (_, i) => i);
  const logits = new Float64Array(numLabels);
  const history: EpochProgress[] = [];
  const started = Date.now();

  for (let epoch = 1; epoch <= settings.maxEpochs; epoch++) {
    if (settings.signal?.aborted) throw new TrainingCancelledError();
    shuffleInPlace(order, random);
    let lossSum = 0;
    let weightSum = 0;
    for (let from = 0; from < order.length; from += settings.batchSize) {
      const to = Math.min(from + settings.batchSize, order.length);
      gradient.fill(0);
      let batchWeight = 0;
      for (let position = from; position < to; position++) {
        const row = order[position];
        forward(trainX, row, weights, bias, logits);
        const { loss, weight } = lossAndLogitGradient(train.targets, row, logits, weighting);
        lossSum += loss;
        weightSum += weight;
        batchWeight += weight;
        accumulate(trainX, row, logits, gradient, numLabels);
      }
      const norm = 1 / batchWeight;
      for (let i = 0; i < weights.length; i++) gradient[i] = gradient[i] * norm + settings.l2 * weights[i];
      for (let k = 0; k < numLabels; k++) gradient[weights.length + k] *= norm;
      adam.step(weights, bias, gradient);
    }

    const evaluation = evaluate(validationX, validation.targets, weights, bias, weighting);
    if (evaluation.loss < best.loss - 1e-7) {
      Object.assign(best, { weights: weights.slice(), bias: bias.slice(), loss: evaluation.loss, accuracy: evaluation.accuracy, epoch });
    }
    const elapsedMs = Date.now() - started;
    const progress: EpochProgress = {
      epoch,
      maxEpochs: settings.maxEpochs,
      trainLoss: lossSum / weightSum,
      validationLoss: evaluation.loss,
      validationAccuracy: evaluation.accuracy,
      bestEpoch: best.epoch,
      elapsedMs,
      remainingMs: (elapsedMs / epoch) * (settings.maxEpochs - epoch),
    };
    history.push(progress);
    settings.onEpoch?.(progress);
    if (epoch - best.epoch >= settings.patience) break;
    // Let a cancel request or a progress message through between epochs.
    await new Promise((resolve) => setImmediate(resolve));
  }

  const folded = foldStandardization(best.weights, best.bias, mean, scale, numLabels, cols);
  return {
    ...folded,
    numLabels,
    numFeatures: cols,
    multiLabel: train.targets.kind === 'multi',
    bestEpoch: best.epoch,
    epochsRun: history.length,
    validationLoss: best.loss,
    validationAccuracy: best.accuracy,
    history,
  };
}

/** Logits of the trained head for raw features, row-major rows × labels. */
export function headLogits(head: Pick<TrainedHead, 'weights' | 'bias' | 'numLabels' | 'numFeatures'>, features: FeatureMatrix): Float32Array {
  const out = new Float32Array(features.rows * head.numLabels);
  for (let row = 0; row < features.rows; row++) {
    const offset = row * features.cols;
    for (let k = 0; k < head.numLabels; k++) {
      let z = head.bias[k];
      const w = k * head.numFeatures;
      for (let j = 0; j < features.cols; j++) z += head.weights[w + j] * features.data[offset + j];
      out[row * head.numLabels + k] = z;
    }
  }
  return out;
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function checkShapes(set: LabeledFeatures, cols: number, numLabels: number, name: string): void {
  const { features, targets } = set;
  if (features.rows === 0) throw new Error(`the ${name} set is empty`);
  if (features.cols !== cols || features.data.length !== features.rows * features.cols) {
    throw new Error(`the ${name} features are ${features.rows} × ${features.cols} with ${features.data.length} values; expected ${cols} columns`);
  }
  if (targets.numLabels !== numLabels) throw new Error(`the ${name} targets have ${targets.numLabels} labels; expected ${numLabels}`);
  const targetRows = targets.kind === 'single' ? targets.classes.length : targets.matrix.length / numLabels;
  if (targetRows !== features.rows) throw new Error(`the ${name} set has ${features.rows} feature rows but ${targetRows} targets`);
}

function standardization(features: FeatureMatrix): { mean: Float64Array; scale: Float64Array } {
  const { data, rows, cols } = features;
  const mean = new Float64Array(cols);
  const scale = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) mean[j] += data[r * cols + j];
  for (let j = 0; j < cols; j++) mean[j] /= rows;
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) {
      const d = data[r * cols + j] - mean[j];
      scale[j] += d * d;
    }
  }
  // A constant feature keeps scale 1 instead of dividing by zero.
  for (let j = 0; j < cols; j++) scale[j] = Math.sqrt(scale[j] / rows) || 1;
  return { mean, scale };
}

function standardize(features: FeatureMatrix, mean: Float64Array, scale: Float64Array): FeatureMatrix {
  const { data, rows, cols } = features;
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) out[r * cols + j] = (data[r * cols + j] - mean[j]) / scale[j];
  return { data: out, rows, cols };
}

/** W·((x − mean) / scale) + b  =  (W / scale)·x + (b − Σ W·mean / scale). */
function foldStandardization(weights: Float64Array, bias: Float64Array, mean: Float64Array, scale: Float64Array, numLabels: number, cols: number) {
  const foldedWeights = new Float32Array(weights.length);
  const foldedBias = new Float32Array(numLabels);
  for (let k = 0; k < numLabels; k++) {
    let shift = bias[k];
    for (let j = 0; j < cols; j++) {
      const w = weights[k * cols + j] / scale[j];
      foldedWeights[k * cols + j] = w;
      shift -= w * mean[j];
    }
    foldedBias[k] = shift;
  }
  return { weights: foldedWeights, bias: foldedBias };
}

interface LossWeights {
  /** Single-label: weight per label. Multi-label: weight of a positive per label (negatives weigh 1). */
  perLabel: Float64Array;
}

function lossWeights(targets: HeadTargets, mode: 'balanced' | 'none'): LossWeights {
  const perLabel = new Float64Array(targets.numLabels).fill(1);
  if (mode === 'none') return { perLabel };
  if (targets.kind === 'single') {
    const counts = new Float64Array(targets.numLabels);
    for (const label of targets.classes) counts[label]++;
    const rows = targets.classes.length;
    for (let k = 0; k < targets.numLabels; k++) perLabel[k] = counts[k] > 0 ? rows / (targets.numLabels * counts[k]) : 0;
  } else {
    const positives = new Float64Array(targets.numLabels);
    for (let i = 0; i < targets.matrix.length; i++) positives[i % targets.numLabels] += targets.matrix[i];
    const rows = targets.matrix.length / targets.numLabels;
    for (let k = 0; k < targets.numLabels; k++) perLabel[k] = positives[k] > 0 ? (rows - positives[k]) / positives[k] : 1;
  }
  return { perLabel };
}

function forward(x: FeatureMatrix, row: number, weights: Float64Array, bias: Float64Array, logits: Float64Array): void {
  const cols = x.cols;
  const offset = row * cols;
  for (let k = 0; k < logits.length; k++) {
    let z = bias[k];
    const w = k * cols;
    for (let j = 0; j < cols; j++) z += weights[w + j] * x.data[offset + j];
    logits[k] = z;
  }
}

/**
 * The row's weighted loss; replaces `logits` by d(weighted loss)/d(logits). `weight` is what the row
 * counts for in the batch mean (its label's weight for single-label, 1 for multi-label).
 */
function lossAndLogitGradient(targets: HeadTargets, row: number, logits: Float64Array, weighting: LossWeights): { loss: number; weight: number } {
  const numLabels = logits.length;
  if (targets.kind === 'single') {
    const label = targets.classes[row];
    const weight = weighting.perLabel[label];
    let max = -Infinity;
    for (let k = 0; k < numLabels; k++) max = Math.max(max, logits[k]);
    let sum = 0;
    for (let k = 0; k < numLabels; k++) sum += Math.exp(logits[k] - max);
    const logSum = Math.log(sum) + max;
    const loss = weight * (logSum - logits[label]);
    for (let k = 0; k < numLabels; k++) logits[k] = weight * (Math.exp(logits[k] - logSum) - (k === label ? 1 : 0));
    return { loss, weight };
  }
  let loss = 0;
  for (let k = 0; k < numLabels; k++) {
    const z = logits[k];
    const positive = targets.matrix[row * numLabels + k] === 1;
    const p = 1 / (1 + Math.exp(-z));
    // log(1 + e^-z) and log(1 + e^z), computed without overflow.
    const softplusNeg = Math.max(-z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
    if (positive) {
      loss += weighting.perLabel[k] * softplusNeg;
      logits[k] = (weighting.perLabel[k] * (p - 1)) / numLabels;
    } else {
      loss += softplusNeg + z;
      logits[k] = p / numLabels;
    }
  }
  return { loss: loss / numLabels, weight: 1 };
}

function accumulate(x: FeatureMatrix, row: number, logitGradient: Float64Array, gradient: Float64Array, numLabels: number): void {
  const cols = x.cols;
  const offset = row * cols;
  for (let k = 0; k < numLabels; k++) {
    const g = logitGradient[k];
    if (g === 0) continue;
    const w = k * cols;
    for (let j = 0; j < cols; j++) gradient[w + j] += g * x.data[offset + j];
    gradient[numLabels * cols + k] += g;
  }
}

function evaluate(x: FeatureMatrix, targets: HeadTargets, weights: Float64Array, bias: Float64Array, weighting: LossWeights): { loss: number; accuracy: number } {
  const numLabels = targets.numLabels;
  const logits = new Float64Array(numLabels);
  let lossSum = 0;
  let weightSum = 0;
  let correct = 0;
  for (let row = 0; row < x.rows; row++) {
    forward(x, row, weights, bias, logits);
    correct += isCorrect(targets, row, logits) ? 1 : 0;
    const { loss, weight } = lossAndLogitGradient(targets, row, logits, weighting);
    lossSum += loss;
    weightSum += weight;
  }
  return { loss: lossSum / weightSum, accuracy: correct / x.rows };
}

function isCorrect(targets: HeadTargets, row: number, logits: Float64Array): boolean {
  if (targets.kind === 'single') {
    let argmax = 0;
    for (let k = 1; k < logits.length; k++) if (logits[k] > logits[argmax]) argmax = k;
    return argmax === targets.classes[row];
  }
  for (let k = 0; k < logits.length; k++) {
    if (logits[k] > 0 !== (targets.matrix[row * logits.length + k] === 1)) return false;
  }
  return true;
}

/** Adam (Kingma & Ba) over the weights and the bias as one parameter vector. */
class Adam {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;

  constructor(size: number, private readonly learningRate: number, private readonly beta1 = 0.9, private readonly beta2 = 0.999, private readonly epsilon = 1e-8) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }

  step(weights: Float64Array, bias: Float64Array, gradient: Float64Array): void {
    this.t++;
    const correction1 = 1 - Math.pow(this.beta1, this.t);
    const correction2 = 1 - Math.pow(this.beta2, this.t);
    for (let i = 0; i < gradient.length; i++) {
      const g = gradient[i];
      this.m[i] = this.beta1 * this.m[i] + (1 - this.beta1) * g;
      this.v[i] = this.beta2 * this.v[i] + (1 - this.beta2) * g * g;
      const update = (this.learningRate * (this.m[i] / correction1)) / (Math.sqrt(this.v[i] / correction2) + this.epsilon);
      if (i < weights.length) weights[i] -= update;
      else bias[i - weights.length] -= update;
    }
  }
}
