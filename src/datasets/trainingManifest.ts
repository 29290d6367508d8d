// The training manifest (training-manifest.json in a model directory): which dataset file a model was
// trained on (name, sha256 of its bytes, row count) and which of its rows went to training, validation
// and test, by row index: the 0-based position among the file's data rows in file order, header
// excluded, rows the reader skips included (the order readRows yields them). It also keeps a short hash
// of every training row's text, so that a copy of the data in another file (re-saved, shuffled, or
// inside a larger file) is recognised too.
//
// How an evaluated dataset is matched against it:
// - the same bytes (equal sha256): the listed training rows, by index;
// - any other file: a row is a training row when its text hash is one of the training texts' hashes.
//   The text is the one the dataset reader builds from the text columns, compared after Unicode NFC,
//   whitespace collapsing and lower-casing; evaluating other text columns than the model was trained
//   on therefore matches nothing.
// Held-out rows are all the others. Validation rows (used to select the model) are recorded but not
// counted as training rows.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { errorMessage } from '../classifier/errors';

export const TRAINING_MANIFEST_FILE = 'training-manifest.json';

/** Bytes of sha256 kept per training text: 2^64 values, so a false match is practically impossible. */
const textHashBytes = 8;

export interface ManifestDataset {
  /** The file's name (not its path: the model may travel to another machine). */
  file: string;
  sha256: string;
  /** Data rows in the file (header excluded). */
  rows: number;
}

export interface TrainingManifest {
  version: 1;
  dataset: ManifestDataset;
  /** Row indices of the dataset, or "all". */
  train: number[] | 'all';
  validation: number[];
  test?: number[];
  /**
   * Base64 of the first 8 bytes of sha256(normalizeText(text)) of every training row, concatenated.
   * Absent: only the same file (by sha256) is recognised.
   */
  train_text_hashes?: string;
  /** Anything else worth knowing, e.g. a validation set in another file. */
  note?: string;
}

export class TrainingManifestError extends Error {
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'TrainingManifestError';
  }
}

/** The form texts are compared in: NFC, whitespace runs as one space, trimmed, lower-cased. */
export function normalizeText(text: string): string {
  return text.normalize('NFC').replace(/\s+/g, ' ').trim().toLowerCase();
}

/** The text hash as hex (16 digits). */
export function textHash(text: string): string {
  return createHash('sha256').update(normalizeText(text)).digest().subarray(0, textHashBytes).toString('hex');
}

export function encodeTextHashes(texts: Iterable<string>): string {
  const parts: Buffer[] = [];
  for (const text of texts) parts.push(Buffer.from(textHash(text), 'hex'));
  return Buffer.concat(parts).toString('base64');
}

function decodeTextHashes(encoded: string): Set<string> {
  const bytes = Buffer.from(encoded, 'base64');
  const hashes = new Set<string>();
  for (let at = 0; at + textHashBytes <= bytes.length; at += textHashBytes) hashes.add(bytes.subarray(at, at + textHashBytes).toString('hex'));
  return hashes;
}

export async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The manifest of a model directory; null when it has none. Throws TrainingManifestError when it is unreadable. */
export function readTrainingManifest(modelDir: string): TrainingManifest | null {
  const file = path.join(modelDir, TRAINING_MANIFEST_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new TrainingManifestError(file, errorMessage(error));
  }
  let value: Partial<TrainingManifest>;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new TrainingManifestError(file, `not valid JSON (${errorMessage(error)})`);
  }
  const dataset = value?.dataset;
  const indices = (list: unknown) => Array.isArray(list) && list.every((index) => Number.isInteger(index) && index >= 0);
  if (value?.version !== 1) throw new TrainingManifestError(file, `unknown version ${JSON.stringify(value?.version)} (expected 1)`);
  if (!dataset || typeof dataset.file !== 'string' || !/^[0-9a-f]{64}$/.test(String(dataset.sha256)) || !Number.isInteger(dataset.rows)) {
    throw new TrainingManifestError(file, 'dataset must have file, sha256 (64 hex digits) and rows');
  }
  if (!(value.train === 'all' || indices(value.train)) || !indices(value.validation) || (value.test !== undefined && !indices(value.test))) {
    throw new TrainingManifestError(file, 'train ("all" or row indices), validation and test must be lists of row indices');
  }
  if (value.train_text_hashes !== undefined && typeof value.train_text_hashes !== 'string') throw new TrainingManifestError(file, 'train_text_hashes must be a base64 string');
  return value as TrainingManifest;
}

export function writeTrainingManifest(dir: string, manifest: TrainingManifest): void {
  fs.writeFileSync(path.join(dir, TRAINING_MANIFEST_FILE), `${JSON.stringify(manifest)}\n`);
}

/** How the evaluated dataset was matched to the training rows. */
export type OverlapMatch = 'same file' | 'text';

/** Tells, row by row, whether an evaluated row was a training row. */
export interface TrainingRowMatcher {
  match: OverlapMatch;
  isTrainingRow(rowIndex: number, text: string): boolean;
}

/** The matcher for a dataset file, or undefined when nothing of it can be a training row. */
export async function trainingRowMatcher(manifest: TrainingManifest, datasetPath: string): Promise<TrainingRowMatcher | undefined> {
  if ((await fileSha256(datasetPath)) === manifest.dataset.sha256) {
    if (manifest.train === 'all') return { match: 'same file', isTrainingRow: () => true };
    const rows = new Set(manifest.train);
    return { match: 'same file', isTrainingRow: (rowIndex) => rows.has(rowIndex) };
  }
  if (!manifest.train_text_hashes) return undefined;
  const hashes = decodeTextHashes(manifest.train_text_hashes);
  return { match: 'text', isTrainingRow: (_rowIndex, text) => hashes.has(textHash(text)) };
}
