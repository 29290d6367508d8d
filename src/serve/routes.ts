// The endpoints: the Open Inference Protocol (KServe v2) over HTTP/JSON, the text endpoint
// /v1/classify in the Hugging Face Inference API's text-classification shape, and /v1/explain (the
// same body; per input the labels and each word's contribution to the top label).
import type { IncomingMessage } from 'node:http';
import { contributionsTo, type Explanation, type LabelContribution } from '../classifier/explanation';
import type { Classification, LabelScore } from '../classifier/types';
import { DynamicBatcher } from './batcher';
import type { Cancellation } from './cancellation';
import { badRequest, HttpError, notFound, unavailable } from './errors';
import { readInferBody, readJsonBody } from './http';
import type { ServedModel } from './servedModel';
import { decodeInferRequest, encodeOutputs, type DecodedInferRequest, type Float32Tensor, type Int64Tensor } from './v2codec';
import { errorMessage } from '../classifier/errors';

export interface Limits {
  /** Rows in one engine call, and the largest batch dim a v2 infer request may have. */
  maxBatch: number;
  /** Texts in one /v1/classify or /v1/explain request. */
  maxInputs: number;
  maxBodyBytes: number;
  /** Characters in one text of a /v1/classify request. */
  maxTextChars: number;
}

export interface BatchingOptions {
  enabled: boolean;
  delayMs: number;
  maxInFlight: number;
}

export interface Reply {
  status: number;
  body: unknown;
  /** Raw tensor bytes sent after the JSON (binary tensor data extension). */
  binary?: Buffer[];
}

export const modelVersion = '1';

/** One served model with its batchers. */
class ModelEndpoint {
  readonly classifyBatcher: DynamicBatcher<{ texts: string[] }, Classification[]>;
  readonly explainBatcher: DynamicBatcher<{ texts: string[] }, Explanation[]>;
  readonly inferBatcher: DynamicBatcher<DecodedInferRequest, InferOutcome>;

  constructor(
    readonly model: ServedModel,
    limits: Limits,
    batching: BatchingOptions,
  ) {
    // Without dynamic batching every request is its own engine call: batches of one, no delay.
    const common = batching.enabled
      ? { maxBatch: limits.maxBatch, delayMs: batching.delayMs, maxInFlight: batching.maxInFlight }
      : { maxBatch: 1, delayMs: 0, maxInFlight: Number.MAX_SAFE_INTEGER };
    this.classifyBatcher = new DynamicBatcher({
      ...common,
      size: (request) => request.texts.length,
      key: () => 'classify',
      run: async (requests, signal) => splitClassifications(requests, await model.classify(requests.flatMap((request) => request.texts), { signal })),
    });
    this.explainBatcher = new DynamicBatcher({
      ...common,
      size: (request) => request.texts.length,
      key: () => 'explain',
      run: async (requests, signal) => splitClassifications(requests, await model.explain(requests.flatMap((request) => request.texts), { signal })),
    });
    this.inferBatcher = new DynamicBatcher({
      ...common,
      size: (request) => request.batchSize,
      // Like Triton without ragged batching: only requests with equal non-batch dims and the same
      // outputs are concatenated (binary and classification only change how outputs are written).
      key: (request) =>
        JSON.stringify([request.outputNames, Object.entries(request.feeds).map(([name, tensor]) => [name, tensor.dims.slice(1)])]),
      run: (requests, signal) => inferIsolatingFailures(model, requests, signal),
    });
  }
}

export class Routes {
  private readonly endpoints = new Map<string, ModelEndpoint>();

  constructor(
    models: ServedModel[],
    private readonly limits: Limits,
    batching: BatchingOptions,
    private readonly serverVersion: string,
  ) {
    for (const model of models) this.endpoints.set(model.name, new ModelEndpoint(model, limits, batching));
  }

  /** One line per model: requests, engine calls and the mean rows per call, for the shutdown log. */
  batchingSummary(): string[] {
    return [...this.endpoints.values()].map(({ model, classifyBatcher, explainBatcher, inferBatcher }) => {
      const describe = (what: string, stats: { calls: number; requests: number; rows: number }) =>
        `${stats.requests} ${what} requests in ${stats.calls} engine calls` + (stats.calls > 0 ? ` (mean ${(stats.rows / stats.calls).toFixed(1)} rows per call)` : '');
      return `model '${model.name}': ${describe('classify', classifyBatcher.stats)}, ${describe('explain', explainBatcher.stats)}, ${describe('infer', inferBatcher.stats)}`;
    });
  }

  async handle(method: string, path: string, request: IncomingMessage, cancellation: Cancellation): Promise<Reply> {
    if (path === '/v2/health/live') return this.get(method, () => ({ status: 200, body: { live: true } }));
    if (path === '/v2/health/ready') return this.get(method, () => this.serverReady());
    if (path === '/v2') return this.get(method, () => ({ status: 200, body: this.serverMetadata() }));
    if (path === '/v1/models') return this.get(method, () => ({ status: 200, body: this.modelList() }));
    if (path === '/v1/classify') return this.post(method, () => this.classify(request, cancellation));
    if (path === '/v1/explain') return this.post(method, () => this.explain(request, cancellation));

    const match = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?(\/ready|\/infer)?$/.exec(path);
    if (match) {
      const endpoint = this.endpoint(decodePathPart(match[1]), match[2] && decodePathPart(match[2]));
      if (match[3] === '/ready') return this.get(method, () => modelReady(endpoint.model));
      if (match[3] === '/infer') return this.post(method, () => this.infer(endpoint, request, cancellation));
      return this.get(method, () => ({ status: 200, body: modelMetadata(endpoint.model) }));
    }
    throw notFound(`no endpoint ${path}`);
  }

  private get(method: string, handler: () => Reply | Promise<Reply>): Reply | Promise<Reply> {
    if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, `use GET for this endpoint, not ${method}`, { Allow: 'GET, HEAD' });
    return handler();
  }

  private post(method: string, handler: () => Promise<Reply>): Promise<Reply> {
    if (method !== 'POST') throw new HttpError(405, `use POST for this endpoint, not ${method}`, { Allow: 'POST' });
    return handler();
  }

  private endpoint(name: string, version?: string): ModelEndpoint {
    const endpoint = this.endpoints.get(name);
    if (!endpoint) throw notFound(`unknown model '${name}'; this server has ${this.modelNames()}`);
    if (version !== undefined && version !== modelVersion) {
      throw notFound(`model '${name}' has no version '${version}'; it has version '${modelVersion}'`);
    }
    return endpoint;
  }

  private modelNames(): string {
    return [...this.endpoints.keys()].map((name) => `'${name}'`).join(', ');
  }

  private serverReady(): Reply {
    const notReady = [...this.endpoints.values()].filter((endpoint) => !endpoint.model.isReady());
    if (notReady.length === 0) return { status: 200, body: { ready: true } };
    // The protocol says "a 4xx status code indicates false".
    const reasons = notReady.map((endpoint) => `model '${endpoint.model.name}': ${endpoint.model.notReadyReason()}`);
    return { status: 400, body: { ready: false, error: `not ready: ${reasons.join('; ')}` } };
  }

  private serverMetadata() {
    return { name: 'textclf', version: this.serverVersion, extensions: ['binary_tensor_data', 'classification'] };
  }

  private modelList() {
    return {
      models: [...this.endpoints.values()].map(({ model }) => ({
        name: model.name,
        labels: model.info.labels,
        problem_type: model.info.problemType,
        ready: model.isReady(),
      })),
    };
  }

  private async classify(request: IncomingMessage, cancellation: Cancellation): Promise<Reply> {
    const body = await readJsonBody(request, this.limits.maxBodyBytes);
    const { modelName, texts, topK } = this.decodeClassifyRequest(body);
    const endpoint = this.endpoint(modelName);
    if (!endpoint.model.isReady()) throw unavailable(`model '${modelName}' is not ready: ${endpoint.model.notReadyReason()}`);
    const results = await endpoint.classifyBatcher.submit({ texts }, cancellation);
    const answer = results.map((result): LabelScore[] => (topK === undefined ? result.labels : result.labels.slice(0, topK)));
    return { status: 200, body: answer };
  }

  /** Per input: its labels as /v1/classify answers them, and each word's contribution to the top label. */
  private async explain(request: IncomingMessage, cancellation: Cancellation): Promise<Reply> {
    const body = await readJsonBody(request, this.limits.maxBodyBytes);
    const { modelName, texts, topK } = this.decodeClassifyRequest(body);
    const endpoint = this.endpoint(modelName);
    if (!endpoint.model.isReady()) throw unavailable(`model '${modelName}' is not ready: ${endpoint.model.notReadyReason()}`);
    const results = await endpoint.explainBatcher.submit({ texts }, cancellation);
    const answer = results.map((result): { labels: LabelScore[]; words_per_group: number; words: LabelContribution[] } => ({
      labels: topK === undefined ? result.labels : result.labels.slice(0, topK),
      words_per_group: result.wordsPerGroup,
      words: contributionsTo(result),
    }));
    return { status: 200, body: answer };
  }

  private decodeClassifyRequest(body: unknown): { modelName: string; texts: string[]; topK?: number } {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw badRequest('the classify request must be a JSON object: {"inputs": ["text", ...], "model": name}');
    }
    const { inputs, model, top_k, parameters } = body as Record<string, unknown>;
    const texts = typeof inputs === 'string' ? [inputs] : inputs;
    if (!Array.isArray(texts) || texts.length === 0 || !texts.every((text) => typeof text === 'string')) {
      throw badRequest('"inputs" must be a string or a non-empty array of strings');
    }
    if (texts.length > this.limits.maxInputs) {
      throw new HttpError(413, `${texts.length} inputs exceed the limit of ${this.limits.maxInputs} texts per request (--max-inputs)`);
    }
    const tooLong = texts.findIndex((text: string) => text.length > this.limits.maxTextChars);
    if (tooLong >= 0) {
      const count = (value: number) => value.toLocaleString('en-US');
      throw new HttpError(413, `input ${tooLong + 1} has ${count(texts[tooLong].length)} characters, over the limit of ${count(this.limits.maxTextChars)} characters per text (--max-text-chars)`);
    }
    let modelName = model;
    if (modelName === undefined && this.endpoints.size === 1) modelName = [...this.endpoints.keys()][0];
    if (typeof modelName !== 'string') throw badRequest(`"model" must name one of this server's models: ${this.modelNames()}`);
    // top_k as the Inference API takes it (inside "parameters") or at the top level.
    const topK = top_k ?? (parameters as Record<string, unknown> | null | undefined)?.top_k;
    if (topK === undefined || topK === null) return { modelName, texts };
    if (typeof topK !== 'number' || !Number.isSafeInteger(topK) || topK < 1) throw badRequest('"top_k" must be a positive integer');
    return { modelName, texts, topK };
  }

  private async infer(endpoint: ModelEndpoint, request: IncomingMessage, cancellation: Cancellation): Promise<Reply> {
    const { json, binary } = await readInferBody(request, this.limits.maxBodyBytes);
    const { model } = endpoint;
    const decoded = decodeInferRequest(json, binary, model.name, model.signature, this.limits.maxBatch);
    if (!model.isReady()) throw unavailable(`model '${model.name}' is not ready: ${model.notReadyReason()}`);
    const outcome = await endpoint.inferBatcher.submit(decoded, cancellation);
    if ('failure' in outcome) throw outcome.failure;
    const logits = model.signature.outputs.find((output) => output.name === 'logits') ?? model.signature.outputs[0];
    const encoded = encodeOutputs(outcome.outputs, decoded, model.signature, { output: logits.name, labels: model.info.labels });
    return {
      status: 200,
      body: {
        model_name: model.name,
        model_version: modelVersion,
        ...(decoded.id !== undefined ? { id: decoded.id } : {}),
        outputs: encoded.tensors,
      },
      ...(encoded.binary.length > 0 ? { binary: encoded.binary } : {}),
    };
  }
}

function decodePathPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw badRequest(`'${part}' in the path is not valid percent-encoding`);
  }
}

function modelReady(model: ServedModel): Reply {
  if (model.isReady()) return { status: 200, body: { name: model.name, ready: true } };
  return { status: 400, body: { name: model.name, ready: false, error: `model '${model.name}' is not ready: ${model.notReadyReason()}` } };
}

function modelMetadata(model: ServedModel) {
  const describe = ({ name, datatype, shape }: { name: string; datatype: string; shape: number[] }) => ({ name, datatype, shape });
  return {
    name: model.name,
    versions: [modelVersion],
    platform: 'onnxruntime_onnx',
    inputs: model.signature.inputs.map(describe),
    outputs: model.signature.outputs.map(describe),
  };
}

/** One request's share of a merged run: its outputs, or why its tensors could not run. */
type InferOutcome = { outputs: Record<string, Float32Tensor> } | { failure: HttpError };

/** Errors the worker's onnxruntime reports for tensors it cannot run (values out of range, shapes). */
const isGraphError = (error: unknown) => error instanceof Error && error.name === 'Error' && !/restarted|disposed/.test(error.message);

/**
 * Runs the merged requests as one call. If onnxruntime rejects the merged tensors, each request
 * runs alone, so one request's bad values fail only that request (400), not its batch-mates.
 */
async function inferIsolatingFailures(model: ServedModel, requests: DecodedInferRequest[], signal?: AbortSignal): Promise<InferOutcome[]> {
  try {
    const outputs = await model.infer(concatFeeds(requests), requests[0].outputNames, signal);
    return splitOutputs(requests, outputs).map((share) => ({ outputs: share }));
  } catch (error) {
    if (!isGraphError(error)) throw error;
    if (requests.length === 1) return [{ failure: badRequest(`the model could not run these tensors: ${errorMessage(error).trim()}`) }];
    const outcomes: InferOutcome[] = [];
    for (const request of requests) outcomes.push(...(await inferIsolatingFailures(model, [request])));
    return outcomes;
  }
}

function splitClassifications<T>(requests: { texts: string[] }[], results: T[]): T[][] {
  let offset = 0;
  return requests.map((request) => results.slice(offset, (offset += request.texts.length)));
}

/** Concatenates the requests' tensors along the batch dim (dim 0). */
function concatFeeds(requests: DecodedInferRequest[]): Record<string, Int64Tensor> {
  if (requests.length === 1) return requests[0].feeds;
  const feeds: Record<string, Int64Tensor> = {};
  for (const name of Object.keys(requests[0].feeds)) {
    const parts = requests.map((request) => request.feeds[name]);
    const data = new BigInt64Array(parts.reduce((total, part) => total + part.data.length, 0));
    let offset = 0;
    for (const part of parts) {
      data.set(part.data, offset);
      offset += part.data.length;
    }
    const rows = parts.reduce((total, part) => total + part.dims[0], 0);
    feeds[name] = { data, dims: [rows, ...parts[0].dims.slice(1)] };
  }
  return feeds;
}

function splitOutputs(requests: DecodedInferRequest[], outputs: Record<string, Float32Tensor>): Record<string, Float32Tensor>[] {
  if (requests.length === 1) return [outputs];
  const totalRows = requests.reduce((total, request) => total + request.batchSize, 0);
  const answers = requests.map(() => ({}) as Record<string, Float32Tensor>);
  for (const [name, tensor] of Object.entries(outputs)) {
    if (tensor.dims[0] !== totalRows) throw new Error(`output '${name}' has ${tensor.dims[0]} rows for a batch of ${totalRows}`);
    const rowSize = tensor.data.length / totalRows;
    let row = 0;
    requests.forEach((request, index) => {
      answers[index][name] = {
        data: tensor.data.slice(row * rowSize, (row + request.batchSize) * rowSize),
        dims: [request.batchSize, ...tensor.dims.slice(1)],
      };
      row += request.batchSize;
    });
  }
  return answers;
}
