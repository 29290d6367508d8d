// Bundles the extension, the worker, the CLI and the training process. Native modules stay external so their
// .node binaries are loaded from node_modules next to the bundle.
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const options = {
  entryPoints: {
    extension: 'src/extension.ts',
    worker: 'src/classifier/worker.ts',
    cli: 'src/cli.ts',
    training: 'src/training/process.ts',
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
};

if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
} else {
  await esbuild.build(options);
}
