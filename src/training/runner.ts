// Runs a training job in its own process (process.ts), so the caller's event loop stays free and a
// native crash cannot take it down: progress arrives as events, a cancel is a message (and, if the
// process does not end within a grace period, a kill), a crash is a clear error.
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TrainingCancelledError } from './head';
import type { ProgressListener } from './progress';
import type { HostToTrainer, TrainerToHost, TrainingJob } from './runnerProtocol';
import type { TrainingReport } from './train';
import { StderrTail } from '../classifier/stderrTail';

export interface RunTrainingOptions {
  /** The training process script; default: dist/training.js beside the bundle (or process.js beside this file). */
  script?: string;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** Lines the process writes to stderr (native warnings, crashes). */
  log?: (line: string) => void;
  /** How long a cancelled process may take to clean up before it is killed (default 10 s). */
  cancelGraceMs?: number;
}

/** An error the training process reported, with the name of its class there (e.g. TrainingDataError). */
export class TrainingProcessError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export function defaultTrainingScript(): string {
  const candidates = [path.join(__dirname, 'training.js'), path.join(__dirname, 'process.js')];
  return candidates.find((file) => fs.existsSync(file)) ?? candidates[0];
}

export function runTraining(job: TrainingJob, options: RunTrainingOptions = {}): Promise<TrainingReport> {
  const script = options.script ?? defaultTrainingScript();
  if (!fs.existsSync(script)) return Promise.reject(new Error(`Text Classifier training script not found: ${script} (build it with "npm run build")`));
  if (options.signal?.aborted) return Promise.reject(new TrainingCancelledError());

  return new Promise<TrainingReport>((resolve, reject) => {
    const child = fork(script, [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const stderrTail = new StderrTail(child.stderr!, options.log);
    let outcome: { report: TrainingReport } | { error: Error } | undefined;
    let killTimer: NodeJS.Timeout | undefined;

    const onAbort = () => {
      if (child.connected) child.send({ type: 'cancel' } satisfies HostToTrainer);
      killTimer = setTimeout(() => child.kill('SIGKILL'), options.cancelGraceMs ?? 10_000);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });

    child.on('message', (message: TrainerToHost) => {
      if (message.type === 'progress') options.onProgress?.(message.progress);
      else if (message.type === 'done') outcome = { report: message.report };
      else outcome = { error: message.name === 'TrainingCancelledError' ? new TrainingCancelledError() : new TrainingProcessError(message.name, message.message) };
    });
    child.on('error', (error) => {
      outcome ??= { error: new Error(`cannot start the training process ${script}: ${error.message}`) };
    });
    child.on('exit', (code, signal) => {
      clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
      if (outcome && 'report' in outcome) resolve(outcome.report);
      else if (outcome) reject(outcome.error);
      else if (options.signal?.aborted) reject(new TrainingCancelledError());
      else {
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        reject(new Error(`the training process ${how} before it finished${stderrTail.suffix()}`));
      }
    });
    child.send({ type: 'train', job } satisfies HostToTrainer);
  });
}
