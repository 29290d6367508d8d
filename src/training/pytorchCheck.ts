// Whether PyTorch fine-tuning can run here (checkPytorch), apart from the training itself: the extension
// host asks this, and pytorch.ts imports the engine, which must stay out of the host's bundle.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../classifier/packagePaths';

export type PytorchAvailability = { available: true; python: string; torchVersion: string } | { available: false; reason: string };

/** The fine-tuning pipeline in the package's finetune/ folder (.vscodeignore ships exactly that folder's Python). */
export const PIPELINE_DIR = 'finetune';
const PIPELINE_FILES = ['finetune.py', 'loop.py', 'model.py', 'export.py', 'wordpiece.py'];

export function defaultPython(): string {
  if (process.platform === 'win32') return 'python';
  return fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

/** Whether method 2 can run here; when not, a reason a user can act on. */
export async function checkPytorch(options: { python?: string } = {}): Promise<PytorchAvailability> {
  const python = options.python ?? defaultPython();
  const pipeline = path.join(packageRoot(), PIPELINE_DIR);
  const missing = PIPELINE_FILES.filter((file) => !fs.existsSync(path.join(pipeline, file)));
  if (missing.length > 0) {
    return { available: false, reason: `the PyTorch training pipeline is not part of this installation (missing ${missing.map((file) => `${PIPELINE_DIR}/${file}`).join(', ')})` };
  }
  const probe = await runToEnd(python, ['-c', 'import numpy, onnx, torch; print(torch.__version__)'], 60_000);
  if (probe.error) {
    return { available: false, reason: `${python} cannot be run (${probe.error}); install Python 3 with PyTorch (Debian/Ubuntu: apt-get install python3-torch python3-onnx)` };
  }
  if (probe.code !== 0) {
    const module = /No module named '([^']+)'/.exec(probe.stderr)?.[1];
    const what = module ? `has no "${module}" module` : `failed to import torch (${probe.stderr.trim().split('\n').at(-1)})`;
    return { available: false, reason: `${python} ${what}; install it (Debian/Ubuntu: apt-get install python3-torch python3-onnx)` };
  }
  return { available: true, python, torchVersion: probe.stdout.trim() };
}

function runToEnd(command: string, args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string; error?: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', (error) => resolve({ code: null, stdout, stderr, error: error.message }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

