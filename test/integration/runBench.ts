// npm run bench:extension: the extension-host measurements of test/integration/perf in a real VS Code
// (same executable choice as runTest.ts). Numbers go to stdout and test-results/extension-bench.json.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { offlineExecutable, repoRoot } from './runTest';
import { errorMessage } from '../../src/classifier/errors';

async function main() {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-bench-'));
  try {
    await runTests({
      vscodeExecutablePath: offlineExecutable(),
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: path.join(__dirname, 'perf', 'index'),
      launchArgs: [`--user-data-dir=${path.join(scratch, 'user-data')}`, `--extensions-dir=${path.join(scratch, 'extensions')}`],
    });
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(errorMessage(error));
  process.exit(1);
});
