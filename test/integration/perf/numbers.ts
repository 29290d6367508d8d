// The numbers of every npm run bench:extension measurement, written together to
// test-results/extension-bench.json (each perf file writes the whole set when it finishes).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../../support/paths';

export const numbers: Record<string, number | string> = {};

export function writeNumbers(): void {
  fs.mkdirSync(path.join(repoRoot, 'test-results'), { recursive: true });
  fs.writeFileSync(path.join(repoRoot, 'test-results', 'extension-bench.json'), `${JSON.stringify(numbers, null, 2)}\n`);
  console.log(JSON.stringify(numbers, null, 2));
}
