// Which int8 graph form runs faster under onnxruntime-node on this CPU: the model is quantized in both
// forms (src/quantize/graph.ts: 'integer' = DynamicQuantizeLinear -> MatMulInteger, 'qdq' = DequantizeLinear
// -> MatMul), each is optimized by onnxruntime (the fused op counts are printed: DynamicQuantizeMatMul,
// MatMulIntegerToFloat…), and fp32 and both forms run the same batch in interleaved rounds (3 runs each;
// the median round is reported).
//
//   node scripts/bench/quantize-forms.mjs MODEL_ONNX [--tokens 64] [--batch 8] [--threads 2] [--rounds 7]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { log, median, now, repoRoot, requireBundled } from './common.mjs';

const require = createRequire(import.meta.url);
const ort = require('onnxruntime-node');
const { fromBinary } = require('@bufbuild/protobuf');
const { ModelProtoSchema } = require('onnx-buf');

const { values, positionals } = parseArgs({
  options: { tokens: { type: 'string', default: '64' }, batch: { type: 'string', default: '8' }, threads: { type: 'string', default: '2' }, rounds: { type: 'string', default: '7' } },
  allowPositionals: true,
});
if (positionals.length !== 1) throw new Error('name one ONNX file (e.g. models/sentiment-sst2/onnx/model.onnx)');
const [source] = positionals;
const [tokens, batch, threads, rounds] = [values.tokens, values.batch, values.threads, values.rounds].map(Number);

fs.mkdirSync(path.join(repoRoot, '.cache'), { recursive: true });
const scratch = fs.mkdtempSync(path.join(repoRoot, '.cache', 'bench-quantize-forms-'));
try {
  const { readOnnxModel, serializeOnnxModel } = await requireBundled(path.join(repoRoot, 'src', 'quantize', 'onnxFile.ts'), path.join(scratch, 'onnxFile.cjs'));
  const { quantizeGraph } = await requireBundled(path.join(repoRoot, 'src', 'quantize', 'graph.ts'), path.join(scratch, 'graph.cjs'));
  const files = { fp32: source };
  for (const form of ['integer', 'qdq']) {
    const model = readOnnxModel(source);
    await quantizeGraph(model, source, { form });
    files[form] = path.join(scratch, `${form}.onnx`);
    fs.writeFileSync(files[form], serializeOnnxModel(model, files[form]));
  }

  const ids = BigInt64Array.from({ length: batch * tokens }, (_, i) => BigInt(i % tokens === 0 ? 2 : 1000 + ((i * 7919) % 5000)));
  const feeds = { input_ids: new ort.Tensor('int64', ids, [batch, tokens]), attention_mask: new ort.Tensor('int64', new BigInt64Array(batch * tokens).fill(1n), [batch, tokens]) };
  const sessions = {};
  for (const [name, file] of Object.entries(files)) {
    const optimized = path.join(scratch, `${name}-optimized.onnx`);
    sessions[name] = await ort.InferenceSession.create(file, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all', optimizedModelFilePath: optimized, logSeverityLevel: 3 });
    const ops = {};
    for (const node of fromBinary(ModelProtoSchema, fs.readFileSync(optimized)).graph.node) ops[node.opType] = (ops[node.opType] ?? 0) + 1;
    log(`${name}: optimized graph ${JSON.stringify(ops)}`);
  }
  const reference = (await sessions.fp32.run(feeds)).logits.data;
  const times = Object.fromEntries(Object.keys(sessions).map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, session] of Object.entries(sessions)) {
      const started = now();
      for (let run = 0; run < 3; run++) await session.run(feeds);
      times[name].push((now() - started) / 3);
    }
  }
  for (const [name, session] of Object.entries(sessions)) {
    const logits = (await session.run(feeds)).logits.data;
    const difference = Math.max(...Array.from(logits, (value, i) => Math.abs(value - reference[i])));
    console.log(`${name.padEnd(8)} ${median(times[name]).toFixed(1).padStart(8)} ms per batch  ${(median(times.fp32) / median(times[name])).toFixed(2)}x fp32  max |logit - fp32| ${difference.toFixed(4)}`);
  }
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}
