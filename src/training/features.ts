// Sentence features of many texts from a base model's encoder: the base graph, with the classifier's
// input exposed as `sentence_features`, runs through the engine in length-sorted, padded batches (the
// engine's own strategy, so little padding). A text longer than the model's window gets the mean of its
// windows' features, weighted by window length, as the engine aggregates long texts' scores.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readBundle, type Bundle } from '../engine/bundle';
import { Engine } from '../engine/engine';
import { paddedFeeds } from '../engine/feeds';
import { TextTokenizer } from '../engine/tokenize';
import type { EngineOptions, ExecutionProviderName } from '../classifier/types';
import type { FeatureMatrix } from './head';
import { externalDataFiles } from './modelDirectory';
import { bestPooling, exposeSentenceFeatures, inspectClassifier, SENTENCE_FEATURES, type FeaturePooling } from './onnxHead';

export interface FeatureOptions {
  pooling?: FeaturePooling;
  engine?: Omit<EngineOptions, 'preferQuantized' | 'cacheSize'>;
  signal?: AbortSignal;
  /** Texts whose features are complete, out of all texts. */
  onProgress?: (done: number, total: number) => void;
}

export interface ExtractedFeatures {
  features: FeatureMatrix;
  pooling: FeaturePooling;
  /** Model windows per text. */
  windows: Int32Array;
  executionProvider: ExecutionProviderName | null;
  elapsedMs: number;
}

const DEFAULT_BATCH_SIZE = 32;
/** Texts tokenized per native call and sorted by length together, as the engine chunks them. */
const TOKENIZE_CHUNK = 512;
/** Padded tokens per batch row, as the engine budgets: long windows make smaller batches. */
const TOKENS_PER_BATCH_ITEM = 64;

/** The float32 graph is used (never model_quantized.onnx): its head is the one a new head replaces. */
export function baseBundle(modelDir: string): Bundle {
  return readBundle(modelDir, { preferQuantized: false });
}

export async function extractFeatures(modelDir: string, texts: string[], options: FeatureOptions = {}): Promise<ExtractedFeatures> {
  const started = Date.now();
  const bundle = baseBundle(modelDir);
  const pooling = options.pooling ?? bestPooling(inspectClassifier(bundle.onnxFile));
  const engine = await loadFeatureEngine(bundle, pooling, options.engine ?? {});
  try {
    const stride = options.engine?.windowStride ?? Math.floor(bundle.maxTokens / 4);
    const tokenizer = new TextTokenizer(bundle.tokenizerFile, bundle.maxTokens, stride);

    // The width is known for sure only from a run (the graph may not state the hidden size).
    let width = 0;
    let sums = new Float64Array(0);
    const weights = new Float64Array(texts.length);
    const windows = new Int32Array(texts.length);
    const inputNames = engine.model.inputNames;
    const batchSize = options.engine?.batchSize ?? DEFAULT_BATCH_SIZE;
    let done = 0;
    options.onProgress?.(0, texts.length);

    // As the engine does: the next chunk is tokenized while this one runs.
    const encodeChunk = (from: number) => {
      const encoding = tokenizer.encodeBatch(texts.slice(from, from + TOKENIZE_CHUNK));
      encoding.catch(() => undefined); // awaited below; keeps an abort before then from leaving it unhandled
      return encoding;
    };
    let next = texts.length > 0 ? encodeChunk(0) : undefined;
    for (let from = 0; from < texts.length; from += TOKENIZE_CHUNK) {
      options.signal?.throwIfAborted();
      const encoded = await next!;
      next = from + TOKENIZE_CHUNK < texts.length ? encodeChunk(from + TOKENIZE_CHUNK) : undefined;
      const sequences = encoded.flatMap((text, offset) => {
        windows[from + offset] = text.windows.length;
        return text.windows.map((window) => ({ text: from + offset, ids: window.ids }));
      });
      sequences.sort((a, b) => a.ids.length - b.ids.length);
      for (let start = 0; start < sequences.length; ) {
        options.signal?.throwIfAborted();
        const longest = sequences[Math.min(start + batchSize, sequences.length) - 1].ids.length;
        const size = Math.max(1, Math.min(batchSize, Math.floor((batchSize * TOKENS_PER_BATCH_ITEM) / longest), sequences.length - start));
        const batch = sequences.slice(start, start + size);
        const output = await engine.run(paddedFeeds(batch.map((sequence) => sequence.ids), inputNames), [SENTENCE_FEATURES]);
        const { data: values, dims } = output[SENTENCE_FEATURES];
        if (width === 0) {
          width = dims[1];
          sums = new Float64Array(texts.length * width);
        }
        batch.forEach((sequence, row) => {
          const weight = sequence.ids.length;
          weights[sequence.text] += weight;
          const target = sequence.text * width;
          for (let j = 0; j < width; j++) sums[target + j] += weight * values[row * width + j];
        });
        start += size;
      }
      done += encoded.length;
      options.onProgress?.(done, texts.length);
    }

    const data = new Float32Array(sums.length);
    for (let i = 0; i < texts.length; i++) for (let j = 0; j < width; j++) data[i * width + j] = sums[i * width + j] / weights[i];
    return {
      features: { data, rows: texts.length, cols: width },
      pooling,
      windows,
      executionProvider: engine.status().executionProvider,
      elapsedMs: Date.now() - started,
    };
  } finally {
    await engine.dispose();
  }
}

/**
 * The engine on a scratch copy of the model directory whose graph also outputs `sentence_features`.
 * The scratch copy goes away once the session has read it.
 */
async function loadFeatureEngine(bundle: Bundle, pooling: FeaturePooling, engineOptions: FeatureOptions['engine']): Promise<Engine> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-features-'));
  try {
    fs.copyFileSync(bundle.configFile, path.join(scratch, 'config.json'));
    fs.copyFileSync(bundle.tokenizerFile, path.join(scratch, 'tokenizer.json'));
    const tokenizerConfig = path.join(bundle.dir, 'tokenizer_config.json');
    if (fs.existsSync(tokenizerConfig)) fs.copyFileSync(tokenizerConfig, path.join(scratch, 'tokenizer_config.json'));
    fs.writeFileSync(path.join(scratch, 'model.onnx'), exposeSentenceFeatures(bundle.onnxFile, pooling));
    linkExternalData(bundle.onnxFile, scratch);
    return await Engine.load(scratch, { ...engineOptions, preferQuantized: false, cacheSize: 0 });
  } finally {
    try {
      fs.rmSync(scratch, { recursive: true, force: true });
    } catch {
      // Windows keeps a file open while the session maps it; the temp directory then stays behind.
    }
  }
}

/**
 * Large models keep weights in files next to the graph (e.g. model.onnx_data): the copy must find them
 * in its own directory (onnxruntime refuses paths that leave it, symbolic links included). A hard link
 * costs nothing; across file systems the file is copied.
 */
function linkExternalData(onnxFile: string, scratch: string): void {
  const dir = path.dirname(onnxFile);
  for (const file of externalDataFiles(dir)) {
    try {
      fs.linkSync(path.join(dir, file), path.join(scratch, file));
    } catch {
      fs.copyFileSync(path.join(dir, file), path.join(scratch, file));
    }
  }
}
