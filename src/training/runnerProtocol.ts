// Messages between the host (runner.ts: the extension host or the CLI) and the training process
// (process.ts). Everything in them survives structured cloning (the channel uses 'advanced' serialization).
import type { DatasetFiles } from './datasetFiles';
import type { TrainingProgress } from './progress';
import type { TrainClassifierRequest, TrainingDataset, TrainingReport } from './train';

export type TrainingJob = Omit<TrainClassifierRequest, 'signal' | 'onProgress' | 'dataset'> & {
  /** Examples already in memory, or dataset files that the training process reads itself. */
  dataset: TrainingDataset | { files: Omit<DatasetFiles, 'signal'> };
};

export type HostToTrainer = { type: 'train'; job: TrainingJob } | { type: 'cancel' };

export type TrainerToHost =
  | { type: 'progress'; progress: TrainingProgress }
  | { type: 'done'; report: TrainingReport }
  | { type: 'error'; name: string; message: string };
