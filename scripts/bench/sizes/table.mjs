// bench:sizes' tables: issue 14's targets (each with what was measured and whether it is met), and
// every figure per size model.
const MAIN = 'bert-base';
const pct = (v) => `${(v * 100).toFixed(0)} %`;
const times = (v) => `${v.toFixed(2)}x`;
const ms = (v) => `${v.toFixed(0)} ms`;
const SETS = { sst2: 'SST-2 sentences', agNews: 'AG News articles' };

/** A row: measured `value` (undefined: not measured, with `why`) against `target` (`better`: 'higher' or 'lower'). */
function row(figure, target, value, better, format, why, extra = '') {
  if (value === undefined || value === null) return { figure, target: target.text, measured: `not available: ${why}`, value: null, met: null };
  const met = better === 'higher' ? value >= target.value : value < target.value;
  return { figure, target: target.text, measured: `${format(value)}${extra}`, value, met };
}

export function targetRows(r) {
  const m = r.models[MAIN];
  const rows = [];
  const missingModel = `${MAIN} not run (BENCH_SIZE_MODELS)`;
  const int8Why = m?.int8.notAvailable ?? missingModel;
  const ratios = m?.throughput.sst2.ratios ?? {};
  const agNews = m?.throughput.agNews?.ratios;
  const alsoAgNews = (key) => (agNews?.[key] ? `; AG News ${times(agNews[key])}` : '');
  rows.push(row('BERT-base-size fp32: the engine vs onnxruntime alone on the same sentences', { text: '>= 95 %', value: 0.95 }, ratios.engineVsOnnxruntimeAlone, 'higher', pct, missingModel, m ? ` (onnxruntime ${m.bare.form})` : ''));
  rows.push(row('BERT-base-size fp32 vs Transformers.js fp32 at its best', { text: '>= 1.8x', value: 1.8 }, ratios.fp32VsTransformersJs, 'higher', times, missingModel, alsoAgNews('fp32VsTransformersJs')));
  rows.push(row('BERT-base-size int8 vs our own fp32', { text: '>= 2.0x', value: 2.0 }, ratios.int8VsFp32, 'higher', times, int8Why, alsoAgNews('int8VsFp32')));
  rows.push(row('BERT-base-size int8 vs Transformers.js q8 at its best', { text: '>= 1.5x', value: 1.5 }, ratios.int8VsTransformersJsQ8, 'higher', times, int8Why, alsoAgNews('int8VsTransformersJsQ8')));
  rows.push(row('BERT-base-size cold start, fork to first result (fp32)', { text: '< 1500 ms', value: 1500 }, m?.coldStartMs.fp32.median, 'lower', ms, missingModel, m?.coldStartMs.int8 ? `; int8 ${ms(m.coldStartMs.int8.median)}` : ''));
  rows.push(row('BERT-base-size one-sentence latency p95 (fp32)', { text: '< 30 ms', value: 30 }, m?.latencyMs.fp32.p95, 'lower', (v) => `${v.toFixed(1)} ms`, missingModel, m?.latencyMs.int8 ? `; int8 ${m.latencyMs.int8.p95.toFixed(1)} ms` : ''));
  rows.push(row('worker peak RSS, BERT-base-size fp32', { text: '< 1000 MB', value: 1000 }, m?.peakRssMb.fp32, 'lower', (v) => `${v.toFixed(0)} MB`, missingModel));
  rows.push(row('worker peak RSS, BERT-base-size int8', { text: '< 500 MB', value: 500 }, m?.peakRssMb.int8, 'lower', (v) => `${v.toFixed(0)} MB`, int8Why));
  for (const [name, b] of Object.entries(r.bundled ?? {})) {
    const why = b.notAvailable ?? b.skipped;
    const accuracy = b.accuracy && `${(b.accuracy.fp32.accuracy * 100).toFixed(2)} -> ${(b.accuracy.int8.accuracy * 100).toFixed(2)} % on ${b.dataset}${b.heldOutOnly ? ' held-out rows' : ''}, ${b.changedLabels} rows changed label: `;
    rows.push(row(`bundled ${name}: int8 accuracy vs fp32`, { text: 'within 0.5 points', value: 0.5 }, b.accuracy && Math.abs(b.accuracyChangePoints), 'lower-or-equal', (v) => `${accuracy}${v.toFixed(2)} points`, why));
    rows.at(-1).met = rows.at(-1).value === null ? null : rows.at(-1).value <= 0.5;
    rows.push(row(`bundled ${name}: int8 throughput vs fp32`, { text: '>= 1.3x', value: 1.3 }, b.int8VsFp32, 'higher', times, why));
  }
  const counts = (key) => Object.values(r.models).flatMap((model) => Object.values(model.agreement?.[key] ?? {}));
  const fp32 = counts('fp32');
  rows.push(row('label agreement with Transformers.js on the same file, fp32', { text: '0 mismatches', value: 1 }, fp32.length ? fp32.reduce((sum, a) => sum + a.labelMismatches, 0) : undefined, 'lower', (v) => `${v} of ${fp32.reduce((sum, a) => sum + a.texts, 0)} labels differ`, 'no model run'));
  const int8 = counts('int8');
  const int8AgreementWhy = Object.values(r.models).map((model) => model.int8.notAvailable).find(Boolean) ?? 'no model run';
  rows.push({ figure: 'label agreement with Transformers.js on the same file, int8', target: 'report the count', measured: int8.length ? `${int8.reduce((sum, a) => sum + a.labelMismatches, 0)} of ${int8.reduce((sum, a) => sum + a.texts, 0)} labels differ` : `not available: ${int8AgreementWhy}`, value: int8.length ? int8.reduce((sum, a) => sum + a.labelMismatches, 0) : null, met: null });
  return rows;
}

function printTable(header, rows) {
  const widths = header.map((title, c) => Math.max(title.length, ...rows.map((cells) => cells[c].length)));
  const line = (cells) => cells.map((cell, c) => cell.padEnd(widths[c])).join(' | ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const cells of rows) console.log(line(cells));
}

function modelRows(m, gemm) {
  const rows = [];
  rows.push(['model', `${m.model.layers} layers x ${m.model.hiddenSize}, ${(m.model.parameters / 1e6).toFixed(1)} M parameters, ${m.model.onnxMb.toFixed(0)} MB fp32${m.int8.onnxMb ? `, ${m.int8.onnxMb.toFixed(0)} MB int8` : `; int8 not available: ${m.int8.notAvailable}`}`]);
  for (const [set, t] of Object.entries(m.throughput)) {
    rows.push([`${SETS[set]} (${t.texts}, ${t.tokens} tokens${t.windowed ? `, ${t.windowed} in several windows` : ''})`, '']);
    for (const [what, rate] of Object.entries(t.perSecond)) {
      const config = what.startsWith('Transformers.js') ? m.transformersJs[what.endsWith('q8') ? 'int8' : 'fp32'] : undefined;
      const detail = config ? ` (batch ${config.batchSize}, ${config.options})` : what === 'onnxruntime alone' ? ` (${m.bare.form}; ${pct(m.compute.fractionOfGemm?.[what] ?? 0)} of GEMM)` : what === 'engine fp32' && set === 'sst2' ? ` (${pct(m.compute.fractionOfGemm?.[what] ?? 0)} of GEMM)` : '';
      rows.push([`  ${what}`, `${rate.toFixed(1)} texts/s${detail}`]);
    }
  }
  for (const key of Object.keys(m.coldStartMs)) {
    rows.push([`${key}: cold start / latency p50, p95 / peak RSS`, `${ms(m.coldStartMs[key].median)} / ${m.latencyMs[key].p50.toFixed(1)}, ${m.latencyMs[key].p95.toFixed(1)} ms / ${m.peakRssMb[key].toFixed(0)} MB`]);
    for (const [set, a] of Object.entries(m.agreement[key])) rows.push([`${key}: agreement with Transformers.js, ${SETS[set]}`, `${a.labelMismatches} of ${a.texts} labels differ, largest score difference ${a.largestScoreDifference.toExponential(1)}`]);
  }
  rows.push(['compute (fp32, SST-2)', `${(m.compute.flopsPerSentence / 1e9).toFixed(2)} GFLOP/sentence; GEMM ${gemm.shape} best ${gemm.bestGflops.toFixed(0)} GFLOP/s on ${gemm.threads} threads (1 thread ${gemm.oneThread.bestGflops.toFixed(0)})`]);
  return rows;
}

export function printTables(r) {
  for (const [name, m] of Object.entries(r.models)) {
    console.log(`\n${name}`);
    printTable(['measure', 'value'], modelRows(m, r.gemm));
  }
  console.log('\nTargets (issue 14)');
  printTable(['figure', 'target', 'measured', 'met'], r.targets.map((t) => [t.figure, t.target, t.measured, t.met === null ? (t.value === null ? 'n/a' : '-') : t.met ? 'yes' : 'NO']));
  const load = (l) => l.map((v) => v.toFixed(1)).join(' ');
  console.log(`\n${r.rounds} interleaved rounds, medians (ratios: median of each round's ratio); Transformers.js configurations chosen by one timed run each on the first sentences; load average ${load(r.machine.loadAverageAtStart)} at start, ${load(r.machine.loadAverageAtEnd)} at end on ${r.machine.logicalCpus} CPUs; ${(r.seconds / 60).toFixed(1)} min. Results: bench/sizes.json`);
  if (r.agNewsSkipped) console.log(r.agNewsSkipped);
}
