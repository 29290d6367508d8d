// Runs the integration tests in a real VS Code through @vscode/test-electron.
// Offline (this project's CI): the VS Code executable is scripts/vscode/code-shim, which runs the real
// VS Code server (code-server, provisioned by scripts/vscode/provision.sh) in headless Chromium. It is
// used when VSCODE_EXECUTABLE names it (or another VS Code) or when the provisioned cache exists;
// otherwise runTests downloads desktop VS Code as usual.
import * as childProcess from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';
import { errorMessage } from '../../src/classifier/errors';

export const repoRoot = path.resolve(__dirname, '..', '..', '..');
const fixtures = path.join(repoRoot, 'test', 'integration', 'fixtures');

export function offlineExecutable(): string | undefined {
  if (process.env.VSCODE_EXECUTABLE) return path.resolve(process.env.VSCODE_EXECUTABLE);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS script outside the compiled tree, loaded by its path
  const codeServer = require(path.join(repoRoot, 'scripts', 'vscode', 'code-server.js')) as { isProvisioned(): boolean };
  return codeServer.isProvisioned() ? path.join(repoRoot, 'scripts', 'vscode', 'code-shim') : undefined;
}

/** A fresh copy of a fixture workspace, so tests may edit and save files freely. */
function copyFixture(name: string, scratch: string): string {
  const target = path.join(scratch, name);
  fs.cpSync(path.join(fixtures, name), target, { recursive: true });
  return target;
}

/**
 * runTests always passes --disable-workspace-trust; the untrusted-workspace suite needs trust on,
 * so it starts the same executable with the same arguments minus that flag.
 */
async function runUntrusted(executable: string | undefined, folder: string, extensionTestsPath: string, scratch: string) {
  const vscode = executable ?? (await downloadAndUnzipVSCode());
  const args = [folder, `--extensionDevelopmentPath=${repoRoot}`, `--extensionTestsPath=${extensionTestsPath}`,
    `--user-data-dir=${path.join(scratch, 'untrusted-user-data')}`, `--extensions-dir=${path.join(scratch, 'untrusted-extensions')}`,
    '--no-sandbox', '--disable-gpu-sandbox', '--disable-updates', '--skip-welcome', '--skip-release-notes'];
  const code = await new Promise<number>((resolve) => {
    childProcess.spawn(vscode, args, { stdio: 'inherit' }).on('exit', (exitCode) => resolve(exitCode ?? 1));
  });
  if (code !== 0) throw new Error(`untrusted-workspace tests failed (exit code ${code})`);
}

async function main() {
  const started = Date.now();
  const vscodeExecutablePath = offlineExecutable();
  console.log(vscodeExecutablePath ? `VS Code: ${vscodeExecutablePath}` : 'VS Code: downloading desktop VS Code');
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-integration-'));
  try {
    await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: path.join(__dirname, 'suite', 'index'),
      // A fresh profile each run: nothing (settings, downloaded models) carries over from an earlier run.
      launchArgs: [copyFixture('workspace', scratch), `--user-data-dir=${path.join(scratch, 'user-data')}`,
        `--extensions-dir=${path.join(scratch, 'extensions')}`],
    });
    const untrustedSuite = path.join(__dirname, 'untrusted', 'index.js');
    if (fs.existsSync(untrustedSuite)) {
      const untrustedWorkspace = copyFixture('untrusted-workspace', scratch);
      fs.cpSync(path.join(repoRoot, 'models', 'sentiment-sst2'), path.join(untrustedWorkspace, 'workspace-model'), { recursive: true });
      await runUntrusted(vscodeExecutablePath, untrustedWorkspace, untrustedSuite, scratch);
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  console.log(`integration tests passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(errorMessage(error));
    process.exit(1);
  });
}
