// The onnxruntime-node session: which execution provider runs it (with the reason each one tried
// before it was not used), how many threads, and what the graph asks for.
import { physicalCores } from '../classifier/cores';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { BundleError } from './bundle';
import { cachedGraph, defaultGraphCacheDir, discardCachedGraph, graphFiles, type GraphCopy } from './graphCache';
import { UpgradingSession } from './upgradingSession';
import { LaneSessions } from './lanes';
import type { ExecutionProviderName, ModelSignature, RemoteBackendStatus, TensorSpec } from '../classifier/types';
import { errorMessage } from '../classifier/errors';

export interface ProviderFallback {
  provider: ExecutionProviderName;
  reason: string;
}

/** What the engine runs the graph on: an onnxruntime session, or a remote server (remote.ts). */
export interface InferenceBackend {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, ort.Tensor>, fetches: readonly string[]): Promise<Record<string, { data: unknown; dims: readonly number[] }>>;
  /** Several runs handed over at once where that costs less than one at a time (lanes.ts); a promise per run. */
  runMany?(feeds: Record<string, ort.Tensor>[], fetches: readonly string[]): Promise<Record<string, { data: unknown; dims: readonly number[] }>>[];
  release(): Promise<void>;
  /** How many runs make progress at once (1 when absent): the engine keeps that many batches going. */
  readonly parallelism?: number;
}

export interface LoadedSession {
  session: InferenceBackend;
  /** null when the graph runs remotely. */
  provider: ExecutionProviderName | null;
  fallbacks: ProviderFallback[];
  threads: number;
  signature: ModelSignature;
  remoteStatus?: () => RemoteBackendStatus;
}

export interface SessionOptions {
  executionProviders?: 'auto' | ExecutionProviderName[];
  threads?: number;
  /** Lanes (true) or intra-op threads (false) on the CPU; default: by the weights the lanes would hold (MAX_LANES_WEIGHT_BYTES). */
  lanes?: boolean;
  /** Where large graphs' load-fast copies are kept (graphCache.ts); false: load the model's own file. */
  graphCacheDir?: string | false;
  /** Graphs (with their external weights) from this size are cached; default GRAPH_CACHE_MIN_BYTES. */
  graphCacheMinBytes?: number;
}

/** The providers `auto` tries on this platform, best first; CPU always last. */
function autoProviders(platform = process.platform, arch = process.arch): ExecutionProviderName[] {
  if (platform === 'linux' && arch === 'x64') return ['cuda', 'cpu'];
  if (platform === 'win32') return ['dml', 'cpu'];
  if (platform === 'darwin') return ['coreml', 'cpu'];
  return ['cpu'];
}


export async function createSession(onnxFile: string, options: SessionOptions = {}): Promise<LoadedSession> {
  const requested = options.executionProviders ?? 'auto';
  const providers = requested === 'auto' ? autoProviders() : [...requested];
  if (providers.length === 0) throw new Error('executionProviders: the list is empty (use "auto" or e.g. ["cpu"])');
  const threads = options.threads && options.threads > 0 ? Math.floor(options.threads) : physicalCores();
  const fallbacks: ProviderFallback[] = [];
  // The load-fast copy is optimized and packed for this CPU (graphCache.ts): other providers load the original.
  const cpuCopy = (sessionOptions?: ort.InferenceSession.SessionOptions) =>
    options.graphCacheDir === false ? undefined : cachedGraph(onnxFile, options.graphCacheDir ?? defaultGraphCacheDir(), options.graphCacheMinBytes, sessionOptions);
  for (const provider of providers) {
    const unavailable = whyUnavailable(provider);
    if (unavailable) {
      fallbacks.push({ provider, reason: unavailable });
      continue;
    }
    const sessionOptions: ort.InferenceSession.SessionOptions = {
      executionProviders: [provider],
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // Idle intra-op threads sleep instead of spinning: spinning keeps cores at 100 % after every
      // request (battery, other processes) and, on a busy machine, fights the threads doing the work.
      extra: { session: { 'intra_op.allow_spinning': '0' } },
    };
    let session: ort.InferenceSession | LaneSessions | UpgradingSession;
    try {
      // On the CPU, a small model runs whole batches side by side on several threads (lanes.ts) instead of
      // splitting each operator of one batch between them; a large one (big operators split well, and every
      // lane holds its own copy of the weights) keeps one session with intra-op threads.
      const lanes = provider === 'cpu' && threads > 1 && (options.lanes ?? modelBytes(onnxFile) * threads <= MAX_LANES_WEIGHT_BYTES);
      const open = (file: string, options: ort.InferenceSession.SessionOptions): Promise<ort.InferenceSession | LaneSessions> =>
        lanes ? LaneSessions.open(file, threads, options) : ort.InferenceSession.create(file, options);
      // Lanes open several sessions on the copy; a single session may be the one that writes it.
      const copy = provider === 'cpu' ? await cpuCopy(lanes ? undefined : sessionOptions) : undefined;
      try {
        // The copy is already optimized: optimizing it again would undo nothing but cost the time it saves.
        session = copy?.writer ?? (copy ? await openCopy(copy, lanes, threads, { ...sessionOptions, graphOptimizationLevel: 'disabled' }) : await open(onnxFile, sessionOptions));
      } catch (error) {
        if (!copy) throw error;
        // The cached copy did not load: that is the copy's fault (corrupt), so it goes.
        discardCachedGraph(copy.graph);
        session = await open(onnxFile, sessionOptions);
      }
    } catch (error) {
      const message = errorMessage(error);
      // A graph that cannot be parsed fails on every provider: that is the file's fault, not the provider's.
      if (provider === 'cpu' || /protobuf|parse|invalid model|load model/i.test(message)) {
        throw new BundleError(onnxFile, `not a loadable ONNX model (${message.trim()})`);
      }
      fallbacks.push({ provider, reason: message.trim() });
      continue;
    }
    return { session, provider, fallbacks, threads, signature: signatureOf(session) };
  }
  throw new Error(`no execution provider could run ${onnxFile}: ${fallbacks.map((f) => `${f.provider}: ${f.reason}`).join('; ')}`);
}

/**
 * A session on the graph cache's copy. Lanes load the unpacked graph (small models pack in no time); one
 * session starts on the packed graph, which loads fastest, and moves to the unpacked one, which runs
 * fastest, after its first run (upgradingSession.ts).
 */
async function openCopy(copy: GraphCopy, lanes: boolean, threads: number, options: ort.InferenceSession.SessionOptions): Promise<LaneSessions | UpgradingSession> {
  if (lanes) return LaneSessions.open(copy.unpacked, threads, options);
  const first = await ort.InferenceSession.create(copy.graph, options);
  return new UpgradingSession(first, () => ort.InferenceSession.create(copy.unpacked, options));
}

/**
 * Lanes while their copies of the weights (graph and external weights, once per lane) stay within this:
 * each lane holds its own, loads its own (cold start) and runs a lone sentence on one thread. Measured on
 * 2 threads against the same engine on intra-op threads (scripts/bench/engine-large.mjs, interleaved
 * rounds on a busy 2-core machine):
 * - BERT-base-size (368 MB): lanes 1.00x the sentences/s (rounds 0.89, 1.01, 1.00), peak RSS 869 vs 484 MB;
 * - DistilBERT-size (198 MB): lanes 1.25, 1.50, 1.37x in one run, 1.15 and 0.59x in the next; one-sentence
 *   p50/p95 31/64 ms vs 19/48 ms; worker cold start 2.9 vs 1.3 s CPU; peak RSS 517-539 vs 299-306 MB.
 * So no model of that size gains for certain; the bundled models (6 MB), where lanes were measured to pay,
 * keep them up to 21 threads, and a 64 MB model on 2 threads as before.
 */
const MAX_LANES_WEIGHT_BYTES = 128 * 2 ** 20;

/** Bytes of an ONNX file and of its external-data files beside it (model.onnx_data, model.onnx.data…). */
function modelBytes(onnxFile: string): number {
  return graphFiles(onnxFile).reduce((sum, file) => sum + fs.statSync(file).size, 0);
}

/** A cheap check before asking onnxruntime, which logs a native error for a provider it cannot load. */
function whyUnavailable(provider: ExecutionProviderName): string | undefined {
  if (provider === 'cpu') return undefined;
  const backend = provider === 'dml' ? 'dml' : provider;
  const listed = ort.listSupportedBackends().find((b) => b.name === backend);
  if (!listed) return `not available in onnxruntime-node on ${process.platform}/${process.arch}`;
  if (provider === 'cuda') {
    const library = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
    const bindingDir = path.join(path.dirname(require.resolve('onnxruntime-node/package.json')), 'bin', 'napi-v6', process.platform, process.arch);
    if (!fs.existsSync(path.join(bindingDir, library))) {
      // onnxruntime-node's own package leaves them out (too large for npm); README, "CUDA on Linux", says how to add them.
      return `CUDA provider library ${library} is not installed in ${bindingDir} (it and libonnxruntime_providers_shared.so come from NuGet's Microsoft.ML.OnnxRuntime.Gpu.Linux ${ort.env.versions.node}; see README: CUDA on Linux)`;
    }
  }
  return undefined;
}

function signatureOf(session: Pick<ort.InferenceSession, 'inputMetadata' | 'outputMetadata'>): ModelSignature {
  const spec = (metadata: readonly ort.InferenceSession.ValueMetadata[]): TensorSpec[] =>
    metadata.map((m) => ({
      name: m.name,
      datatype: m.isTensor ? oipDatatype(m.type) : 'BYTES',
      shape: m.isTensor ? m.shape.map((dim) => (typeof dim === 'number' ? dim : -1)) : [],
      // Symbolic dims ('batch', 'sequence'): serve checks that inputs agree on them before a run.
      dimNames: m.isTensor ? m.shape.map((dim) => (typeof dim === 'string' && dim !== '' ? dim : null)) : [],
    }));
  return { inputs: spec(session.inputMetadata), outputs: spec(session.outputMetadata) };
}

/** onnxruntime tensor type -> Open Inference Protocol datatype name. */
function oipDatatype(type: string): string {
  const names: Record<string, string> = {
    float32: 'FP32', float16: 'FP16', float64: 'FP64', int64: 'INT64', int32: 'INT32', int16: 'INT16', int8: 'INT8',
    uint8: 'UINT8', uint16: 'UINT16', uint32: 'UINT32', uint64: 'UINT64', bool: 'BOOL', string: 'BYTES',
  };
  return names[type] ?? type.toUpperCase();
}
