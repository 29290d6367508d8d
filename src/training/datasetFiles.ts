// Training data from dataset files (CSV, TSV, JSONL), read with the dataset readers of src/datasets: one
// file to split here, or train/validation/test files. Rows the readers cannot use are kept in the list
// of skipped rows with their line and reason, and reported with the model.
import { readRows } from '../datasets/rows';
import { inspectDataset } from '../datasets/schema';
import type { SchemaOptions, SkippedRow } from '../datasets/types';
import type { TrainingExample } from './split';
import type { TrainingDataset } from './train';

export interface DatasetFiles {
  /** The dataset, or its training split when validation and test are given too. */
  train: string;
  validation?: string;
  test?: string;
  /** Format and columns, when they should not be inferred. Applies to every file. */
  schema?: SchemaOptions;
  signal?: AbortSignal;
}

export interface SkippedTrainingRow extends SkippedRow {
  file: string;
}

export async function readTrainingDataset(files: DatasetFiles): Promise<TrainingDataset & { skipped: SkippedTrainingRow[] }> {
  let trainFileRows = 0;
  const given = [files.validation, files.test].filter((file) => file !== undefined).length;
  if (given === 1) {
    throw new Error(`give both a validation and a test file, or neither (a seeded split is then made from ${files.train})`);
  }
  const skipped: SkippedTrainingRow[] = [];
  const read = async (file: string): Promise<TrainingExample[]> => {
    const schema = await inspectDataset(file, files.schema);
    const examples: TrainingExample[] = [];
    let index = 0;
    for await (const row of readRows(schema, { signal: files.signal })) {
      if (row.kind === 'row') examples.push({ text: row.text, label: row.label, line: row.line, row: index });
      else skipped.push({ file, line: row.line, reason: row.reason, detail: row.detail });
      index++;
    }
    if (file === files.train) trainFileRows = index;
    return examples;
  };
  if (given === 0) {
    const examples = await read(files.train);
    return { name: files.train, examples, skipped, file: { path: files.train, rows: trainFileRows } };
  }
  const splits = { train: await read(files.train), validation: await read(files.validation!), test: await read(files.test!) };
  return { name: files.train, splits, skipped, file: { path: files.train, rows: trainFileRows } };
}
