// `npm run bench:explain`: explanations (occlusion, src/engine/explain.ts) with the bundled sentiment
// model through the worker (ClassifierClient on dist/worker.js), as the extension runs them.
// Faithfulness on SST-2 dev (ERASER, DeYoung et al. 2020): for k = 1, 3, 5, the drop in the predicted
// label's probability when the top-k attributed words (for that label) are removed (comprehensiveness,
// higher is better) and when only they are kept (sufficiency, lower is better), each against k words
// drawn at random (seeded). Removing a word removes its characters: the words left are joined with
// spaces and the new text is classified. Sentences of more than 5 words only (so that k = 5 leaves some).
// Speed: latency of explaining one 60-word paragraph (SST-2 dev sentences joined and cut to 60 words),
// p50/p95 over distinct paragraphs (target p95 < 150 ms), and one 2,000-word unit (target < 2 s); the
// event-loop delay of this process (the host side of the client) while explanations run (target max
// < 50 ms), beside the same process's delay while idle for as long (on a shared, loaded machine the
// scheduler alone delays it). Wall times swing with the machine's load, so the CPU time of each
// explanation (the worker's from /proc plus this process's) is given too, and the load averages.
// Writes bench/explain.json and prints a table. Environment: TEXTCLF_DATASETS.
import * as os from 'node:os';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { datasetsDir, loadClientModule, log, median, now, percentile, procCpuSeconds, repoRoot, seededRandom, sst2Sentences, workerScript, writeResults } from './common.mjs';

const modelDir = path.join(repoRoot, 'models', 'sentiment-sst2');
const devFile = path.join(datasetsDir, 'sst2', 'dev.tsv');
const KS = [1, 3, 5];
const PARAGRAPH_WORDS = 60;
const PARAGRAPHS = 60;
const LONG_UNIT_WORDS = 2000;
const LONG_UNITS = 5;
const targets = { paragraphP95Ms: 150, longUnitMs: 2000, eventLoopMaxMs: 50 };

/** The predicted label's probability in a classification. */
const scoreOf = (classification, label) => classification.labels.find((entry) => entry.label === label).score;

/** Each word's contribution to `label`, from an Explanation (as contributionsTo in explanation.ts). */
const contributionsTo = (explanation, label) => explanation.words.map((word) => word.contributions[explanation.labelOrder.indexOf(label)]);

/** k distinct indices of 0..n-1, drawn with `random`. */
function sample(n, k, random) {
  const indices = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (n - i));
    [indices[i], indices[j]] = [indices[j], indices[i]];
  }
  return indices.slice(0, k);
}

/** The words whose indices are (keep) or are not (remove) in `chosen`, in text order, joined with spaces. */
function textWith(words, chosen, keep) {
  return words.filter((_, i) => chosen.has(i) === keep).map((word) => word.word).join(' ');
}

async function faithfulness(client) {
  const sentences = sst2Sentences(devFile).map((sentence) => sentence.trim());
  const started = now();
  const explanations = await client.explain(sentences, { timeoutMs: 0 });
  const explainSeconds = (now() - started) / 1000;
  const random = seededRandom(13);
  const cases = [];
  explanations.forEach((explanation, index) => {
    if (explanation.words.length <= Math.max(...KS)) return;
    const label = explanation.labels[0].label;
    const contributions = contributionsTo(explanation, label);
    const ranked = contributions.map((_, i) => i).sort((a, b) => contributions[b] - contributions[a]);
    for (const k of KS) {
      for (const [selection, chosen] of [['top', ranked.slice(0, k)], ['random', sample(contributions.length, k, random)]]) {
        const set = new Set(chosen);
        cases.push({ index, label, k, selection, metric: 'comprehensiveness', text: textWith(explanation.words, set, false) });
        cases.push({ index, label, k, selection, metric: 'sufficiency', text: textWith(explanation.words, set, true) });
      }
    }
  });
  const classified = await client.classify(cases.map((c) => c.text), { timeoutMs: 0 });
  const sums = new Map();
  cases.forEach((c, i) => {
    const drop = scoreOf(explanations[c.index], c.label) - scoreOf(classified[i], c.label);
    const key = `${c.metric}/${c.selection}/${c.k}`;
    sums.set(key, (sums.get(key) ?? 0) + drop);
  });
  const used = new Set(cases.map((c) => c.index)).size;
  const mean = (metric, selection, k) => sums.get(`${metric}/${selection}/${k}`) / used;
  const rows = KS.map((k) => ({
    k,
    comprehensiveness: { top: mean('comprehensiveness', 'top', k), random: mean('comprehensiveness', 'random', k) },
    sufficiency: { top: mean('sufficiency', 'top', k), random: mean('sufficiency', 'random', k) },
  }));
  return { dataset: path.relative(datasetsDir, devFile), sentences: sentences.length, sentencesUsed: used, explainSeconds, rows };
}

/** Consecutive dev sentences joined and cut to `words` whitespace-separated words, starting at sentence `from`. */
function unitOf(sentences, from, words) {
  const out = [];
  for (let i = from; out.length < words; i = (i + 1) % sentences.length) out.push(...sentences[i].trim().split(/\s+/));
  return out.slice(0, words).join(' ');
}

/** Wall and CPU milliseconds (the worker's and this process's) of explaining one text. */
async function timed(client, text) {
  const cpu = () => procCpuSeconds(client.pid) + (process.cpuUsage().user + process.cpuUsage().system) / 1e6;
  const cpuBefore = cpu();
  const started = now();
  const [explanation] = await client.explain([text]);
  return { ms: now() - started, cpuMs: (cpu() - cpuBefore) * 1000, explanation };
}

/** This process's event-loop delay while it waits, doing nothing, for `ms`. */
async function idleDelay(ms) {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  await new Promise((resolve) => setTimeout(resolve, ms));
  delay.disable();
  return { maxMs: delay.max / 1e6, p99Ms: delay.percentile(99) / 1e6 };
}

async function speed(client) {
  const sentences = sst2Sentences(devFile);
  // Warm-up (first runs of the worker's code paths), on texts not measured after.
  for (let i = 0; i < 5; i++) await client.explain([unitOf(sentences, 800 + i * 7, PARAGRAPH_WORDS)]);
  const delay = monitorEventLoopDelay({ resolution: 10 });
  const explainingFrom = now();
  delay.enable();
  const paragraphs = [];
  for (let i = 0; i < PARAGRAPHS; i++) paragraphs.push(await timed(client, unitOf(sentences, i * 11, PARAGRAPH_WORDS)));
  const long = [];
  for (let i = 0; i < LONG_UNITS; i++) long.push(await timed(client, unitOf(sentences, i * 97, LONG_UNIT_WORDS)));
  delay.disable();
  const explainingMs = now() - explainingFrom;
  const idle = await idleDelay(explainingMs);
  const paragraphMs = paragraphs.map((run) => run.ms);
  const longMs = long.map((run) => run.ms);
  return {
    paragraph: {
      words: PARAGRAPH_WORDS,
      runs: PARAGRAPHS,
      occludedWords: median(paragraphs.map((run) => run.explanation.words.length)),
      tokens: median(paragraphs.map((run) => run.explanation.tokens)),
      p50Ms: median(paragraphMs),
      cpuP50Ms: median(paragraphs.map((run) => run.cpuMs)),
      p95Ms: percentile(paragraphMs, 95),
      maxMs: Math.max(...paragraphMs),
    },
    longUnit: {
      words: LONG_UNIT_WORDS,
      runs: LONG_UNITS,
      windows: long[0].explanation.windows,
      groups: long[0].explanation.words.length,
      wordsPerGroup: long[0].explanation.wordsPerGroup,
      medianMs: median(longMs),
      cpuMedianMs: median(long.map((run) => run.cpuMs)),
      maxMs: Math.max(...longMs),
    },
    eventLoop: { maxMs: delay.max / 1e6, p99Ms: delay.percentile(99) / 1e6, seconds: explainingMs / 1000, idle },
  };
}

const pct = (value) => `${(value * 100).toFixed(1)}`;

function printTable({ faithfulness: f, speed: s }) {
  const lines = [
    `Faithfulness, SST-2 dev (${f.sentencesUsed} of ${f.sentences} sentences, those of more than 5 words), drop of the predicted label's probability in points:`,
    '| k | comprehensiveness, top-k | comprehensiveness, random k | sufficiency, top-k | sufficiency, random k |',
    '|---|---|---|---|---|',
    ...f.rows.map((r) => `| ${r.k} | ${pct(r.comprehensiveness.top)} | ${pct(r.comprehensiveness.random)} | ${pct(r.sufficiency.top)} | ${pct(r.sufficiency.random)} |`),
    '',
    'Speed through the worker:',
    '| measure | value | target |',
    '|---|---|---|',
    `| ${s.paragraph.words}-word paragraph (${s.paragraph.occludedWords} words occluded), p50 / p95 of ${s.paragraph.runs} | ${s.paragraph.p50Ms.toFixed(0)} / ${s.paragraph.p95Ms.toFixed(0)} ms (CPU ${s.paragraph.cpuP50Ms.toFixed(0)} ms) | p95 < ${targets.paragraphP95Ms} ms |`,
    `| ${s.longUnit.words}-word unit (${s.longUnit.windows} windows, ${s.longUnit.groups} groups of ${s.longUnit.wordsPerGroup} words), median / max of ${s.longUnit.runs} | ${s.longUnit.medianMs.toFixed(0)} / ${s.longUnit.maxMs.toFixed(0)} ms (CPU ${s.longUnit.cpuMedianMs.toFixed(0)} ms) | < ${targets.longUnitMs} ms |`,
    `| event-loop delay of the calling process, max / p99 (idle for as long: ${s.eventLoop.idle.maxMs.toFixed(1)} / ${s.eventLoop.idle.p99Ms.toFixed(1)}) | ${s.eventLoop.maxMs.toFixed(1)} / ${s.eventLoop.p99Ms.toFixed(1)} ms | max < ${targets.eventLoopMaxMs} ms |`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main() {
  if (!fs.existsSync(devFile)) {
    log(`bench:explain skipped: ${devFile} not found (set TEXTCLF_DATASETS to the folder holding sst2/dev.tsv)`);
    return;
  }
  const { ClassifierClient } = await loadClientModule('textclf-bench-explain-');
  const client = new ClassifierClient({ workerScript, log: () => undefined });
  try {
    const model = await client.loadModel(modelDir);
    const status = await client.status();
    log(`explaining SST-2 dev with ${model.name} (${status.executionProvider}, ${status.threads} threads) on ${os.cpus()[0]?.model ?? 'an unknown CPU'}`);
    const startedAt = now();
    const results = { model: model.name, machine: { cpu: os.cpus()[0]?.model, cpus: os.cpus().length, threads: status.threads, loadAverage: os.loadavg() } };
    results.faithfulness = await faithfulness(client);
    log(`faithfulness done in ${((now() - startedAt) / 1000).toFixed(1)} s`);
    results.speed = await speed(client);
    results.targets = targets;
    results.met = {
      paragraphP95: results.speed.paragraph.p95Ms < targets.paragraphP95Ms,
      longUnit: results.speed.longUnit.maxMs < targets.longUnitMs,
      eventLoop: results.speed.eventLoop.maxMs < targets.eventLoopMaxMs,
    };
    results.seconds = (now() - startedAt) / 1000;
    results.machine.loadAverageAfter = os.loadavg();
    writeResults('explain.json', results);
    printTable(results);
    log(`load average before ${results.machine.loadAverage.map((l) => l.toFixed(1)).join(' ')}, after ${results.machine.loadAverageAfter.map((l) => l.toFixed(1)).join(' ')} (${results.machine.cpus} CPUs)`);
    log(`bench/explain.json written (${results.seconds.toFixed(1)} s)`);
  } finally {
    await client.dispose();
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exitCode = 1;
});
