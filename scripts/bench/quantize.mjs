// int8 vs fp32 throughput with the engine: each model is quantized (src/quantize, as `textclf quantize`
// does) into a temporary folder, then the fp32 and int8 graphs classify the same SST-2 sentences in
// interleaved rounds (result cache off); the median of the rounds is reported, per wall-clock second and
// per CPU-second of the process, with the time to quantize and the file sizes. Writes bench/quantize.json and prints a table.
//
//   node scripts/bench/quantize.mjs [--rounds N] [--sentences N] [MODEL_DIR ...]
//
// Default models: the two bundled ones. A BERT-base-size model (scripts/bench/sizes) can be named too;
// give it fewer sentences (e.g. --sentences 300 --rounds 3).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { log, median, now, procCpuSeconds, repoRoot, requireBundled, sst2Sentences, sst2TrainFile, writeResults } from './common.mjs';

const { values, positionals } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, sentences: { type: 'string', default: '2000' } }, allowPositionals: true });
const rounds = Number(values.rounds);
const modelDirs = positionals.length > 0 ? positionals.map((dir) => path.resolve(dir)) : ['sentiment-sst2', 'news-topic'].map((name) => path.join(repoRoot, 'models', name));
if (!fs.existsSync(sst2TrainFile)) throw new Error(`${sst2TrainFile} not found; set TEXTCLF_DATASETS to the datasets folder`);
const sentences = sst2Sentences(sst2TrainFile).slice(0, Number(values.sentences));

// Inside the repository, so the bundles find onnxruntime-node in node_modules.
fs.mkdirSync(path.join(repoRoot, '.cache'), { recursive: true });
const scratch = fs.mkdtempSync(path.join(repoRoot, '.cache', 'bench-quantize-'));
const { quantizeModelDirectory } = await requireBundled(path.join(repoRoot, 'src', 'quantize', 'directory.ts'), path.join(scratch, 'directory.cjs'));
const { Engine } = await requireBundled(path.join(repoRoot, 'src', 'engine', 'engine.ts'), path.join(scratch, 'engine.cjs'));

const results = [];
try {
  for (const modelDir of modelDirs) {
    const name = path.basename(modelDir);
    log(`${name}: quantizing…`);
    const quantized = await quantizeModelDirectory({ modelDir, outDir: path.join(scratch, `${name}-int8`) });
    const engines = { fp32: await Engine.load(modelDir, { cacheSize: 0 }), int8: await Engine.load(quantized.outDir, { cacheSize: 0 }) };
    const rates = { fp32: [], int8: [] };
    // Sentences per CPU-second of this process (the engine runs in it): steadier than wall time on a shared machine.
    const cpuRates = { fp32: [], int8: [] };
    try {
      for (const engine of Object.values(engines)) await engine.classify(sentences.slice(0, 64)); // warm-up
      for (let round = 0; round < rounds; round++) {
        for (const [variant, engine] of Object.entries(round % 2 === 0 ? engines : { int8: engines.int8, fp32: engines.fp32 })) {
          const [started, cpuStarted] = [now(), procCpuSeconds(process.pid)];
          await engine.classify(sentences);
          rates[variant].push(sentences.length / ((now() - started) / 1000));
          cpuRates[variant].push(sentences.length / Math.max(procCpuSeconds(process.pid) - cpuStarted, 0.01));
        }
        log(`  round ${round + 1}/${rounds}: fp32 ${rates.fp32.at(-1).toFixed(0)}/s (${cpuRates.fp32.at(-1).toFixed(0)}/CPU-s), int8 ${rates.int8.at(-1).toFixed(0)}/s (${cpuRates.int8.at(-1).toFixed(0)}/CPU-s)`);
      }
    } finally {
      await Promise.all(Object.values(engines).map((engine) => engine.dispose()));
    }
    const ratios = rates.fp32.map((fp32, round) => rates.int8[round] / fp32);
    results.push({
      model: name,
      sentences: sentences.length,
      rounds,
      fp32_sentences_per_second: median(rates.fp32),
      int8_sentences_per_second: median(rates.int8),
      int8_vs_fp32: median(ratios),
      fp32_sentences_per_cpu_second: median(cpuRates.fp32),
      int8_sentences_per_cpu_second: median(cpuRates.int8),
      int8_vs_fp32_cpu: median(cpuRates.fp32.map((fp32, round) => cpuRates.int8[round] / fp32)),
      fp32_bytes: quantized.sourceBytes,
      int8_bytes: quantized.quantizedBytes,
      quantize_seconds: quantized.seconds,
    });
  }
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}

writeResults('quantize.json', { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, load_average: os.loadavg(), results });
const rows = results.map((r) => [r.model, r.fp32_sentences_per_second.toFixed(0), r.int8_sentences_per_second.toFixed(0), `${r.int8_vs_fp32.toFixed(2)}×`, `${r.int8_vs_fp32_cpu.toFixed(2)}×`, `${(r.int8_bytes / 1e6).toFixed(1)} / ${(r.fp32_bytes / 1e6).toFixed(1)} MB`, `${r.quantize_seconds.toFixed(1)} s`]);
const header = ['model', 'fp32 sent/s', 'int8 sent/s', 'int8/fp32', 'per CPU-second', 'size int8/fp32', 'quantize'];
const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i].length)));
for (const row of [header, ...rows]) console.log(row.map((cell, i) => cell.padEnd(widths[i])).join('  '));
