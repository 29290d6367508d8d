// Words for a model the extension trained, from the metadata in its config.json: what Select Model…
// shows beside it and what the end-of-training message says. No `vscode` here.
import * as path from 'node:path';
import type { TrainingMetadata } from '../../training/modelDirectory';
import { formatPercent } from '../../training/progress';

const methodNames: Record<TrainingMetadata['method'], string> = {
  'linear-head': 'linear head',
  pytorch: 'PyTorch fine-tuning',
};

export function methodName(method: TrainingMetadata['method']): string {
  return methodNames[method];
}

/** "test accuracy 98.9 % · SMSSpamCollection · 2026-11-29": the number first, where a narrow quick pick cuts the line. */
export function describeTrainedModel(metadata: TrainingMetadata): string {
  const date = metadata.trained_at.slice(0, 10);
  return `test accuracy ${formatPercent(metadata.test_accuracy)} · ${path.basename(metadata.dataset)} · ${date}`;
}

/** The default folder name of a new model: "<dataset>-<method>-<date>", safe on every file system. */
export function defaultModelFolderName(dataset: string, method: TrainingMetadata['method'], now = new Date()): string {
  const name = path.basename(dataset).replace(/\.[^.]+$/, '').replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'dataset';
  return `${name}-${method}-${now.toISOString().slice(0, 10)}`;
}
