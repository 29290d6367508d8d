// Runs a quantize job in its own process (dist/quantize.js), so that reading, quantizing and evaluating a
// model of hundreds of megabytes never runs on the extension host: progress arrives as events, a cancel
// kills the process and removes the directory it was building, a crash is a clear error.
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { QuantizeJob, QuantizeJobProgress, QuantizeJobResult } from './job';
import type { HostToQuantizer, QuantizerToHost } from './runnerProtocol';
import { stagingPrefix } from './staging';
import { StderrTail } from '../classifier/stderrTail';

export interface RunQuantizeOptions {
  /** The quantize process script (dist/quantize.js). */
  script: string;
  signal?: AbortSignal;
  onProgress?: (progress: QuantizeJobProgress) => void;
  /** Lines the process writes to stderr (native warnings, crashes). */
  log?: (line: string) => void;
}

export class QuantizeCancelledError extends Error {
  constructor() {
    super('quantizing was cancelled');
    this.name = 'QuantizeCancelledError';
  }
}

/** An error the quantize process reported, with the name of its class there (e.g. QuantizeError). */
export class QuantizeProcessError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export function runQuantize(job: QuantizeJob, options: RunQuantizeOptions): Promise<QuantizeJobResult> {
  const { script, signal } = options;
  if (!fs.existsSync(script)) return Promise.reject(new Error(`Text Classifier quantize script not found: ${script} (build it with "npm run build")`));
  if (signal?.aborted) return Promise.reject(new QuantizeCancelledError());

  return new Promise<QuantizeJobResult>((resolve, reject) => {
    const child = fork(script, [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const stderrTail = new StderrTail(child.stderr!, options.log);
    let outcome: { result: QuantizeJobResult } | { error: Error } | undefined;

    const onAbort = () => child.kill('SIGKILL');
    signal?.addEventListener('abort', onAbort, { once: true });

    child.on('message', (message: QuantizerToHost) => {
      if (message.type === 'progress') options.onProgress?.(message.progress);
      else if (message.type === 'done') outcome = { result: message.result };
      else outcome = { error: new QuantizeProcessError(message.name, message.message) };
    });
    child.on('error', (error) => {
      outcome ??= { error: new Error(`cannot start the quantize process ${script}: ${error.message}`) };
    });
    child.on('exit', (code, exitSignal) => {
      signal?.removeEventListener('abort', onAbort);
      if (outcome && 'result' in outcome) return resolve(outcome.result);
      // A killed process could not remove the directory it was building: remove it here.
      if (child.pid !== undefined) removeStaging(job.outDir, child.pid);
      if (signal?.aborted) reject(new QuantizeCancelledError());
      else if (outcome) reject(outcome.error);
      else {
        const how = exitSignal ? `was killed by ${exitSignal}` : `exited with code ${code}`;
        reject(new Error(`the quantize process ${how} before it finished${stderrTail.suffix()}`));
      }
    });
    child.send({ type: 'quantize', job } satisfies HostToQuantizer);
  });
}

function removeStaging(outDir: string, pid: number): void {
  const resolved = path.resolve(outDir);
  const prefix = stagingPrefix(resolved, pid);
  let names: string[];
  try {
    names = fs.readdirSync(path.dirname(resolved));
  } catch {
    return;
  }
  for (const name of names) if (name.startsWith(prefix)) fs.rmSync(path.join(path.dirname(resolved), name), { recursive: true, force: true });
}
