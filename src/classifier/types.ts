// Shared result and option types of the engine. Imported by the CLI, the worker, the
// extension host and the tests; no `vscode` and no native module here.

/** regression: the scores are the model's raw outputs (values), not probabilities. */
export type ProblemType = 'single_label_classification' | 'multi_label_classification' | 'regression';

/** Which ONNX file of a model directory runs, as Transformers.js names them (model.onnx is fp32, model_quantized.onnx quantized…). */
export const MODEL_VARIANTS = ['auto', 'fp32', 'fp16', 'quantized', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4'] as const;
export type ModelVariant = (typeof MODEL_VARIANTS)[number];

/** How a document is cut into units before classification. */
export type Unit = 'document' | 'paragraph' | 'sentence' | 'line' | 'section';

export interface LabelScore {
  label: string;
  score: number;
}

/** One classified text: every label with its score, sorted by score descending. */
export interface Classification {
  labels: LabelScore[];
  /** Number of model windows the text needed (1 unless it was longer than the model's window). */
  windows: number;
  /** Real tokens the text produced, special tokens included. */
  tokens: number;
}

/** A piece of a document with its exact character range: text === source.slice(start, end). */
export interface Segment {
  start: number;
  end: number;
  text: string;
}

export interface ClassifiedSegment extends Segment, Classification {}

export interface ModelInfo {
  /** Absolute path of the model directory. */
  dir: string;
  name: string;
  labels: string[];
  problemType: ProblemType;
  modelType: string;
  /** The ONNX file actually loaded. */
  onnxFile: string;
  /** Its variant (fp32, quantized, fp16…). */
  variant?: Exclude<ModelVariant, 'auto'>;
  /** Graph inputs the session asks for, e.g. input_ids, attention_mask, token_type_ids. */
  inputNames: string[];
  maxTokens: number;
  /** Stable identity of the model files, part of every cache key. */
  fingerprint: string;
}

export type ExecutionProviderName = 'cuda' | 'dml' | 'coreml' | 'cpu';

export interface EngineOptions {
  /** 'auto' or an ordered list; each that fails to load falls back to the next. */
  executionProviders?: 'auto' | ExecutionProviderName[];
  /** Threads running the model (on the CPU with more than one: a session per thread, each running whole batches, for a model small enough; see `lanes`); default: physical cores. */
  threads?: number;
  /** The most windows in one batch (the engine cuts smaller ones where that saves padding). */
  batchSize?: number;
  /** Tokens shared by consecutive windows of a long text. */
  windowStride?: number;
  /** Which graph of the model directory runs (default 'auto': fp32 when present, else the first variant present). */
  modelVariant?: ModelVariant;
  /** Older setting: with modelVariant 'auto', run model_quantized.onnx when the directory has one. */
  preferQuantized?: boolean;
  /** Entries in the result cache (LRU). */
  cacheSize?: number;
  /**
   * On the CPU with several threads: true runs whole batches side by side, one single-thread session per
   * thread (each holding its own copy of the weights); false splits each run between intra-op threads.
   * Default: by model size (session.ts).
   */
  lanes?: boolean;
  /** Folder for large graphs' load-fast copies (default: the user's cache folder); false: none. */
  graphCacheDir?: string | false;
  /** Run the graph on an Open Inference Protocol server instead of a local session (tokenization stays local). */
  remote?: RemoteBackendOptions;
}

/** Settings textClassifier.remote.url / .model / .token. */
export interface RemoteBackendOptions {
  /** Base URL of a KServe v2 / Triton / `textclf serve` endpoint, e.g. http://localhost:8000. */
  url: string;
  /** Model name on that server. */
  model: string;
  /** Bearer token, when the server wants one. */
  token?: string;
  /** Per HTTP request; default 30 s. */
  timeoutMs?: number;
  /** Further tries after a refused connection, a timeout or a 429/502/503/504; default 6. */
  retries?: number;
}

export interface RemoteBackendStatus {
  url: string;
  model: string;
  /** up: the last request was answered; error: the server refused it; down: it could not be reached. */
  state: 'up' | 'error' | 'down';
  lastError?: string;
  lastSuccessAt?: string;
  requests: number;
  retries: number;
  failures: number;
}

export interface EngineStatus {
  model: ModelInfo | null;
  executionProvider: ExecutionProviderName | null;
  /** Why each provider tried before the one in use was not used. */
  providerFallbacks: { provider: ExecutionProviderName; reason: string }[];
  threads: number;
  cache: { size: number; capacity: number; hits: number; misses: number };
  /** Present when the graph runs on a remote server (executionProvider is then null). */
  remote?: RemoteBackendStatus;
}

/** A graph input or output in Open Inference Protocol terms: datatype (INT64, FP32…) and shape, -1 for a dynamic dim. */
export interface TensorSpec {
  name: string;
  datatype: string;
  shape: number[];
  /** The graph's symbolic name of each dim ('batch', 'sequence'), null where the dim is fixed or unnamed. */
  dimNames?: (string | null)[];
}

/** The inputs and outputs of a model's ONNX graph, as its session reports them. */
export interface ModelSignature {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

/** A tensor as it crosses the worker boundary: its data and dims (serve's v2 infer, raw graph runs). */
export interface RawTensor<T> {
  data: T;
  dims: number[];
}

export interface TensorDescription {
  name: string;
  /** onnxruntime's type name: int64, int32, float32, float16… */
  dtype: string;
  /** Dims, with the graph's symbolic names (batch_size, sequence_length) where a dim is not fixed. */
  shape: (number | string)[];
}

/** The result of `textclf models --check`; the JSON keys are part of the CLI's contract. */
export interface ModelCheck {
  dir: string;
  /** config.json's model_type (bert, roberta, xlm-roberta, deberta-v2…). */
  family: string | null;
  /** The tokenizer model and pipeline, e.g. "WordPiece (BertNormalizer, BertPreTokenizer, [CLS] $A [SEP])". */
  tokenizer: string | null;
  inputs: TensorDescription[];
  outputs: TensorDescription[];
  problem_type: string | null;
  labels: string[];
  /** The graph variant the engine loads (fp32, quantized, fp16…) and its file. */
  variant: { name: string; file: string; available: string[] } | null;
  /** External weight files of the graph (model.onnx_data…). */
  external_data: string[];
  /** The most tokens one window holds, special tokens included. */
  window: number | null;
  supported: boolean;
  /** One sentence per problem; empty when supported. */
  problems: string[];
  /** What a supported model does differently, one sentence each (e.g. batch-dependent scores of a dynamically quantized graph). */
  notes: string[];
}
