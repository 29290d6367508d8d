// Method 2: fine-tune the whole model with PyTorch, through the bundled-models training pipeline
// (finetune/finetune.py and the modules beside it, which scripts/train/ shares). Python with torch must be
// on the machine: checkPytorch says whether it is and, if not, why, before anything starts. The Python
// process streams its progress as JSON lines; the model it exports is then measured here, on the
// validation and test splits, with the engine (the numbers in the card are those of the ONNX file that ships).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import type { Bundle } from '../engine/bundle';
import { Engine } from '../engine/engine';
import { physicalCores } from '../classifier/cores';
import { packageRoot } from '../classifier/packagePaths';
import { checkPytorch, PIPELINE_DIR } from './pytorchCheck';
import type { EngineOptions } from '../classifier/types';
import { evaluateLogits, type SplitMetrics } from './evaluation';
import { TrainingCancelledError, type HeadTargets } from './head';
import type { MethodResult } from './linearHead';
import { formatDuration, formatPercent, type ProgressListener } from './progress';
import type { DatasetSplits, TrainingExample } from './split';

export interface PytorchSettings {
  /** Hyper-parameter overrides for the pipeline (epochs, lr, batch_size…). */
  overrides?: Record<string, number | string>;
  /** Start from the base model's weights (default) or train a new model on the dataset alone. */
  init?: 'base' | 'scratch';
  /** The Python interpreter (default /usr/bin/python3 where it exists, else python3 on the PATH). */
  python?: string;
}

/** OpenBLAS misdetects some AVX-512 CPUs and falls back to slow kernels (TRAINING-NOTES); only say so where it is true. */
function hasAvx512(): boolean {
  try {
    return /\bavx512f\b/.test(fs.readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
}

export async function trainPytorch(
  base: Bundle,
  splits: DatasetSplits,
  options: { settings?: PytorchSettings; engine?: EngineOptions; seed: number; signal?: AbortSignal; onProgress?: ProgressListener },
): Promise<MethodResult> {
  const report = options.onProgress ?? (() => undefined);
  const settings = options.settings ?? {};
  if (splits.multiLabel) throw new Error('PyTorch fine-tuning supports single-label datasets only; use the linear-head method for multi-label data');
  const availability = await checkPytorch({ python: settings.python });
  if (!availability.available) throw new Error(`PyTorch training is not available: ${availability.reason}`);

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-pytorch-'));
  const cleanup = () => fs.rmSync(work, { recursive: true, force: true });
  try {
    const index = new Map(splits.labels.map((label, i) => [label, i]));
    const rows = (examples: TrainingExample[]) => examples.map((example) => [example.text, index.get(example.label as string)]);
    const out = path.join(work, 'model');
    const jobFile = path.join(work, 'job.json');
    fs.writeFileSync(
      jobFile,
      JSON.stringify({
        train: rows(splits.train),
        validation: rows(splits.validation),
        labels: splits.labels,
        out,
        seed: options.seed,
        base: settings.init === 'scratch' ? null : base.dir,
        settings: settings.overrides ?? {},
      }),
    );

    const started = Date.now();
    const done = await runPipeline(availability.python, jobFile, options.signal, (event) => {
      if (event.event === 'start') {
        report({ phase: 'train', message: `PyTorch ${availability.torchVersion}: ${event.init === 'base' ? `fine-tuning ${base.name}` : 'training a new model'} on ${event.train} examples, ${event.epochs} epochs (${event.steps} steps)` });
      } else if (event.event === 'eval') {
        const epochs = Math.round((event.steps as number) / ((event.step as number) / (event.epoch as number)));
        const elapsedMs = (event.seconds as number) * 1000;
        report({
          phase: 'train',
          message: `epoch ${event.epoch}/${epochs}: loss ${(event.loss as number).toFixed(4)}, validation accuracy ${formatPercent(event.validation_accuracy as number)}`,
          remainingMs: (elapsedMs / (event.step as number)) * ((event.steps as number) - (event.step as number)),
          done: event.step as number,
          total: event.steps as number,
        });
      } else if (event.event === 'note') {
        report({ phase: 'train', message: String(event.message) });
      }
    });
    const trainingMs = Date.now() - started;

    report({ phase: 'train', message: `measuring the exported model on the validation and test splits` });
    const [validation, test] = await measure(out, [splits.validation, splits.test], splits, options.engine, options.signal);
    report({ phase: 'train', message: `validation accuracy ${formatPercent(validation.accuracy)}, test accuracy ${formatPercent(test.accuracy)}; trained in ${formatDuration(trainingMs)}` });
    return {
      onnx: fs.readFileSync(path.join(out, 'onnx', 'model.onnx')),
      tokenizerDir: out,
      config: JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')),
      validation,
      test,
      settings: {
        init: done.init,
        selected_epoch: done.selected_epoch,
        ...(done.settings as Record<string, unknown>),
        training_seconds: Math.round(trainingMs / 100) / 10,
        torch: availability.torchVersion,
      },
      featuresMs: 0,
      trainingMs,
      cleanup,
    };
  } catch (error) {
    cleanup();
    throw error;
  }
}

type PipelineEvent = { event: string } & Record<string, unknown>;

/** Runs finetune.py; resolves with its "done" event. A cancel kills it; a failure carries its last stderr lines. */
function runPipeline(python: string, jobFile: string, signal: AbortSignal | undefined, onEvent: (event: PipelineEvent) => void): Promise<PipelineEvent> {
  if (signal?.aborted) return Promise.reject(new TrainingCancelledError());
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: process.env.OPENBLAS_NUM_THREADS ?? String(physicalCores()) };
  if (!env.OPENBLAS_CORETYPE && hasAvx512()) env.OPENBLAS_CORETYPE = 'SkylakeX';
  const child = spawn(python, [path.join(packageRoot(), PIPELINE_DIR, 'finetune.py'), jobFile], { stdio: ['ignore', 'pipe', 'pipe'], env });
  const stderr: string[] = [];
  let finished: PipelineEvent | undefined;
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    let event: PipelineEvent;
    try {
      event = JSON.parse(line);
    } catch {
      event = { event: 'note', message: line };
    }
    if (event.event === 'done') finished = event;
    onEvent(event);
  });
  readline.createInterface({ input: child.stderr }).on('line', (line) => {
    stderr.push(line);
    if (stderr.length > 30) stderr.shift();
  });
  const onAbort = () => child.kill('SIGTERM');
  signal?.addEventListener('abort', onAbort, { once: true });
  return new Promise((resolve, reject) => {
    child.on('error', (error) => reject(new Error(`cannot start ${python}: ${error.message}`)));
    child.on('close', (code, killedBy) => {
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) reject(new TrainingCancelledError());
      else if (code === 0 && finished) resolve(finished);
      else {
        const how = killedBy ? `was killed by ${killedBy}` : `exited with code ${code}`;
        const detail = stderr.filter((line) => line.trim() && !/Warning|warnings\.warn/.test(line)).slice(-6).join('\n');
        reject(new Error(`PyTorch training ${how}${detail ? `:\n${detail}` : ''}`));
      }
    });
  });
}

/** Accuracy and F1 of a model directory on labeled splits, with the engine (scores in label order). */
async function measure(modelDir: string, sets: TrainingExample[][], splits: DatasetSplits, engineOptions: EngineOptions | undefined, signal?: AbortSignal): Promise<SplitMetrics[]> {
  const engine = await Engine.load(modelDir, { ...engineOptions, preferQuantized: false, cacheSize: 0 });
  try {
    const results: SplitMetrics[] = [];
    for (const examples of sets) {
      const packed = await engine.classifyPacked(examples.map((example) => example.text), { signal });
      if (packed.labels.join('\n') !== splits.labels.join('\n')) throw new Error(`the exported model's labels (${packed.labels.join(', ')}) are not the dataset's`);
      // Log-probabilities rank like logits: the argmax is the same.
      const logits = Float32Array.from(packed.scores, (score) => Math.log(Math.max(score, 1e-30)));
      const targets: HeadTargets = { kind: 'single', numLabels: splits.labels.length, classes: Int32Array.from(examples, (example) => splits.labels.indexOf(example.label as string)) };
      results.push(evaluateLogits(logits, targets, splits.labels));
    }
    return results;
  } finally {
    await engine.dispose();
  }
}
