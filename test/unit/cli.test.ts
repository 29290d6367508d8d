import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundledModel, datasetOrSkip, repoRoot } from '../support/paths';

// The CLI as users run it: node bin/textclf.js (which requires the esbuild bundle dist/cli.js).
const bin = path.join(repoRoot, 'bin', 'textclf.js');
const fixture = (...parts: string[]) => path.join(repoRoot, 'test', 'fixtures', ...parts);

function textclf(args: string[], input?: string) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: repoRoot, input, encoding: 'utf8', timeout: 180_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function modelCardAccuracy(modelDir: string): number {
  const card = fs.readFileSync(path.join(modelDir, 'MODEL_CARD.md'), 'utf8');
  return JSON.parse(/```json\n([\s\S]*?)\n```/.exec(card)![1]).accuracy;
}

interface UnitJson {
  file: string;
  line: number;
  start: number;
  end: number;
  text: string;
  labels: { label: string; score: number }[];
  windows: number;
}

describe('textclf CLI (child process, bundled)', function () {
  before(function () {
    this.timeout(120000);
    if (!fs.existsSync(path.join(repoRoot, 'dist', 'cli.js'))) {
      const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, encoding: 'utf8' });
      assert.equal(build.status, 0, build.stderr);
    }
  });

  describe('classify', () => {
    it('classifies the paragraphs of a file to JSON: ranges slice back to the text, labels sorted, windows counted', () => {
      const file = fixture('cli', 'notes.md');
      const { code, stdout, stderr } = textclf(['classify', file, '--format', 'json']);
      assert.equal(code, 0, stderr);
      const units = JSON.parse(stdout) as UnitJson[];
      const source = fs.readFileSync(file, 'utf8');
      assert.equal(units.length, 3, 'three paragraphs: the heading is not prose, the whitespace-only one is skipped');
      for (const unit of units) {
        assert.equal(unit.file, file);
        assert.equal(source.slice(unit.start, unit.end), unit.text);
        assert.equal(unit.line, source.slice(0, unit.start).split('\n').length);
        assert.deepEqual(unit.labels.map((entry) => entry.label).sort(), ['negative', 'positive']);
        assert.ok(unit.labels[0].score >= unit.labels[1].score, 'best label first');
        assert.ok(unit.windows >= 1);
      }
      assert.equal(units[0].labels[0].label, 'positive');
      assert.equal(units[1].labels[0].label, 'negative');
      assert.match(stderr, /classified 3 units/);
    });

    it('in Markdown classifies only prose: no front matter, heading, fenced code or table; --all-text classifies every block', () => {
      const file = fixture('cli', 'prose.md');
      const source = fs.readFileSync(file, 'utf8');
      const prose = textclf(['classify', file, '--format', 'json']);
      assert.equal(prose.code, 0, prose.stderr);
      const units = JSON.parse(prose.stdout) as UnitJson[];
      assert.deepEqual(units.map((unit) => [unit.line, unit.text.slice(0, 20), unit.labels[0].label]), [
        [7, 'The new café downtow', 'positive'],
        [17, 'The train home was l', 'negative'],
      ]);
      for (const unit of units) assert.equal(source.slice(unit.start, unit.end), unit.text);
      const all = textclf(['classify', file, '--format', 'json', '--all-text']);
      assert.equal(all.code, 0, all.stderr);
      const texts = (JSON.parse(all.stdout) as UnitJson[]).map((unit) => unit.text);
      assert.ok(texts.includes('# Weekend movie reviews'), texts.join(' | '));
      assert.ok(texts.some((text) => text.startsWith('```python')), texts.join(' | '));
      const sentences = textclf(['classify', file, '--format', 'json', '--unit', 'sentence']);
      assert.ok((JSON.parse(sentences.stdout) as UnitJson[]).every((unit) => !/Weekend movie reviews|raise Exception|verdict/.test(unit.text)), sentences.stdout);
    });

    it('refuses a binary file (NUL bytes, or mostly not text) with exit 1, naming it; nothing is printed on stdout', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-binary-'));
      try {
        const withNul = path.join(dir, 'image.png');
        fs.writeFileSync(withNul, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, ...Buffer.from(' some words in the header')]));
        const noisy = path.join(dir, 'data.bin');
        fs.writeFileSync(noisy, Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 7919 + 13) % 256).map((byte) => byte || 1)));
        for (const file of [withNul, noisy]) {
          const { code, stdout, stderr } = textclf(['classify', file]);
          assert.equal(code, 1, stderr);
          assert.equal(stdout, '');
          assert.ok(stderr.startsWith(`textclf classify: ${file} is not a text file (`), stderr);
          assert.match(stderr, file === withNul ? /\(it contains NUL bytes\)/ : /\(\d+ % of its characters are control characters or invalid UTF-8\)/);
        }
        const text = textclf(['classify', fixture('cli', 'lines.txt')]);
        assert.equal(text.code, 0, 'a text file is still classified');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('--format jsonl streams: the first units are on stdout before the run has finished', async function () {
      this.timeout(180_000);
      const lines = Array.from({ length: 6000 }, (_, i) => `Review number ${i}: ${i % 2 ? 'a wonderful, moving film' : 'a dull and tedious mess'}.`);
      const child = spawn(process.execPath, [bin, 'classify', '--unit', 'line', '--format', 'jsonl', '-'], { cwd: repoRoot });
      child.stdin.end(`${lines.join('\n')}\n`);
      const events: string[] = [];
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (data: Buffer) => {
        if (stdout === '') events.push('first unit');
        stdout += data.toString();
      });
      child.stderr.on('data', (data: Buffer) => {
        stderr += data.toString();
        if (/classified [\d,]+ units/.test(stderr) && !events.includes('summary')) events.push('summary');
      });
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      assert.equal(code, 0, stderr);
      assert.deepEqual(events, ['first unit', 'summary'], 'units came out before the run finished');
      const units = stdout.trim().split('\n').map((line) => JSON.parse(line) as UnitJson);
      assert.deepEqual(units.map((unit) => unit.line), lines.map((_, i) => i + 1), 'every unit once, in order');
      assert.ok(units.every((unit, i) => unit.labels[0].label === (i % 2 ? 'positive' : 'negative')));
    });

    it('reads several files and stdin ("-"), one JSON object per line with --format jsonl, per line with --unit line', () => {
      const { code, stdout, stderr } = textclf(['classify', '--unit', 'line', '--format', 'jsonl', fixture('cli', 'lines.txt'), '-'], 'What a fantastic surprise!\n');
      assert.equal(code, 0, stderr);
      const units = stdout.trim().split('\n').map((line) => JSON.parse(line) as UnitJson);
      assert.deepEqual(units.map((unit) => [unit.file === '-' ? '-' : path.basename(unit.file), unit.line, unit.text]), [
        ['lines.txt', 1, 'Absolutely brilliant.'],
        ['lines.txt', 2, 'Worst purchase ever.'],
        ['-', 1, 'What a fantastic surprise!'],
      ]);
    });

    it('prints a table by default', () => {
      const { code, stdout } = textclf(['classify', fixture('cli', 'lines.txt'), '--unit', 'line']);
      assert.equal(code, 0);
      assert.match(stdout, /^unit\s+label\s+score\s+text\n.*lines\.txt:1\s+positive\s+0\.\d{3}\s+Absolutely brilliant\./m);
    });
  });

  describe('evaluate', () => {
    it('evaluates a CSV fixture to JSON with the documented keys; the confusion matrix sums to the evaluated rows', () => {
      const { code, stdout, stderr } = textclf(['evaluate', fixture('datasets', 'bad.csv'), '--format', 'json']);
      assert.equal(code, 0, stderr);
      const report = JSON.parse(stdout);
      for (const key of ['accuracy', 'macro_f1', 'per_class', 'confusion_matrix', 'labels', 'total', 'evaluated', 'skipped']) assert.ok(key in report, `missing ${key}`);
      assert.deepEqual([report.total, report.evaluated, report.skipped], [10, 4, 6]);
      assert.deepEqual(report.labels, ['negative', 'positive']);
      assert.equal(report.confusion_matrix.flat().reduce((sum: number, cell: number) => sum + cell, 0), report.evaluated);
      assert.deepEqual(report.skipped_rows.map((row: { line: number }) => row.line), [3, 4, 5, 6, 10, 13]);
      assert.match(stderr, /evaluated 4 of 10 rows \(6 skipped\)/);
    });

    it('prints accuracy, the per-class table, the confusion matrix and skipped rows by reason as a table', () => {
      const { code, stdout } = textclf(['evaluate', fixture('datasets', 'bad.csv')]);
      assert.equal(code, 0);
      assert.match(stdout, /accuracy\s+\d+\.\d\d %/);
      assert.match(stdout, /macro-F1\s+\d+\.\d\d %/);
      assert.match(stdout, /label\s+precision\s+recall\s+F1\s+support\nnegative/);
      assert.match(stdout, /confusion matrix \(rows: gold, columns: predicted\)\n\s+negative\s+positive\nnegative\s+\d+\s+\d+\npositive\s+\d+\s+\d+/);
      assert.match(stdout, /skipped rows by reason\n {2}malformed: 2\n {4}line 3: expected 2 fields, found 3/);
      assert.match(stdout, /invalid UTF-8: 1\n {4}line 6:/);
      assert.match(stdout, /throughput\s+[\d,]+ rows\/s/);
    });

    it('maps labels with --label-map and writes --predictions as JSONL', () => {
      const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-cli-')), 'predictions.jsonl');
      try {
        const { code, stderr } = textclf(['evaluate', fixture('datasets', 'spam-collection'), '--label-map', 'ham=positive,spam=negative', '--predictions', out]);
        assert.equal(code, 0, stderr);
        const rows = fs.readFileSync(out, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
        assert.deepEqual(rows.map((row) => [row.line, row.gold, row.gold_label]), [[1, 'ham', 'positive'], [2, 'spam', 'negative'], [3, 'ham', 'positive'], [4, 'ham', 'positive'], [5, 'spam', 'negative']]);
        assert.deepEqual(Object.keys(rows[0].scores), ['negative', 'positive']);
        assert.deepEqual(fs.readdirSync(path.dirname(out)), ['predictions.jsonl'], 'no temporary file left');
      } finally {
        fs.rmSync(path.dirname(out), { recursive: true, force: true });
      }
    });

    it('a dataset whose labels do not fit the model exits 1 naming both label sets, with ways out but no meaningless mapping', () => {
      const { code, stderr } = textclf(['evaluate', fixture('datasets', 'spam-collection')]);
      assert.equal(code, 1);
      assert.match(stderr, /Dataset labels: ham \(3\), spam \(2\); the model's labels are: negative, positive\. The names do not correspond/);
      assert.match(stderr, /--model DIR for a model trained on these labels, textclf train to train one, or --label-column/);
      assert.doesNotMatch(stderr, /ham=|spam=/);
    });

    it('labels whose names correspond to the model\'s get that mapping suggested', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-cli-'));
      try {
        const file = path.join(dir, 'short.tsv');
        fs.writeFileSync(file, 'text\tlabel\nA warm, funny film\tpos\nA dull, tired film\tneg\n');
        const { code, stderr } = textclf(['evaluate', file]);
        assert.equal(code, 1);
        assert.match(stderr, /The names correspond; give the label mapping pos=positive,neg=negative \(--label-map pos=positive,neg=negative\)/);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('AG News test.csv with news-topic: reports the 6,000 training rows and the held-out accuracy of the model card; --held-out evaluates only the others', function () {
      this.timeout(240_000);
      const file = datasetOrSkip(this, 'ag_news/test.csv');
      const model = bundledModel('news-topic');
      const all = textclf(['evaluate', '--model', model, '--format', 'json', file]);
      assert.equal(all.code, 0, all.stderr);
      const report = JSON.parse(all.stdout);
      assert.equal(report.evaluated, 7600);
      assert.deepEqual(Object.keys(report.training_overlap.held_out), ['accuracy', 'macro_f1', 'evaluated']);
      assert.equal(report.training_overlap.rows, 6000);
      assert.equal(report.training_overlap.match, 'same file');
      assert.equal(report.training_overlap.excluded, false);
      assert.equal(report.training_overlap.held_out.evaluated, 1600);
      assert.equal(Number(report.training_overlap.held_out.accuracy.toFixed(6)), modelCardAccuracy(model));
      const table = textclf(['evaluate', '--model', model, '--held-out', file]);
      assert.equal(table.code, 0, table.stderr);
      assert.match(table.stdout, /held out {4}6,000 rows news-topic was trained on were left out/);
      assert.match(table.stdout, /accuracy {4}86\.25 %/);
      assert.match(table.stdout, /rows {8}7,600 total, 1,600 evaluated, 0 skipped/);
    });

    it('SST-2 dev: 872 rows, evaluated + skipped == total, the model card accuracy', function () {
      const dev = datasetOrSkip(this, 'sst2/dev.tsv');
      const { code, stdout, stderr } = textclf(['evaluate', dev, '--format', 'json']);
      assert.equal(code, 0, stderr);
      const report = JSON.parse(stdout);
      assert.equal(report.total, 872);
      assert.equal(report.evaluated + report.skipped, report.total);
      assert.equal(Number(report.accuracy.toFixed(6)), modelCardAccuracy(bundledModel('sentiment-sst2')));
    });
  });

  describe('models', () => {
    it('lists the bundled sentiment model with its labels and sizes, and reports a directory that is not a model', () => {
      const listed = textclf(['models', '--format', 'json']);
      assert.equal(listed.code, 0, listed.stderr);
      const sentiment = JSON.parse(listed.stdout).find((model: { name: string }) => model.name === 'sentiment-sst2');
      assert.deepEqual([sentiment.bundled, sentiment.labels], [true, ['negative', 'positive']]);
      assert.equal(sentiment.onnxBytes, fs.statSync(path.join(bundledModel('sentiment-sst2'), sentiment.onnxFile)).size);
      const wrong = textclf(['models', fixture('datasets')]);
      assert.equal(wrong.code, 1);
      assert.match(wrong.stderr, /fixtures\/datasets\/config\.json: file is missing/);
    });
  });

  describe('usage, help and exit codes', () => {
    const usageErrors: [string, string[], RegExp][] = [
      ['no command', [], /Usage: textclf <command>/],
      ['an unknown command', ['frobnicate'], /unknown command "frobnicate"/],
      ['an unknown option', ['classify', '--colour', 'x.txt'], /Unknown option '--colour'/],
      ['a bad --format', ['classify', '--format', 'xml', 'x.txt'], /--format must be one of table, json, jsonl, got "xml"/],
      ['a bad --unit', ['classify', '--unit', 'word', 'x.txt'], /--unit must be one of document, paragraph, sentence, line, section/],
      ['classify without files', ['classify'], /name at least one file/],
      ['evaluate with two datasets', ['evaluate', 'a.csv', 'b.csv'], /name exactly one dataset file \(got 2\)/],
      ['a bad --batch-size', ['evaluate', '--batch-size', '0', 'a.csv'], /--batch-size must be a positive integer/],
      ['predict without --out', ['predict', 'a.csv'], /--out FILE is required/],
      ['predict with a bad --format', ['predict', 'a.csv', '--out', 'b.csv', '--format', 'xml'], /--format must be one of csv, jsonl/],
      ['--remote-model without --remote', ['classify', '--remote-model', 'm', 'x.txt'], /--remote-model needs --remote URL/],
      ['a --remote that is not a URL', ['predict', 'a.csv', '--out', 'b.csv', '--remote', 'localhost:8000'], /--remote needs an http:\/\/ or https:\/\/ URL/],
    ];
    for (const [what, args, message] of usageErrors) {
      it(`exits 2 for ${what}`, () => {
        const { code, stderr } = textclf(args);
        assert.equal(code, 2);
        assert.match(stderr, message);
      });
    }

    it('exits 1 for a missing input file or a wrong model directory, naming it', () => {
      const missing = textclf(['classify', 'no-such-file.txt']);
      assert.deepEqual([missing.code, /cannot read no-such-file\.txt/.test(missing.stderr)], [1, true]);
      const model = textclf(['classify', '--model', fixture('datasets'), fixture('cli', 'lines.txt')]);
      assert.equal(model.code, 1);
      assert.match(model.stderr, /fixtures\/datasets/);
      const dataset = textclf(['evaluate', 'no-such.csv']);
      assert.deepEqual([dataset.code, /dataset no-such\.csv not found/.test(dataset.stderr)], [1, true]);
    });

    for (const command of ['classify', 'evaluate', 'predict', 'models']) {
      it(`textclf ${command} --help prints its usage and exits 0`, () => {
        const { code, stdout } = textclf([command, '--help']);
        assert.equal(code, 0);
        assert.match(stdout, new RegExp(`^Usage: textclf ${command} `));
        assert.match(stdout, /Exit codes|--format/);
      });
    }
  });
});
