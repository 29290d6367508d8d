// npm run package [-- <target>]: a platform-specific VSIX that ships only that platform's
// onnxruntime and tokenizers binaries. Target: a vsce target (default: this machine's), e.g.
// linux-x64, linux-arm64, darwin-x64, darwin-arm64, win32-x64, win32-arm64, alpine-x64.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const maxBytes = 40 * 1024 * 1024;

/** vsce target → [onnxruntime-node bin folder, tokenizers binary]. */
const natives = {
  'linux-x64': ['linux/x64', 'tokenizers.linux-x64-gnu.node'],
  'linux-arm64': ['linux/arm64', 'tokenizers.linux-arm64-gnu.node'],
  'alpine-x64': ['linux/x64', 'tokenizers.linux-x64-musl.node'],
  'alpine-arm64': ['linux/arm64', 'tokenizers.linux-arm64-musl.node'],
  'darwin-x64': ['darwin/x64', 'tokenizers.darwin-x64.node'],
  'darwin-arm64': ['darwin/arm64', 'tokenizers.darwin-arm64.node'],
  'win32-x64': ['win32/x64', 'tokenizers.win32-x64-msvc.node'],
  'win32-arm64': ['win32/arm64', 'tokenizers.win32-arm64-msvc.node'],
};

const target = process.argv[2] ?? `${process.platform}-${process.arch}`;
if (!natives[target]) {
  console.error(`unknown target "${target}"; use one of ${Object.keys(natives).join(', ')}`);
  process.exit(2);
}
const [onnxruntimeDir, tokenizersBinary] = natives[target];
for (const file of [`node_modules/onnxruntime-node/bin/napi-v6/${onnxruntimeDir}`, `node_modules/tokenizers/${tokenizersBinary}`]) {
  if (!fs.existsSync(path.join(repoRoot, file))) {
    console.error(`${file} is missing: onnxruntime-node or tokenizers has no ${target} binary installed`);
    process.exit(1);
  }
}

const run = (command, args) => execFileSync(command, args, { cwd: repoRoot, stdio: 'inherit' });
run(process.execPath, ['esbuild.mjs', '--production']);

const { version, name } = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
const ignoreFile = path.join(repoRoot, '.vscode-test', `vscodeignore.${target}`);
fs.mkdirSync(path.dirname(ignoreFile), { recursive: true });
fs.writeFileSync(ignoreFile, `${fs.readFileSync(path.join(repoRoot, '.vscodeignore'), 'utf8')}
!node_modules/onnxruntime-node/bin/napi-v6/${onnxruntimeDir}/*
!node_modules/tokenizers/${tokenizersBinary}
`);
const vsix = path.join(repoRoot, `${name}-${version}-${target}.vsix`);
run(path.join(repoRoot, 'node_modules', '.bin', 'vsce'), ['package', '--target', target, '--ignoreFile', ignoreFile, '--out', vsix,
  '--skip-license', '--allow-missing-repository', '--no-update-package-json', '--no-rewrite-relative-links']);

const { size } = fs.statSync(vsix);
console.log(`${path.basename(vsix)}: ${(size / 1024 / 1024).toFixed(1)} MB`);
if (size > maxBytes) {
  console.error(`the VSIX is larger than ${maxBytes / 1024 / 1024} MB`);
  process.exit(1);
}
