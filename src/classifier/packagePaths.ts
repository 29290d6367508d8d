// Where the package is installed, so the bundled models and scripts are found from dist/ (the CLI,
// the worker, the extension) as well as from the compiled sources (out/src) the tests run.
// Host-safe: no native imports.
import * as fs from 'node:fs';
import * as path from 'node:path';

const packageName = 'local-text-classifier';

export function packageRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, 'utf8')).name === packageName) return dir;
    if (path.dirname(dir) === dir) throw new Error(`cannot find the ${packageName} package above ${__dirname}`);
  }
}

export function packageVersion(): string {
  return JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')).version;
}

export function bundledModelsDir(): string {
  return path.join(packageRoot(), 'models');
}

export const defaultModelName = 'sentiment-sst2';

export function defaultModelDir(): string {
  return path.join(bundledModelsDir(), defaultModelName);
}
