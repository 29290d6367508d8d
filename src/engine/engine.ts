// Texts -> scores with one model: cache lookup, tokenization (tokenize.ts) overlapped with inference,
// length-sorted batches (little padding), windows of long texts aggregated back.
import * as ort from 'onnxruntime-node';
import { BundleError, labelNames, readBundle, type Bundle } from './bundle';
import { ResultCache } from './cache';
import { ProgressCounter } from './progressCounter';
import { paddedFeeds, toFloat32, toInt32, type FeedLayout } from './feeds';
import { probabilities, scoreFunctionFor, unpackScores, type PackedScores, type PackedSegments, type ScoreFunction } from '../classifier/scores';
import { explainTexts, type ExplainContext } from './explain';
import { unpackExplanation, type Explanation, type PackedExplanations } from '../classifier/explanation';
import { segment, type SegmentOptions } from '../classifier/segment';
import { checkDocument, checkTexts, type Classifier, type ClassifyDocumentOptions, type ClassifyOptions, type Explainer } from '../classifier/classifier';
import { connectRemote } from './remote';
import { createSession, type LoadedSession } from './session';
import { TextTokenizer, type EncodedText } from './tokenize';
import type { Classification, ClassifiedSegment, EngineOptions, EngineStatus, ModelInfo, ModelSignature, RawTensor, Segment, TensorSpec, Unit } from '../classifier/types';

/** One model input sequence (a text or a window of one) and the pending text it belongs to. */
interface Sequence {
  ids: number[];
  text: number;
}

const SUPPORTED_INPUTS = ['input_ids', 'attention_mask', 'token_type_ids', 'position_ids'];
/** Inputs only an encoder-decoder (seq2seq) graph takes. */
const SEQ2SEQ_INPUTS = ['decoder_input_ids', 'decoder_attention_mask', 'encoder_outputs', 'encoder_hidden_states'];
export const DEFAULT_BATCH_SIZE = 32;
export const DEFAULT_CACHE_SIZE = 5000;
/** Texts tokenized and sorted into batches together, doubling from the first chunk to the largest; the next chunk is tokenized while earlier ones run. */
const FIRST_TOKENIZE_CHUNK = 64;
const MAX_TOKENIZE_CHUNK = 1024;
/** Texts tokenized between two turns of the event loop (about 0.3 ms with the fast path). */
const TOKENIZE_SLICE = 128;
/** Padded tokens per batch, so batches of long windows stay small in memory (attention is quadratic). */
const TOKENS_PER_BATCH_ITEM = 64;
/**
 * What one more run costs, in padded tokens: with the bundled model a run costs about 26 µs over its
 * tokens' 4.7 µs each (onnxruntime, one thread), so a batch is split when that saves 6 padded tokens.
 */
const RUN_COST_IN_TOKENS = 6;
/** Runs handed to each lane ahead, so that none waits while this thread tokenizes or scores: two hand-overs' worth. */
const RUNS_QUEUED_PER_LANE = 8;
/** Batches handed to a lane in one message (each message to and from a thread costs tens of µs of CPU). */
const MAX_BATCHES_PER_HANDOVER = 4;

export class Engine implements Classifier, Explainer {
  readonly model: ModelInfo;
  readonly signature: ModelSignature;
  private readonly cache: ResultCache;
  private readonly batchSize: number;
  private readonly scoreFunction: ScoreFunction;
  /** False once a newer engine of the same graph took the session over (see load's `previous`). */
  private ownsSession = true;

  private constructor(
    private readonly bundle: Bundle,
    private readonly tokenizer: TextTokenizer,
    private readonly loaded: LoadedSession,
    private readonly outputName: string,
    logitsWidth: number,
    options: EngineOptions,
    /** What a session of this engine depends on (undefined for a remote one, which is never shared). */
    private readonly sessionKey: string | undefined,
    private readonly feedPlan: FeedPlan = feedPlanOf(bundle, loaded.signature, outputName),
  ) {
    this.model = {
      dir: bundle.dir,
      name: bundle.name,
      labels: bundle.labels,
      problemType: bundle.problemType,
      modelType: bundle.modelType,
      onnxFile: bundle.onnxFile,
      variant: bundle.variant,
      inputNames: [...loaded.session.inputNames],
      maxTokens: bundle.maxTokens,
      fingerprint: bundle.fingerprint,
    };
    this.signature = loaded.signature;
    this.cache = new ResultCache(options.cacheSize ?? DEFAULT_CACHE_SIZE);
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    this.scoreFunction = scoreFunctionFor(bundle.problemType, logitsWidth);
  }

  get labels(): readonly string[] {
    return this.model.labels;
  }

  /** The Classifier name of `model`. */
  get info(): ModelInfo {
    return this.model;
  }

  /**
   * Validates the model directory and starts a session; every problem is a BundleError naming its file.
   * With `previous` (the engine this one replaces) of the same graph file and execution settings, the new
   * engine takes over its session instead of loading the graph again: a reload that changes only the
   * batch size, cache or windows then costs no load time and no second copy of the weights (a BERT-base
   * worker peaked at 1,252 MB with both sessions alive). `previous.dispose()` then leaves the session.
   */
  static async load(modelDir: string, options: EngineOptions = {}, previous?: Engine): Promise<Engine> {
    if (options.batchSize !== undefined && !(Number.isInteger(options.batchSize) && options.batchSize > 0)) {
      throw new Error(`batchSize must be a positive integer, got ${options.batchSize}`);
    }
    let bundle = readBundle(modelDir, { variant: options.modelVariant, preferQuantized: options.preferQuantized });
    const stride = options.windowStride ?? Math.floor(bundle.maxTokens / 4);
    if (!(Number.isInteger(stride) && stride >= 0 && stride < bundle.maxTokens / 2)) {
      throw new Error(`windowStride must be an integer from 0 to ${Math.ceil(bundle.maxTokens / 2) - 1} for this model (${bundle.maxTokens} tokens per window), got ${stride}`);
    }
    const tokenizer = new TextTokenizer(bundle.tokenizerFile, bundle.maxTokens, stride);
    const sessionKey = options.remote ? undefined : JSON.stringify([bundle.onnxFile, bundle.fingerprint, options.executionProviders ?? 'auto', options.threads ?? 0]);
    const shared = sessionKey !== undefined && previous?.ownsSession && previous.sessionKey === sessionKey ? previous.loaded : undefined;
    const loaded = shared ?? (options.remote ? await connectRemote(options.remote) : await createSession(bundle.onnxFile, options));
    try {
      const outputName = checkGraph(bundle, loaded);
      const logitsWidth = await probeLogitsWidth(bundle, tokenizer, loaded, outputName);
      // Without id2label the logits' width says how many labels there are (transformers would say LABEL_0…).
      if (!bundle.labelsNamed && logitsWidth !== bundle.labels.length) bundle = { ...bundle, labels: labelNames(logitsWidth) };
      checkLabels(bundle, logitsWidth);
      const engine = new Engine(bundle, tokenizer, loaded, outputName, logitsWidth, options, sessionKey);
      if (shared) previous!.ownsSession = false;
      return engine;
    } catch (error) {
      if (!shared) await loaded.session.release();
      throw error;
    }
  }

  async classify(texts: string[], opts: ClassifyOptions = {}): Promise<Classification[]> {
    return unpackScores(await this.classifyPacked(texts, opts), opts.topK);
  }

  /** Like classify, with every label's score in label order: the form results cross process boundaries in. */
  async classifyPacked(texts: string[], opts: Omit<ClassifyOptions, 'topK'> = {}): Promise<PackedScores> {
    checkTexts(texts);
    const width = this.model.labels.length;
    const result: PackedScores = {
      labels: this.model.labels,
      scores: new Float32Array(texts.length * width),
      windows: new Int32Array(texts.length),
      tokens: new Int32Array(texts.length),
    };
    const useCache = this.cache.capacity > 0;
    const keys = useCache ? texts.map((text) => ResultCache.key(this.model.fingerprint, text)) : [];
    const pending: number[] = [];
    for (let i = 0; i < texts.length; i++) {
      const cached = useCache ? this.cache.get(keys[i]) : undefined;
      if (cached) {
        result.scores.set(cached.scores, i * width);
        result.windows[i] = cached.windows;
        result.tokens[i] = cached.tokens;
      } else pending.push(i);
    }
    const progress = new ProgressCounter(texts.length, opts.onProgress, texts.length - pending.length);
    opts.onProgress?.(progress.done, texts.length);

    // Tokenization runs one chunk ahead of inference (a small first chunk so that inference starts soon,
    // then doubling), in slices between which finished runs are scored and new ones handed out.
    const bounds = [0];
    for (let size = FIRST_TOKENIZE_CHUNK; bounds.at(-1)! < pending.length; size = Math.min(2 * size, MAX_TOKENIZE_CHUNK)) {
      bounds.push(Math.min(bounds.at(-1)! + size, pending.length));
    }
    let chunksStarted = 0;
    const windowsLeft = new Int32Array(pending.length);
    const nextChunk = (): Promise<Sequence[]> | undefined => {
      if (chunksStarted + 1 >= bounds.length) return undefined;
      const from = bounds[chunksStarted++];
      return this.encodeInSlices(pending.slice(from, bounds[chunksStarted]).map((i) => texts[i])).then((encoded) => {
        const sequences: Sequence[] = [];
        encoded.forEach((text, index) => {
          const i = pending[from + index];
          result.windows[i] = text.windows.length;
          result.tokens[i] = text.tokens;
          windowsLeft[from + index] = text.windows.length;
          for (const window of text.windows) sequences.push({ ids: window.ids, text: from + index });
        });
        return sequences;
      });
    };
    const multiLabel = this.scoreFunction === 'sigmoid';
    // Per pending text: scores summed over its windows (weighted by window tokens) or maxed (multi-label).
    const sums = new Float64Array(pending.length * width);
    const weights = new Float64Array(pending.length);
    await this.scoreSequences(
      nextChunk,
      (sequence, row) => {
        const t = sequence.text;
        const weight = sequence.ids.length;
        for (let j = 0; j < width; j++) {
          const k = t * width + j;
          sums[k] = multiLabel ? Math.max(sums[k], row[j]) : sums[k] + weight * row[j];
        }
        weights[t] += weight;
        if (--windowsLeft[t] > 0) return;
        const i = pending[t];
        for (let j = 0; j < width; j++) result.scores[i * width + j] = multiLabel ? sums[t * width + j] : sums[t * width + j] / weights[t];
        if (useCache) this.cache.set(keys[i], { scores: result.scores.slice(i * width, (i + 1) * width), windows: result.windows[i], tokens: result.tokens[i] });
        progress.finish();
      },
      () => progress.report(),
      opts.signal,
    );
    if (progress.done !== texts.length) throw new Error(`internal: ${texts.length - progress.done} texts left unscored`);
    return result;
  }

  /**
   * Per-word contributions to every label by occlusion (src/engine/explain.ts); each text's labels,
   * windows and tokens are what classify gives for it.
   */
  async explain(texts: string[], opts: Omit<ClassifyOptions, 'topK'> = {}): Promise<Explanation[]> {
    const packed = await this.explainPacked(texts, opts);
    return texts.map((text, i) => unpackExplanation(packed, i, text));
  }

  /** Like explain, in the compact form results cross process boundaries in. */
  explainPacked(texts: string[], opts: Omit<ClassifyOptions, 'topK'> = {}): Promise<PackedExplanations> {
    return explainTexts(texts, this.explainContext(), opts);
  }

  /** What explain.ts needs of the engine: the tokenizer, the model's labels and how scores aggregate, and the shared scoring path. */
  private explainContext(): ExplainContext {
    return {
      labels: this.model.labels,
      multiLabel: this.scoreFunction === 'sigmoid',
      encodeWords: (text) => this.tokenizer.encodeWords(text),
      classifyPacked: (texts, opts) => this.classifyPacked(texts, opts),
      scoreSequences: (next, onScored, afterRun, signal) => this.scoreSequences(next, onScored, afterRun, signal),
    };
  }

  /**
   * Runs token id sequences through the model and hands each one's label probabilities to `onScored`
   * (a reused buffer: copy what is kept); `afterRun` follows each finished run's rows. Sequences come in
   * chunks from `nextChunk` (undefined when there are no more), the next one prepared while earlier ones
   * run: the loop below takes a chunk only once it is ready and never waits for one while there is a run
   * to hand out or a result to score. Each chunk is sorted by length and cut into batches (the more sorted
   * together, the less padding). As many runs are kept in flight as the session makes progress on at once
   * (its lanes), and more queued on each so that no lane waits for this thread.
   */
  private async scoreSequences<S extends { ids: number[] }>(
    nextChunk: () => Promise<S[]> | undefined,
    onScored: (sequence: S, row: Float32Array) => void,
    afterRun: () => void,
    signal?: AbortSignal,
  ): Promise<void> {
    const width = this.model.labels.length;
    // Wakes the loop below when a run finishes or a chunk is ready.
    let wake: (() => void) | undefined;
    let chunkReady = false;
    const startChunk = (): Promise<S[]> | undefined => {
      chunkReady = false;
      signal?.throwIfAborted();
      const chunk = nextChunk();
      const ready = (): void => {
        chunkReady = true;
        wake?.();
      };
      chunk?.then(ready, ready); // a failure is thrown where the chunk is taken
      return chunk;
    };
    let chunk = startChunk();
    const parallelism = this.loaded.session.parallelism ?? 1;
    const depth = parallelism > 1 ? RUNS_QUEUED_PER_LANE * parallelism : 1;
    const handover = this.loaded.session.runMany ? Math.min(MAX_BATCHES_PER_HANDOVER, depth) : 1;
    const row = new Float32Array(width);
    const queued: S[][] = [];
    // Runs are scored in the order they finish, so a lane that is done is handed its next run at once.
    const finished: { batch: S[]; values: Float32Array }[] = [];
    let inFlight = 0;
    let failure: { error: unknown } | undefined;
    const dispatch = (): void => {
      for (;;) {
        // Several batches per hand-over, fewer as the queue runs out so that the lanes finish together.
        const size = Math.min(handover, Math.ceil(queued.length / parallelism));
        if (size === 0 || depth - inFlight < size) return;
        signal?.throwIfAborted();
        const batches = queued.splice(0, size);
        inFlight += size;
        this.runBatches(batches.map((batch) => batch.map((sequence) => sequence.ids))).forEach((logits, b) => {
          logits
            .then((values) => finished.push({ batch: batches[b], values }), (error: unknown) => (failure ??= { error }))
            .finally(() => {
              inFlight--;
              wake?.();
            });
        });
      }
    };
    for (;;) {
      signal?.throwIfAborted();
      if (chunk && chunkReady && queued.length < depth) {
        // Longest batches first: the runs left at the end, when lanes may wait, are the short ones.
        queued.push(...this.batchesOf(await chunk).reverse());
        dispatch();
        chunk = startChunk();
        continue;
      }
      dispatch();
      if (failure) throw failure.error;
      if (finished.length === 0) {
        if (inFlight === 0 && queued.length === 0 && !chunk) break;
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      const { batch, values } = finished.shift()!;
      const logitsWidth = values.length / batch.length;
      batch.forEach((sequence, b) => {
        probabilities(this.scoreFunction, values, b * logitsWidth, logitsWidth, row);
        onScored(sequence, row);
      });
      afterRun();
    }
  }

  /**
   * Tokenizes a chunk a slice at a time, yielding to the event loop in between: the JavaScript fast path
   * runs on this thread, and a whole chunk at once would keep finished runs from being scored and the
   * lanes from being handed new ones for milliseconds.
   */
  private async encodeInSlices(texts: string[]): Promise<EncodedText[]> {
    const encoded: EncodedText[] = [];
    for (let from = 0; from < texts.length; from += TOKENIZE_SLICE) {
      if (from > 0) await new Promise(setImmediate);
      encoded.push(...(await this.tokenizer.encodeBatch(texts.slice(from, from + TOKENIZE_SLICE))));
    }
    return encoded;
  }

  /**
   * Windows sorted by length and cut into the batches that cost least: padded tokens plus a fixed cost
   * per run, each batch at most batchSize windows and batchSize × TOKENS_PER_BATCH_ITEM padded tokens
   * (attention is quadratic, so a batch of long windows holds fewer). Cutting a sorted list optimally
   * is a small dynamic programme over where each batch starts.
   */
  private batchesOf<S extends { ids: number[] }>(sequences: S[]): S[][] {
    sequences.sort((a, b) => a.ids.length - b.ids.length);
    const n = sequences.length;
    const cost = new Float64Array(n + 1).fill(Infinity);
    const start = new Int32Array(n + 1);
    cost[0] = 0;
    for (let end = 1; end <= n; end++) {
      const longest = sequences[end - 1].ids.length;
      const most = Math.max(1, Math.min(this.batchSize, Math.floor((this.batchSize * TOKENS_PER_BATCH_ITEM) / longest)));
      for (let from = Math.max(0, end - most); from < end; from++) {
        const total = cost[from] + RUN_COST_IN_TOKENS + (end - from) * longest;
        if (total < cost[end]) {
          cost[end] = total;
          start[end] = from;
        }
      }
    }
    const batches: S[][] = [];
    for (let end = n; end > 0; end = start[end]) batches.push(sequences.slice(start[end], end));
    return batches.reverse();
  }

  /** Padded batches through the graph, handed over together where the session can take several; the logits of each, row-major [batch, logitsWidth]. */
  private runBatches(batches: number[][][]): Promise<Float32Array>[] {
    const session = this.loaded.session;
    const feeds = batches.map((batch) => batchTensors(batch, this.feedPlan));
    const fetches = [this.outputName];
    const outputs = session.runMany ? session.runMany(feeds, fetches) : feeds.map((tensors) => session.run(tensors, fetches));
    const type = this.feedPlan.outputType;
    return outputs.map((output) => output.then((named) => toFloat32(named[this.outputName].data, type)));
  }

  /** Cuts a document into units and classifies them; every segment keeps its exact range. */
  async classifyDocument(text: string, unit: Unit, opts: ClassifyDocumentOptions = {}): Promise<ClassifiedSegment[]> {
    checkDocument(text, unit);
    const segments = segment(text, unit, opts);
    const results = await this.classify(segments.map((s) => s.text), opts);
    return segments.map((s, i) => ({ ...s, ...results[i] }));
  }

  /** classifyDocument in compact form, for the worker: the host slices the texts from its own copy. */
  async classifyDocumentPacked(text: string, unit: Unit, opts: Omit<ClassifyOptions, 'topK'> & SegmentOptions = {}): Promise<PackedSegments> {
    checkDocument(text, unit);
    const segments: Segment[] = segment(text, unit, opts);
    const results = await this.classifyPacked(segments.map((s) => s.text), opts);
    return { starts: Int32Array.from(segments, (s) => s.start), ends: Int32Array.from(segments, (s) => s.end), results };
  }

  /** Raw run: int64 feeds by input name -> float outputs by name (serve's v2 infer, feature extraction). */
  async run(
    feeds: Record<string, RawTensor<BigInt64Array>>,
    outputNames?: string[],
  ): Promise<Record<string, RawTensor<Float32Array>>> {
    const session = this.loaded.session;
    const tensors: Record<string, ort.Tensor> = {};
    for (const [name, tensor] of Object.entries(feeds)) {
      if (!session.inputNames.includes(name)) {
        throw new Error(`unknown input "${name}": ${this.model.onnxFile} takes ${session.inputNames.join(', ')}`);
      }
      tensors[name] = int32Input(this.signature, name) ? new ort.Tensor('int32', toInt32(tensor.data), tensor.dims) : new ort.Tensor('int64', tensor.data, tensor.dims);
    }
    const missing = session.inputNames.filter((name) => !(name in feeds));
    if (missing.length > 0) throw new Error(`missing input ${missing.join(', ')} for ${this.model.onnxFile}`);
    const unknownOutput = (outputNames ?? []).find((name) => !session.outputNames.includes(name));
    if (unknownOutput) throw new Error(`unknown output "${unknownOutput}": ${this.model.onnxFile} gives ${session.outputNames.join(', ')}`);
    const outputs = await session.run(tensors, outputNames ?? [...session.outputNames]);
    const result: Record<string, RawTensor<Float32Array>> = {};
    for (const [name, tensor] of Object.entries(outputs)) {
      const type = this.signature.outputs.find((output) => output.name === name)?.datatype === 'FP16' ? 'float16' : 'float32';
      result[name] = { data: toFloat32(tensor.data, type), dims: [...tensor.dims] };
    }
    return result;
  }

  status(): EngineStatus {
    return {
      model: this.model,
      executionProvider: this.loaded.provider,
      providerFallbacks: this.loaded.fallbacks,
      threads: this.loaded.threads,
      cache: { size: this.cache.size, capacity: this.cache.capacity, hits: this.cache.hits, misses: this.cache.misses },
      ...(this.loaded.remoteStatus ? { remote: this.loaded.remoteStatus() } : {}),
    };
  }

  async dispose(): Promise<void> {
    this.cache.clear();
    if (this.ownsSession) await this.loaded.session.release();
    this.ownsSession = false;
  }
}

/** Every graph input must be one we know how to feed (int64 or int32); returns the output that holds the logits. */
function checkGraph(bundle: Bundle, loaded: LoadedSession): string {
  const { session } = loaded;
  const seq2seq = loaded.signature.inputs.find((input) => SEQ2SEQ_INPUTS.includes(input.name));
  if (seq2seq) {
    throw new BundleError(bundle.onnxFile, `this is an encoder-decoder (seq2seq) graph (it takes "${seq2seq.name}"), not a text-classification model`);
  }
  for (const input of loaded.signature.inputs) {
    if (!SUPPORTED_INPUTS.includes(input.name)) {
      throw new BundleError(bundle.onnxFile, `unknown graph input "${input.name}" (this engine feeds ${SUPPORTED_INPUTS.join(', ')})`);
    }
    if (input.datatype !== 'INT64' && input.datatype !== 'INT32') {
      throw new BundleError(bundle.onnxFile, `graph input "${input.name}" is ${input.datatype}; expected INT64 or INT32`);
    }
  }
  if (!session.inputNames.includes('input_ids')) throw new BundleError(bundle.onnxFile, 'the graph has no "input_ids" input');
  const output = session.outputNames.includes('logits') ? 'logits' : session.outputNames.length === 1 ? session.outputNames[0] : undefined;
  if (!output) throw new BundleError(bundle.onnxFile, `no "logits" output among ${session.outputNames.join(', ')}`);
  const datatype = loaded.signature.outputs.find((spec) => spec.name === output)?.datatype;
  if (datatype !== undefined && !['FP32', 'FP16', 'FP64'].includes(datatype)) {
    throw new BundleError(bundle.onnxFile, `output "${output}" is ${datatype}; expected float logits`);
  }
  return output;
}

/** What batchTensors needs to know about the graph: its inputs' types, the pad id and position numbering, the logits' type. */
interface FeedPlan {
  inputs: readonly TensorSpec[];
  layout: FeedLayout;
  outputType: 'float32' | 'float16' | 'float64';
}

function feedPlanOf(bundle: Bundle, signature: ModelSignature, outputName: string): FeedPlan {
  const datatype = signature.outputs.find((output) => output.name === outputName)?.datatype;
  const outputType = datatype === 'FP16' ? 'float16' : datatype === 'FP64' ? 'float64' : 'float32';
  return { inputs: signature.inputs, layout: { padId: bundle.padId, positions: bundle.positions }, outputType };
}

function int32Input(signature: ModelSignature, name: string): boolean {
  return signature.inputs.find((input) => input.name === name)?.datatype === 'INT32';
}

/** A padded batch of token ids as onnxruntime tensors for the graph's inputs, each in the integer type the graph declares. */
function batchTensors(batch: number[][], plan: FeedPlan): Record<string, ort.Tensor> {
  const tensors: Record<string, ort.Tensor> = {};
  const feeds = paddedFeeds(batch, plan.inputs.map((input) => input.name), plan.layout);
  for (const input of plan.inputs) {
    const { data, dims } = feeds[input.name];
    tensors[input.name] = input.datatype === 'INT32' ? new ort.Tensor('int32', toInt32(data), dims) : new ort.Tensor('int64', data, dims);
  }
  return tensors;
}

/** One tiny run: learns the logits width (often symbolic in the graph) and warms the session up. */
async function probeLogitsWidth(bundle: Bundle, tokenizer: TextTokenizer, loaded: LoadedSession, outputName: string): Promise<number> {
  const { ids } = (await tokenizer.encode('warm up')).windows[0];
  const output = (await loaded.session.run(batchTensors([ids], feedPlanOf(bundle, loaded.signature, outputName)), [outputName]))[outputName];
  if (output.dims.length === 3 && output.dims[0] === 1 && output.dims[1] === ids.length) {
    throw new BundleError(bundle.onnxFile, `this is a token-classification graph (output "${outputName}" is [batch, sequence, labels]), not a text-classification model`);
  }
  if (output.dims.length !== 2 || output.dims[0] !== 1) {
    throw new BundleError(bundle.onnxFile, `output "${outputName}" has shape [${output.dims.join(', ')}]; expected [batch, labels]`);
  }
  return output.dims[1];
}

function checkLabels(bundle: Bundle, logitsWidth: number): void {
  const labels = bundle.labels.length;
  const singleLogitBinary = logitsWidth === 1 && labels <= 2 && bundle.problemType === 'single_label_classification';
  if (logitsWidth !== labels && !singleLogitBinary) {
    throw new BundleError(
      bundle.configFile,
      `"id2label" has ${labels} labels but the model's logits have width ${logitsWidth} (${bundle.onnxFile})`,
    );
  }
}
