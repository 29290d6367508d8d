// A copy of a large graph kept in a per-user cache directory, made for loading fast on this CPU.
// onnxruntime writes it itself: the graph after all its optimizations (attention, GELU and layer-norm
// fusions), every weight in one external file it maps into memory instead of copying out of a parsed
// protobuf, and the weights of the matrix products also packed into the layout its GEMM kernels read
// (session.save_external_prepacked_constant_initializers). Two graph files share that data file:
// - `model.onnx` uses the packed weights: loading skips the fusions and the packing (BERT-base size,
//   368 MB: session creation 0.55 s against 2.0 s from the unoptimized copy, the same logits to the bit),
//   but it runs 8-15 % slower (matrix products read from the mapped file; measured per operator);
// - `unpacked.onnx` is the same graph without them: it packs at load (1.7 s) and runs at full speed.
// session.ts starts on the first and moves to the second in the background (upgradingSession.ts). The
// data file holds the weights twice (710 MB for BERT-base size).
// Packed weights and the fused graph are for this CPU and onnxruntime version: entries are keyed by them
// and by the source files (name, size, modification time, first and last MiB), written to a temporary
// folder and renamed into place whole; one that does not load is removed and the original loads
// instead. Other execution providers load the model's own file. The model's own folder is never written.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema } from 'onnx-buf';

/** Smaller graphs load in well under a second anyway. */
export const GRAPH_CACHE_MIN_BYTES = 32 * 2 ** 20;
/** Bumped when what an entry holds changes. */
const ENTRY_FORMAT = 3;
const GRAPH_NAME = 'model.onnx';
const UNPACKED_NAME = 'unpacked.onnx';
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

export interface GraphCopy {
  /** The copy's graph file with packed weights (all weights in `model.onnx.data` beside it). */
  graph: string;
  /** The same graph without them: it packs at load and then runs at full speed. */
  unpacked: string;
  /**
   * When the copy was written just now and `sessionOptions` were given: the session that wrote it, which
   * is the original graph loaded with those options and ready to run, so a first load does not load twice.
   */
  writer?: ort.InferenceSession;
}

/**
 * The cached copy of `onnxFile` in `cacheDir`, written first when missing; undefined for a small graph or
 * when the copy cannot be written (the caller loads the original).
 */
export async function cachedGraph(onnxFile: string, cacheDir: string, minBytes = GRAPH_CACHE_MIN_BYTES, sessionOptions?: ort.InferenceSession.SessionOptions): Promise<GraphCopy | undefined> {
  const files = graphFiles(onnxFile);
  if (files.reduce((sum, file) => sum + fs.statSync(file).size, 0) < minBytes) return undefined;
  const entry = path.join(cacheDir, entryKey(files));
  const graph = path.join(entry, GRAPH_NAME);
  const unpacked = path.join(entry, UNPACKED_NAME);
  if (fs.existsSync(graph)) return { graph, unpacked };
  let temporary: string | undefined;
  let writer: ort.InferenceSession | undefined;
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    temporary = fs.mkdtempSync(path.join(cacheDir, '.writing-'));
    const options = sessionOptions ?? { executionProviders: ['cpu'], intraOpNumThreads: 1 };
    const configEntries = (options.extra?.session ?? {}) as Record<string, string>;
    writer = await ort.InferenceSession.create(onnxFile, {
      ...options,
      graphOptimizationLevel: 'all',
      // Not its warning that an 'all' graph is for this hardware only: that is what the key is for.
      logSeverityLevel: 3,
      optimizedModelFilePath: path.join(temporary, GRAPH_NAME),
      extra: {
        ...options.extra,
        session: {
          ...configEntries,
          optimized_model_external_initializers_file_name: `${GRAPH_NAME}.data`,
          optimized_model_external_initializers_min_size_in_bytes: '1024',
          save_external_prepacked_constant_initializers: '1',
        },
      },
    });
    if (!sessionOptions) {
      await writer.release();
      writer = undefined;
    }
    writeUnpacked(path.join(temporary, GRAPH_NAME), path.join(temporary, UNPACKED_NAME));
    fs.writeFileSync(path.join(temporary, SOURCE_NAME), JSON.stringify({ source: path.resolve(onnxFile) }));
    removeOlderCopies(cacheDir, path.resolve(onnxFile));
    fs.renameSync(temporary, entry); // whole or not at all; fails when another process got there first
    temporary = undefined;
  } catch {
    // Not writable, disk full, or a graph onnxruntime cannot load (its own load then says why); unless
    // another process wrote the entry meanwhile, the original loads.
    if (!fs.existsSync(graph)) {
      await writer?.release();
      return undefined;
    }
  } finally {
    if (temporary) fs.rmSync(temporary, { recursive: true, force: true });
  }
  return { graph, unpacked, writer };
}

/** The graph with the packed weights' references taken out of its initializers (`prepacked_N` entries). */
function writeUnpacked(graphFile: string, unpackedFile: string): void {
  const model = fromBinary(ModelProtoSchema, fs.readFileSync(graphFile));
  for (const tensor of model.graph?.initializer ?? []) tensor.externalData = tensor.externalData.filter((entry) => !entry.key.startsWith('prepacked_'));
  fs.writeFileSync(unpackedFile, toBinary(ModelProtoSchema, model));
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
