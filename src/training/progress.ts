// What a training run reports while it works, shared by both methods: the extension shows it in a
// notification and the output channel, the CLI prints it.
import type { EpochProgress } from './head';

export type TrainingPhase = 'prepare' | 'features' | 'train' | 'write' | 'done';

export interface TrainingProgress {
  phase: TrainingPhase;
  /** One line for a log, e.g. "epoch 12: loss 0.081, validation accuracy 98.2 %". */
  message: string;
  /** Estimated time left in this phase, when known. */
  remainingMs?: number;
  /** Work done in this phase, e.g. windows encoded. */
  done?: number;
  total?: number;
  /** During `train`: the epoch just finished, and which of the settings tried it belongs to. */
  epoch?: EpochProgress & { candidate: number; candidates: number };
}

export type ProgressListener = (progress: TrainingProgress) => void;

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`;
}

export function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)} %`;
}
