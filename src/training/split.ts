// Checks a labeled dataset before any training starts, and makes the seeded stratified
// train/validation/test split. Every problem is reported with the dataset and the lines concerned.
import { seededRandom, shuffleInPlace } from './random';

/**
 * One labeled text. An array label makes the dataset multi-label. `line` is 1-based, for messages;
 * `row` is the 0-based index among the file's data rows (see trainingManifest.ts), for the manifest.
 */
export interface TrainingExample {
  text: string;
  label: string | string[];
  line?: number;
  row?: number;
}

export interface SplitFractions {
  train: number;
  validation: number;
  test: number;
}

export const DEFAULT_FRACTIONS: SplitFractions = { train: 0.8, validation: 0.1, test: 0.1 };

export type SplitName = 'train' | 'validation' | 'test';

export interface DatasetSplits {
  train: TrainingExample[];
  validation: TrainingExample[];
  test: TrainingExample[];
  /** All labels, sorted: the order of the new model's logits. */
  labels: string[];
  multiLabel: boolean;
  /** How the splits were made, for the progress log and the model card. */
  description: string;
}

export class TrainingDataError extends Error {
  constructor(
    /** The dataset (file path or name) the problem is in. */
    readonly source: string,
    problem: string,
  ) {
    super(`${source}: ${problem}`);
    this.name = 'TrainingDataError';
  }
}

export function labelsOf(example: TrainingExample): string[] {
  return Array.isArray(example.label) ? example.label : [example.label];
}

/**
 * Checks that the examples can train a classifier: at least one, no empty text or label, and at least
 * two labels (checked on the whole dataset, not on one split). Returns the sorted label list.
 */
export function validateExamples(examples: TrainingExample[], source: string, split?: SplitName): { labels: string[]; multiLabel: boolean } {
  const where = split ? ` (${split} split)` : '';
  if (examples.length === 0) throw new TrainingDataError(source, `no examples${where}`);
  const emptyTexts = examples.filter((example) => example.text.trim() === '');
  if (emptyTexts.length > 0) {
    throw new TrainingDataError(source, `${emptyTexts.length} example(s)${where} have an empty text: ${describeRows(examples, emptyTexts)}; remove them or fill them in`);
  }
  const emptyLabels = examples.filter((example) => labelsOf(example).length === 0 || labelsOf(example).some((label) => label.trim() === ''));
  if (emptyLabels.length > 0) {
    throw new TrainingDataError(source, `${emptyLabels.length} example(s)${where} have an empty label: ${describeRows(examples, emptyLabels)}`);
  }
  const multiLabel = examples.some((example) => Array.isArray(example.label));
  const labels = [...new Set(examples.flatMap(labelsOf))].sort();
  if (!split && labels.length < 2 && !multiLabel) {
    throw new TrainingDataError(source, `every example has the label "${labels[0]}"; a classifier needs at least two labels`);
  }
  return { labels, multiLabel };
}

/**
 * A seeded stratified split: each label's examples are shuffled and cut by the fractions, so every
 * split holds every label in about the dataset's proportions. Multi-label examples are stratified by
 * their rarest label.
 */
export function stratifiedSplit(
  examples: TrainingExample[],
  options: { source: string; seed?: number; fractions?: SplitFractions },
): DatasetSplits {
  const { source } = options;
  const seed = options.seed ?? 42;
  const fractions = options.fractions ?? DEFAULT_FRACTIONS;
  checkFractions(fractions, source);
  const { labels, multiLabel } = validateExamples(examples, source);

  const counts = new Map<string, number>();
  for (const example of examples) for (const label of labelsOf(example)) counts.set(label, (counts.get(label) ?? 0) + 1);
  const tooRare = labels.filter((label) => counts.get(label)! < 3);
  if (tooRare.length > 0) {
    const details = tooRare.map((label) => {
      const rows = examples.filter((example) => labelsOf(example).includes(label));
      return `"${label}" has ${rows.length} (${describeRows(examples, rows)})`;
    });
    throw new TrainingDataError(
      source,
      `every label needs at least 3 examples for a train/validation/test split; ${details.join('; ')}. Add examples or remove the label`,
    );
  }

  const strata = new Map<string, number[]>();
  examples.forEach((example, index) => {
    const key = labelsOf(example).reduce((rarest, label) => (counts.get(label)! < counts.get(rarest)! ? label : rarest));
    if (!strata.has(key)) strata.set(key, []);
    strata.get(key)!.push(index);
  });

  const random = seededRandom(seed);
  const picked: Record<SplitName, number[]> = { train: [], validation: [], test: [] };
  for (const key of [...strata.keys()].sort()) {
    const indices = strata.get(key)!;
    shuffleInPlace(indices, random);
    const n = indices.length;
    const validation = n >= 3 ? Math.max(1, Math.round(n * fractions.validation)) : 0;
    const test = n >= 3 ? Math.max(1, Math.round(n * fractions.test)) : 0;
    picked.validation.push(...indices.slice(0, validation));
    picked.test.push(...indices.slice(validation, validation + test));
    picked.train.push(...indices.slice(validation + test));
  }
  // Keep each split in file order: easier to read back, and independent of the strata order.
  const take = (indices: number[]) => indices.sort((a, b) => a - b).map((index) => examples[index]);
  const splits: DatasetSplits = {
    train: take(picked.train),
    validation: take(picked.validation),
    test: take(picked.test),
    labels,
    multiLabel,
    description:
      `seeded stratified split (seed ${seed}, ${percent(fractions.train)}/${percent(fractions.validation)}/${percent(fractions.test)}): ` +
      `${picked.train.length} train, ${picked.validation.length} validation, ${picked.test.length} test`,
  };
  checkSplits(splits, source);
  return splits;
}

/**
 * For splits the user gave: each must be valid, every label must occur in every split, and no split may
 * hold a label the training split lacks.
 */
export function checkSplits(splits: Omit<DatasetSplits, 'labels' | 'multiLabel'> & Partial<DatasetSplits>, source: string): DatasetSplits {
  const names: SplitName[] = ['train', 'validation', 'test'];
  const perSplit = names.map((name) => validateExamples(splits[name], source, name));
  const labels = [...new Set(perSplit.flatMap((result) => result.labels))].sort();
  const multiLabel = perSplit.some((result) => result.multiLabel);
  if (labels.length < 2 && !multiLabel) {
    throw new TrainingDataError(source, `every example has the label "${labels[0]}"; a classifier needs at least two labels`);
  }
  names.forEach((name, index) => {
    const present = new Set(perSplit[index].labels);
    const missing = labels.filter((label) => !present.has(label));
    if (missing.length > 0) {
      throw new TrainingDataError(
        source,
        `the ${name} split has no example of ${missing.map((label) => `"${label}"`).join(', ')} ` +
          `(labels in the other splits: ${labels.join(', ')}); every split needs every label`,
      );
    }
  });
  return { ...splits, labels, multiLabel } as DatasetSplits;
}

function checkFractions(fractions: SplitFractions, source: string): void {
  const values = [fractions.train, fractions.validation, fractions.test];
  const sum = values.reduce((a, b) => a + b, 0);
  if (values.some((value) => !(value > 0)) || Math.abs(sum - 1) > 1e-6) {
    throw new TrainingDataError(source, `split fractions must be positive and add up to 1, got ${values.join('/')}`);
  }
}

/** "lines 3, 17, 20 and 4 more" (or row numbers when the examples carry no line). */
function describeRows(all: TrainingExample[], rows: TrainingExample[]): string {
  const shown = rows.slice(0, 8).map((row) => String(row.line ?? all.indexOf(row) + 1));
  const more = rows.length > shown.length ? ` and ${rows.length - shown.length} more` : '';
  const noun = rows.every((row) => row.line !== undefined) ? (rows.length === 1 ? 'line' : 'lines') : rows.length === 1 ? 'row' : 'rows';
  return `${noun} ${shown.join(', ')}${more}`;
}

function percent(fraction: number): string {
  return `${Math.round(fraction * 100)}`;
}
