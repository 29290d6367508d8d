// Every platform VSIX that `npm run package -- all` writes: unpacked, it holds exactly its platform's
// native files (onnxruntime's binding and libraries, one tokenizers binary), each built for that
// platform's OS, CPU and C library as its file header says; the Python of finetune/ and nothing of
// scripts/; and it stays within 40 MB.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import JSZip from 'jszip';
import { repoRoot } from './workbench';

type Format = 'ELF' | 'Mach-O' | 'PE';
type Cpu = 'x64' | 'arm64';
interface Platform {
  format: Format;
  cpu: Cpu;
  /** onnxruntime-node's folder and the files the worker loads from it. */
  onnxruntime: { dir: string; files: string[] };
  tokenizers: string;
  /** Linux only: whether the tokenizers binary is the musl build (Alpine) rather than the glibc one. */
  muslTokenizers?: boolean;
}

const linux = (cpu: Cpu): Platform['onnxruntime'] => ({ dir: `linux/${cpu}`, files: ['onnxruntime_binding.node', 'libonnxruntime.so.1'] });
const windows = (cpu: Cpu): Platform['onnxruntime'] => ({ dir: `win32/${cpu}`, files: ['onnxruntime_binding.node', 'onnxruntime.dll', 'DirectML.dll'] });
const platforms: Record<string, Platform> = {
  'linux-x64': { format: 'ELF', cpu: 'x64', onnxruntime: linux('x64'), tokenizers: 'tokenizers.linux-x64-gnu.node' },
  'linux-arm64': { format: 'ELF', cpu: 'arm64', onnxruntime: linux('arm64'), tokenizers: 'tokenizers.linux-arm64-gnu.node' },
  'alpine-x64': { format: 'ELF', cpu: 'x64', onnxruntime: linux('x64'), tokenizers: 'tokenizers.linux-x64-musl.node', muslTokenizers: true },
  'alpine-arm64': { format: 'ELF', cpu: 'arm64', onnxruntime: linux('arm64'), tokenizers: 'tokenizers.linux-arm64-musl.node', muslTokenizers: true },
  'darwin-arm64': { format: 'Mach-O', cpu: 'arm64', onnxruntime: { dir: 'darwin/arm64', files: ['onnxruntime_binding.node', 'libonnxruntime.1.dylib'] }, tokenizers: 'tokenizers.darwin-arm64.node' },
  'win32-x64': { format: 'PE', cpu: 'x64', onnxruntime: windows('x64'), tokenizers: 'tokenizers.win32-x64-msvc.node' },
  'win32-arm64': { format: 'PE', cpu: 'arm64', onnxruntime: windows('arm64'), tokenizers: 'tokenizers.win32-arm64-msvc.node' },
};
const maxBytes = 40 * 2 ** 20;
const nativeFile = /\.(node|dll|dylib|so(\.\d+)*)$/;
const finetune = ['finetune.py', 'loop.py', 'model.py', 'export.py', 'wordpiece.py'];

const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string };
const vsixOf = (target: string) => path.join(repoRoot, `${manifest.name}-${manifest.version}-${target}.vsix`);

/** The executable format and CPU a native file's header declares. */
function binaryKind(bytes: Buffer): { format: Format; cpu: Cpu | string } {
  if (bytes.readUInt32BE(0) === 0x7f454c46) {
    const machine = bytes.readUInt16LE(18);
    return { format: 'ELF', cpu: machine === 0x3e ? 'x64' : machine === 0xb7 ? 'arm64' : `e_machine 0x${machine.toString(16)}` };
  }
  if (bytes.readUInt32LE(0) === 0xfeedfacf) {
    const cpuType = bytes.readUInt32LE(4);
    return { format: 'Mach-O', cpu: cpuType === 0x01000007 ? 'x64' : cpuType === 0x0100000c ? 'arm64' : `cputype 0x${cpuType.toString(16)}` };
  }
  if (bytes.toString('latin1', 0, 2) === 'MZ') {
    const header = bytes.readUInt32LE(0x3c);
    assert.equal(bytes.toString('latin1', header, header + 4), 'PE\0\0');
    const machine = bytes.readUInt16LE(header + 4);
    return { format: 'PE', cpu: machine === 0x8664 ? 'x64' : machine === 0xaa64 ? 'arm64' : `machine 0x${machine.toString(16)}` };
  }
  return { format: `unknown (${bytes.subarray(0, 4).toString('hex')})` as Format, cpu: '?' };
}

/** Whether an ELF file links glibc: its dynamic string table names libc.so.6 (a musl build names libc.so). */
const linksGlibc = (bytes: Buffer) => bytes.includes('\0libc.so.6\0');

describe('platform VSIXes (npm run package -- all)', function () {
  this.timeout(120_000);

  for (const [target, platform] of Object.entries(platforms)) {
    it(`${target}: only its own native files, built for ${platform.format} ${platform.cpu}; finetune/ and no scripts/; at most 40 MB`, async function () {
      const vsix = vsixOf(target);
      if (!fs.existsSync(vsix)) {
        console.log(`    (skipped: needs ${path.basename(vsix)} from npm run package -- all)`);
        this.skip();
      }
      const { size } = fs.statSync(vsix);
      assert.ok(size <= maxBytes, `${path.basename(vsix)} is ${(size / 2 ** 20).toFixed(1)} MB`);

      const zip = await JSZip.loadAsync(fs.readFileSync(vsix));
      const entries = Object.keys(zip.files).filter((name) => !zip.files[name].dir);
      const vsixManifest = await zip.file('extension.vsixmanifest')!.async('string');
      assert.match(vsixManifest, new RegExp(`TargetPlatform="${target}"`));

      const ortDir = `extension/node_modules/onnxruntime-node/bin/napi-v6/${platform.onnxruntime.dir}`;
      const tokenizers = `extension/node_modules/tokenizers/${platform.tokenizers}`;
      const expected = [...platform.onnxruntime.files.map((file) => `${ortDir}/${file}`), tokenizers];
      assert.deepEqual(entries.filter((name) => nativeFile.test(name)).sort(), expected.sort());

      for (const name of expected) {
        const bytes = await zip.file(name)!.async('nodebuffer');
        assert.deepEqual(binaryKind(bytes), { format: platform.format, cpu: platform.cpu }, name);
        if (platform.format === 'ELF') {
          // onnxruntime-node publishes glibc builds only, Alpine's VSIX included (README: gcompat).
          const glibc = name === tokenizers ? !platform.muslTokenizers : true;
          assert.equal(linksGlibc(bytes), glibc, `${name} ${glibc ? 'links glibc' : 'is the musl build'}`);
        }
      }

      for (const file of finetune) assert.ok(entries.includes(`extension/finetune/${file}`), `finetune/${file} is packaged`);
      assert.deepEqual(entries.filter((name) => name.startsWith('extension/scripts/') || name.includes('__pycache__')), []);
    });
  }

  it('darwin-x64 is not built: onnxruntime-node ships no Intel macOS binary', function () {
    assert.ok(!fs.existsSync(path.join(repoRoot, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6', 'darwin', 'x64')), 'onnxruntime-node has darwin/x64 binaries again: add darwin-x64 to scripts/vscode/targets.mjs and this test');
    assert.ok(!fs.existsSync(vsixOf('darwin-x64')));
  });
});
