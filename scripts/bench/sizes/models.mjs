// The benchmark's real-size models (make_models.py): generated on first use into .cache/size-models/,
// reused while the generator and its inputs are unchanged.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { log, repoRoot } from '../common.mjs';

export const SIZE_MODEL_NAMES = ['bert-base', 'distilbert'];
const generator = path.join(repoRoot, 'scripts', 'bench', 'sizes', 'make_models.py');
// Debian's torch is installed for /usr/bin/python3 only (TRAINING-NOTES.md); TEXTCLF_PYTHON overrides.
const python = process.env.TEXTCLF_PYTHON ?? (fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

/** {name: model directory} for `names`, generating what is missing or stale (about a minute per model). */
export async function sizeModels(names = SIZE_MODEL_NAMES) {
  log(`size models: ${python} ${path.relative(repoRoot, generator)} ${names.join(' ')}`);
  try {
    const { stdout, stderr } = await promisify(execFile)(python, [generator, ...names], { maxBuffer: 1 << 20 });
    if (stderr.trim()) log(stderr.trim());
    return JSON.parse(stdout);
  } catch (error) {
    throw new Error(`could not generate the size models with ${python} (needs torch and onnx: apt-get install python3-torch python3-onnx): ${error.stderr?.trim() || error.message}`, { cause: error });
  }
}
