// Bundles the extension, the worker, the CLI, the training process and the quantize process. Native modules stay external so their
// .node binaries are loaded from node_modules next to the bundle. The extension host's bundle is checked
// against the process line (scripts/build/hostBundle.cjs): a failure names the import to remove.
import * as esbuild from 'esbuild';
import hostBundle from './scripts/build/hostBundle.cjs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const options = {
  entryPoints: {
    extension: 'src/extension.ts',
    worker: 'src/engine/worker.ts',
    cli: 'src/cli.ts',
    training: 'src/training/process.ts',
    quantize: 'src/engine/quantizeProcess.ts',
  },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  outdir: 'dist',
  sourcemap: !production,
  minify: production,
  external: ['vscode', 'onnxruntime-node', 'tokenizers'],
  logLevel: 'warning',
  metafile: true,
};

function checkHostBundle(result) {
  const problems = hostBundle.hostBundleProblems(result.metafile);
  if (problems.length === 0) return;
  console.error(`dist/extension.js crosses the host/worker line:\n  ${problems.join('\n  ')}`);
  process.exitCode = 1;
}

if (watch) {
  const ctx = await esbuild.context({
    ...options,
    plugins: [{ name: 'host-bundle-check', setup: (build) => build.onEnd((result) => result.metafile && checkHostBundle(result)) }],
  });
  await ctx.watch();
} else {
  checkHostBundle(await esbuild.build(options));
}
