// Where tests find the bundled models and the shared datasets. The datasets live outside the
// project (../shared/datasets beside the checkout, or TEXTCLF_DATASETS); a test that needs one
// skips itself with a message naming the missing path.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..', '..');

export function bundledModel(name: 'sentiment-sst2' | 'news-topic'): string {
  return path.join(repoRoot, 'models', name);
}

export const datasetsDir = path.resolve(process.env.TEXTCLF_DATASETS ?? path.join(repoRoot, '..', 'shared', 'datasets'));

/** The absolute path of a shared dataset file, or skips the calling mocha test/suite when it is absent. */
export function datasetOrSkip(ctx: Mocha.Context, relative: string): string {
  const file = path.join(datasetsDir, relative);
  if (!fs.existsSync(file)) {
    console.log(`    (skipped: dataset ${file} not found; set TEXTCLF_DATASETS to the datasets folder)`);
    ctx.skip();
  }
  return file;
}
