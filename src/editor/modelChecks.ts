// What `textclf models --check` found for each model directory (run by the worker), remembered while the
// directory's files and the chosen variant are unchanged: Select Model… shows a model checked before at
// once, instead of checking every listed model again each time it opens.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ModelCheck, ModelVariant } from '../classifier/types';

export class ModelChecks {
  private readonly known = new Map<string, { stamp: string; check: ModelCheck }>();

  constructor(private readonly run: (dir: string, variant: ModelVariant | undefined) => Promise<ModelCheck>) {}

  /** The remembered check, if the directory has not changed since. */
  cached(dir: string, variant: ModelVariant | undefined): ModelCheck | undefined {
    return this.remembered(dir, variant, filesStamp(dir));
  }

  async check(dir: string, variant: ModelVariant | undefined): Promise<ModelCheck> {
    const stamp = filesStamp(dir);
    const remembered = this.remembered(dir, variant, stamp);
    if (remembered) return remembered;
    const check = await this.run(dir, variant);
    this.known.set(key(dir, variant), { stamp, check });
    return check;
  }

  private remembered(dir: string, variant: ModelVariant | undefined, stamp: string): ModelCheck | undefined {
    const entry = this.known.get(key(dir, variant));
    return entry?.stamp === stamp ? entry.check : undefined;
  }
}

const key = (dir: string, variant: ModelVariant | undefined) => `${variant ?? 'auto'}\n${path.resolve(dir)}`;

/** Names, sizes and modification times of the directory's files and of those in its onnx/ folder. */
function filesStamp(dir: string): string {
  const entries: string[] = [];
  for (const folder of [dir, path.join(dir, 'onnx')]) {
    let names: string[];
    try {
      names = fs.readdirSync(folder).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      try {
        const stat = fs.statSync(path.join(folder, name));
        if (stat.isFile()) entries.push(`${path.relative(dir, path.join(folder, name))} ${stat.size} ${stat.mtimeMs}`);
      } catch {
        // removed meanwhile: the stamp differs from the one that had it
      }
    }
  }
  return entries.join('\n');
}
