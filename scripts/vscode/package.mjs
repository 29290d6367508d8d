// npm run package [-- <target>|all]: platform-specific VSIXes that each ship only their platform's
// onnxruntime and tokenizers binaries (targets.mjs). No argument: this machine's target; `all`: every
// target that can be built (a target that cannot is named with the reason). Writes
// <name>-<version>-<target>.vsix at the repository root and fails when one is over 40 MB.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nativeFiles, targetNames } from './targets.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const maxBytes = 40 * 1024 * 1024;

function thisMachine() {
  const libc = process.platform === 'linux' && !process.report.getReport().header.glibcVersionRuntime ? 'alpine' : process.platform;
  return `${libc}-${process.arch}`;
}

const requested = process.argv[2] ?? thisMachine();
if (requested !== 'all' && !targetNames.includes(requested)) {
  console.error(`unknown target "${requested}"; use one of ${targetNames.join(', ')}, or all`);
  process.exit(2);
}

const builds = [];
for (const target of requested === 'all' ? targetNames : [requested]) {
  const natives = nativeFiles(target);
  if (natives.unsupported) {
    console.error(`${target}: not built: ${natives.unsupported}`);
    if (requested !== 'all') process.exit(1);
    continue;
  }
  const missing = natives.files.filter((file) => !fs.existsSync(path.join(repoRoot, file)));
  if (missing.length > 0) {
    console.error(`${target}: ${missing.join(', ')} missing from node_modules (run npm ci)`);
    process.exit(1);
  }
  builds.push({ target, files: natives.files });
}

const run = (command, args) => execFileSync(command, args, { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] });
run(process.execPath, ['esbuild.mjs', '--production']);

const { version, name } = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
const baseRules = fs.readFileSync(path.join(repoRoot, '.vscodeignore'), 'utf8');
const oversized = [];
// The per-target ignore files live in a fresh temporary folder: worktrees may share .vscode-test.
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-package-'));
process.on('exit', () => fs.rmSync(scratch, { recursive: true, force: true }));
for (const { target, files } of builds) {
  const started = Date.now();
  const ignoreFile = path.join(scratch, `vscodeignore.${target}`);
  fs.writeFileSync(ignoreFile, `${baseRules}\n${files.map((file) => `!${file}`).join('\n')}\n`);
  const vsix = path.join(repoRoot, `${name}-${version}-${target}.vsix`);
  run(path.join(repoRoot, 'node_modules', '.bin', 'vsce'), ['package', '--target', target, '--ignoreFile', ignoreFile, '--out', vsix,
    '--skip-license', '--allow-missing-repository', '--no-update-package-json', '--no-rewrite-relative-links']);
  const { size } = fs.statSync(vsix);
  console.log(`${path.basename(vsix)}: ${(size / 2 ** 20).toFixed(1)} MB in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (size > maxBytes) oversized.push(path.basename(vsix));
}
if (oversized.length > 0) {
  console.error(`larger than ${maxBytes / 2 ** 20} MB: ${oversized.join(', ')}`);
  process.exit(1);
}
