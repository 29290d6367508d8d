// The process line of DESIGN.md, on the real bundles: the extension host's bundle reaches no native
// module and nothing under src/engine/ (the check esbuild.mjs runs on every build), and the check
// really fails when a view imports the engine.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { repoRoot } from '../support/paths';

interface HostBundleCheck {
  hostBundleProblems(metafile: esbuild.Metafile, output?: string): string[];
  NATIVE_MODULES: string[];
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS build script shared with esbuild.mjs, not part of src/
const { hostBundleProblems, NATIVE_MODULES } = require(path.join(repoRoot, 'scripts', 'build', 'hostBundle.cjs')) as HostBundleCheck;

async function bundle(entry: esbuild.BuildOptions['stdin'] | string): Promise<esbuild.Metafile> {
  const result = await esbuild.build({
    ...(typeof entry === 'string' ? { entryPoints: { extension: entry } } : { stdin: entry, outfile: 'dist/extension.js' }),
    absWorkingDir: repoRoot,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outdir: typeof entry === 'string' ? 'dist' : undefined,
    external: ['vscode', ...NATIVE_MODULES],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return result.metafile!;
}

describe('host bundle: the extension host never loads the engine', function () {
  this.timeout(60_000);

  it('src/extension.ts bundles without a native module or a file under src/engine/', async () => {
    const metafile = await bundle('src/extension.ts');
    assert.deepEqual(hostBundleProblems(metafile), []);
    const inputs = Object.keys(metafile.outputs['dist/extension.js'].inputs);
    assert.ok(inputs.includes('src/classifier/client.ts'), 'the check looked at the real bundle');
  });

  it('the built dist/extension.js requires neither onnxruntime-node nor tokenizers, and holds no engine source', () => {
    const built = path.join(repoRoot, 'dist', 'extension.js');
    const code = fs.readFileSync(built, 'utf8');
    for (const name of NATIVE_MODULES) assert.doesNotMatch(code, new RegExp(`require\\(["']${name}["']\\)`), `${built} requires ${name}`);
    const sources: string[] = JSON.parse(fs.readFileSync(`${built}.map`, 'utf8')).sources;
    assert.ok(sources.some((source) => source.includes('src/views/')), 'the source map lists the bundled files');
    assert.deepEqual(sources.filter((source) => source.includes('src/engine/')), []);
    // The worker's bundle, by contrast, is where the engine lives.
    assert.match(fs.readFileSync(path.join(repoRoot, 'dist', 'worker.js'), 'utf8'), /require\(["']onnxruntime-node["']\)/);
  });

  it('fails, naming the file, when a view imports ../engine/…', async () => {
    const metafile = await bundle({
      contents: "import { Engine } from '../engine/engine';\nexport const engine = Engine;\n",
      resolveDir: path.join(repoRoot, 'src', 'views'),
      sourcefile: 'src/views/offending.ts',
      loader: 'ts',
    });
    const problems = hostBundleProblems(metafile);
    assert.ok(problems.includes('src/engine/engine.ts is worker-only (under src/engine/) but is in dist/extension.js'), problems.join('\n'));
    assert.ok(problems.some((problem) => /^src\/engine\/session\.ts imports the native module onnxruntime-node/.test(problem)), problems.join('\n'));
    assert.ok(problems.some((problem) => /imports the native module tokenizers/.test(problem)), problems.join('\n'));
  });
});
