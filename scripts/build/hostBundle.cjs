// The design's process line, checked on esbuild's metafile: the extension host's bundle must reach
// neither a native module (onnxruntime-node, tokenizers) nor any file under src/engine/ (worker-only).
// esbuild.mjs fails the build on a problem; test/unit/host-bundle.test.ts runs the same check.
'use strict';

const NATIVE_MODULES = ['onnxruntime-node', 'tokenizers'];
const WORKER_ONLY_DIR = 'src/engine/';

/** The problems of one bundle output (e.g. 'dist/extension.js'), each naming the file that imports what it must not. */
function hostBundleProblems(metafile, output = 'dist/extension.js') {
  const bundled = metafile.outputs[output];
  if (!bundled) throw new Error(`esbuild's metafile has no output ${output}`);
  const problems = [];
  for (const file of Object.keys(bundled.inputs)) {
    if (file.startsWith(WORKER_ONLY_DIR)) problems.push(`${file} is worker-only (under ${WORKER_ONLY_DIR}) but is in ${output}`);
    for (const imported of metafile.inputs[file]?.imports ?? []) {
      if (imported.external && NATIVE_MODULES.includes(imported.path)) problems.push(`${file} imports the native module ${imported.path}, which ${output} must not load`);
    }
  }
  return problems;
}

module.exports = { hostBundleProblems, NATIVE_MODULES, WORKER_ONLY_DIR };
