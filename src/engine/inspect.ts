// What a model directory holds and whether this engine runs it: family, tokenizer pipeline, graph
// inputs and outputs with their types, problem type, labels, variant, window length and external
// data, and one sentence per problem. The check loads the model the way the engine does (Engine.load
// on the CPU), so "supported" means the engine really ran it once.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { readBundle, variantsIn, type Bundle } from './bundle';
import { Engine } from './engine';
import type { ModelCheck, ModelVariant, TensorDescription } from '../classifier/types';

export async function checkModel(dir: string, options: { variant?: ModelVariant } = {}): Promise<ModelCheck> {
  const absDir = path.resolve(dir);
  const check: ModelCheck = {
    dir: absDir, family: null, tokenizer: null, inputs: [], outputs: [], problem_type: null, labels: [],
    variant: null, external_data: [], window: null, supported: false, problems: [], notes: [],
  };
  const config = readJson(path.join(absDir, 'config.json'));
  if (config) {
    check.family = typeof config.model_type === 'string' ? config.model_type : null;
    check.problem_type = typeof config.problem_type === 'string' ? config.problem_type : 'single_label_classification';
  }
  const tokenizerJson = readJson(path.join(absDir, 'tokenizer.json'));
  if (tokenizerJson) check.tokenizer = describeTokenizer(tokenizerJson);

  let bundle: Bundle;
  try {
    bundle = readBundle(absDir, { variant: options.variant });
  } catch (error) {
    check.problems.push(oneSentence(error));
    return check;
  }
  check.labels = bundle.labels;
  check.problem_type = bundle.problemType;
  check.window = bundle.maxTokens;
  check.external_data = bundle.externalData;
  check.variant = { name: bundle.variant, file: path.relative(absDir, bundle.onnxFile), available: variantsIn(absDir).map((v) => v.variant) };
  if (quantizesActivationsPerTensor(bundle.onnxFile)) check.notes.push(BATCH_DEPENDENT);

  try {
    const session = await ort.InferenceSession.create(bundle.onnxFile, { executionProviders: ['cpu'], intraOpNumThreads: 1, logSeverityLevel: 3 });
    const describe = (metadata: readonly ort.InferenceSession.ValueMetadata[]): TensorDescription[] =>
      metadata.map((m) => ({ name: m.name, dtype: m.isTensor ? m.type : 'non-tensor', shape: m.isTensor ? m.shape.map((d) => (typeof d === 'number' ? d : d || '?')) : [] }));
    check.inputs = describe(session.inputMetadata);
    check.outputs = describe(session.outputMetadata);
    await session.release();
  } catch (error) {
    check.problems.push(oneSentence(error));
    return check;
  }

  try {
    const engine = await Engine.load(absDir, { executionProviders: ['cpu'], threads: 1, cacheSize: 0, modelVariant: options.variant });
    check.labels = engine.model.labels;
    await engine.dispose();
  } catch (error) {
    check.problems.push(oneSentence(error));
  }
  check.supported = check.problems.length === 0;
  return check;
}

/**
 * onnxruntime's quantize_dynamic (Transformers.js's model_quantized, model_int8, model_uint8) quantizes
 * each MatMul's input at run time with one scale over the whole [batch, sequence, hidden] tensor, so the
 * other texts of a batch and their padding shift a text's scores a little (measured on the compat
 * models: up to 0.0065 in a score between batches of 32 and single texts).
 */
const BATCH_DEPENDENT = 'This graph quantizes activations at run time with one scale per batch (DynamicQuantizeLinear), so a text\'s scores vary slightly (by about 0.01) with the other texts classified in the same batch.';

/** Whether the graph has a DynamicQuantizeLinear node: its op type is stored as plain bytes in the model file (read in chunks: fp32 files run to gigabytes). */
function quantizesActivationsPerTensor(onnxFile: string): boolean {
  const needle = Buffer.from('DynamicQuantizeLinear');
  const chunk = Buffer.alloc(16 * 1024 * 1024);
  const fd = fs.openSync(onnxFile, 'r');
  try {
    // Each read keeps the chunk's last needle.length - 1 bytes in front, so a match across two reads is found.
    let kept = 0;
    for (;;) {
      const read = fs.readSync(fd, chunk, kept, chunk.length - kept, null);
      if (read === 0) return false;
      const filled = kept + read;
      if (chunk.subarray(0, filled).includes(needle)) return true;
      kept = Math.min(needle.length - 1, filled);
      chunk.copy(chunk, 0, filled - kept, filled);
    }
  } finally {
    fs.closeSync(fd);
  }
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(fs.readFileSync(file, 'utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The first line of an error's message: what went wrong, without a stack or onnxruntime's native detail lines. */
function oneSentence(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0].trim();
}

interface Piece {
  SpecialToken?: { id: string };
  Sequence?: { id: string };
}

/** "Unigram (Sequence, Metaspace, <s> $A </s>)": the model type, then normalizer, pre-tokenizer and the single-sequence template. */
export function describeTokenizer(json: Record<string, unknown>): string {
  const type = (section: unknown) => ((section as { type?: string } | null)?.type ?? null);
  const post = json.post_processor as { type?: string; single?: Piece[]; cls?: [string, number]; sep?: [string, number] } | null;
  let template: string | null = null;
  if (post?.type === 'TemplateProcessing' && post.single) template = post.single.map((piece) => piece.SpecialToken?.id ?? `$${piece.Sequence?.id ?? 'A'}`).join(' ');
  else if ((post?.type === 'BertProcessing' || post?.type === 'RobertaProcessing') && post.cls && post.sep) template = `${post.cls[0]} $A ${post.sep[0]}`;
  else if (post) template = post.type ?? null;
  const parts = [type(json.normalizer), type(json.pre_tokenizer), template].filter((part): part is string => part !== null);
  return `${type(json.model) ?? 'unknown'}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
}
