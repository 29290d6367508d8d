// The tiny per-family model directories of scripts/compat/make_models.py, generated once into a
// git-ignored cache (.cache/compat-models) and regenerated when the generator's files change. A suite
// that needs them skips itself with a message where Python with numpy and onnx is missing.
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from './paths';

const generatorDir = path.join(repoRoot, 'scripts', 'compat');
export const compatModelsDir = path.join(repoRoot, '.cache', 'compat-models');
/** The texts the vocabularies were built from and the agreement tests classify: English and many scripts, emoji, zero-width and RTL marks. */
export const compatTexts: string[] = JSON.parse(fs.readFileSync(path.join(generatorDir, 'texts.json'), 'utf8'));

/** The family directories (one per model family; the other directories are cases of one family). */
export const COMPAT_FAMILIES = ['bert', 'bert-cased', 'bert-chinese', 'distilbert', 'electra', 'minilm', 'roberta', 'xlm-roberta', 'albert', 'deberta-v3', 'modernbert'];

const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

function generatorHash(): string {
  const hash = crypto.createHash('sha256');
  for (const name of fs.readdirSync(generatorDir).filter((n) => /\.(py|json)$/.test(n)).sort()) hash.update(name).update(fs.readFileSync(path.join(generatorDir, name)));
  return hash.digest('hex');
}

/** The directory of the compat models (generating them when missing or stale), or skips the calling suite. */
export function compatModelsOrSkip(ctx: Mocha.Context): string {
  const stamp = path.join(compatModelsDir, '.generator-hash');
  const hash = generatorHash();
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === hash) return compatModelsDir;
  const run = spawnSync(PYTHON, [path.join(generatorDir, 'make_models.py'), compatModelsDir], { encoding: 'utf8' });
  if (run.error || run.status !== 0) {
    const why = run.error?.message ?? run.stderr.trim().split('\n').at(-1);
    if (/No module named|ENOENT/.test(why ?? '')) {
      console.log(`    (skipped: the compat models need ${PYTHON} with numpy and onnx: ${why})`);
      ctx.skip();
    }
    throw new Error(`scripts/compat/make_models.py failed: ${run.stderr}`);
  }
  fs.writeFileSync(stamp, hash);
  return compatModelsDir;
}
