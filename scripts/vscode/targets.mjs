// The platform VSIXes: for each vsce target, the native files it ships from node_modules, or why it
// cannot be built. onnxruntime-node's package holds every platform's CPU binaries it publishes, and
// tokenizers (0.23) every platform's .node file, so all targets build on one machine from one install.

const onnxruntimeDir = 'node_modules/onnxruntime-node/bin/napi-v6';

/** onnxruntime-node's files per platform folder: the N-API binding and the libraries it loads. */
const onnxruntimeFiles = {
  linux: ['onnxruntime_binding.node', 'libonnxruntime.so.1'],
  // The binding loads @rpath/libonnxruntime.1.dylib; the package's libonnxruntime.1.30.0.dylib is an
  // identical copy (npm keeps no symlinks) and would add 44 MB.
  darwin: ['onnxruntime_binding.node', 'libonnxruntime.1.dylib'],
  // DirectML.dll: the DirectML execution provider (delay-loaded by onnxruntime.dll). Not shipped:
  // dxcompiler.dll and dxil.dll (22 MB), the shader compiler of the WebGPU provider, which this extension
  // does not offer (and which falls back to Windows' own compiler without them); with them the Windows
  // VSIXes were 41 and 42 MB.
  win32: ['onnxruntime_binding.node', 'onnxruntime.dll', 'DirectML.dll'],
};

/** vsce target → [onnxruntime-node platform/arch folder, tokenizers binary], or the reason it cannot work. */
const table = {
  'linux-x64': ['linux/x64', 'tokenizers.linux-x64-gnu.node'],
  'linux-arm64': ['linux/arm64', 'tokenizers.linux-arm64-gnu.node'],
  // onnxruntime-node publishes glibc builds only: on Alpine they load only with glibc compatibility
  // (gcompat) installed. README says so.
  'alpine-x64': ['linux/x64', 'tokenizers.linux-x64-musl.node'],
  'alpine-arm64': ['linux/arm64', 'tokenizers.linux-arm64-musl.node'],
  'darwin-x64': 'onnxruntime-node ships no darwin/x64 binary since 1.24 (ONNX Runtime no longer publishes Intel macOS builds)',
  'darwin-arm64': ['darwin/arm64', 'tokenizers.darwin-arm64.node'],
  'win32-x64': ['win32/x64', 'tokenizers.win32-x64-msvc.node'],
  'win32-arm64': ['win32/arm64', 'tokenizers.win32-arm64-msvc.node'],
};

export const targetNames = Object.keys(table);

/** The repository-relative native files `target` ships, or `{ unsupported }` with the reason. */
export function nativeFiles(target) {
  const entry = table[target];
  if (entry === undefined) throw new Error(`unknown target "${target}"; use one of ${targetNames.join(', ')}, or all`);
  if (typeof entry === 'string') return { unsupported: entry };
  const [platformDir, tokenizersBinary] = entry;
  const onnxruntime = onnxruntimeFiles[platformDir.split('/')[0]].map((file) => `${onnxruntimeDir}/${platformDir}/${file}`);
  return { files: [...onnxruntime, `node_modules/tokenizers/${tokenizersBinary}`] };
}
