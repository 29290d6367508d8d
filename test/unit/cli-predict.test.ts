// textclf predict as users run it (node bin/textclf.js, the esbuild bundle), on small fixtures and on
// SMS Spam when the shared datasets are there: every row comes out predicted or is counted as skipped.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { datasetOrSkip, repoRoot } from '../support/paths';

const bin = path.join(repoRoot, 'bin', 'textclf.js');
const fixture = (...parts: string[]) => path.join(repoRoot, 'test', 'fixtures', ...parts);

function textclf(args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('textclf predict (child process, bundled)', function () {
  this.timeout(180_000);
  let dir: string;

  before(function () {
    if (!fs.existsSync(path.join(repoRoot, 'dist', 'cli.js'))) {
      const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, encoding: 'utf8' });
      assert.equal(build.status, 0, build.stderr);
    }
  });
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-predict-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('CSV in, CSV out: the input columns plus label and score; a quoted multi-line row survives; skipped rows are counted with their reason', () => {
    const out = path.join(dir, 'labeled.csv');
    const { code, stdout, stderr } = textclf(['predict', fixture('cli', 'tickets.csv'), '--out', out]);
    assert.equal(code, 0, stderr);
    assert.equal(stdout, '');
    const rows = parse(fs.readFileSync(out, 'utf8'), { columns: true }) as Record<string, string>[];
    assert.deepEqual(Object.keys(rows[0]), ['id', 'subject', 'body', 'label', 'score']);
    assert.deepEqual(rows.map((row) => [row.id, row.label]), [['T-1', 'positive'], ['T-2', 'negative'], ['T-3', 'positive'], ['T-6', 'negative']]);
    assert.equal(rows[2].body, 'Quoted text that spans\ntwo lines, with a comma and a "quote". Wonderful service.');
    for (const row of rows) assert.ok(Number(row.score) > 0.5 && Number(row.score) <= 1, row.score);
    assert.match(stderr, /predicted 4 of 6 rows \(2 skipped\) .* text: body; wrote /);
    assert.match(stderr, /skipped, empty text: 1\n {4}line 6: column body is empty/);
    assert.match(stderr, /skipped, malformed: 1\n {4}line 7: expected 3 fields, found 5/);
    assert.deepEqual(fs.readdirSync(dir), ['labeled.csv'], 'no temporary file left');
    assert.doesNotMatch(stderr, /predicting:|\r/, 'no progress line when stderr is not a terminal');
  });

  it('draws a progress line on stderr when it is a terminal (run under script(1))', function () {
    const script = ['/usr/bin/script', '/bin/script'].find((file) => fs.existsSync(file));
    if (!script) {
      console.log('    (skipped: script(1) from util-linux is not installed)');
      this.skip();
    }
    const input = path.join(dir, 'reviews.csv');
    fs.writeFileSync(input, `text\n${Array.from({ length: 1200 }, (_, i) => `"Review ${i}: ${i % 2 ? 'lovely' : 'awful'}"`).join('\n')}\n`);
    const command = [process.execPath, bin, 'predict', input, '--out', path.join(dir, 'out.csv')].map((part) => `'${part}'`).join(' ');
    const run = spawnSync(script!, ['-qec', command, '/dev/null'], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    // eslint-disable-next-line no-control-regex -- the progress line's terminal escape (erase line)
    assert.match(run.stdout, /\r\x1b\[2Kpredicting: [\d,]+ rows \(\d+ % of the file\), [\d,]+ rows\/s/);
    assert.match(run.stdout, /predicted 1,200 of 1,200 rows/);
  });

  it('JSONL in, JSONL out (from the extension): input keys kept, scores of every label; a label column is not overwritten', () => {
    const out = path.join(dir, 'labeled.jsonl');
    const { code, stderr } = textclf(['predict', fixture('cli', 'tickets.jsonl'), '--out', out]);
    assert.equal(code, 0, stderr);
    const rows = fs.readFileSync(out, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    assert.deepEqual(rows.map((row) => [row.id, row.predicted_label]), [[1, 'positive'], [2, 'negative'], [5, 'positive']]);
    assert.deepEqual(rows[0].meta, { channel: 'email' });
    assert.equal(rows[2].label, 'old', 'the input\'s own label column is kept as it was');
    for (const row of rows) {
      assert.deepEqual(Object.keys(row.predicted_scores), ['negative', 'positive']);
      assert.equal(row.predicted_score, Math.max(...Object.values(row.predicted_scores as Record<string, number>)));
    }
    assert.match(stderr, /predicted 3 of 5 rows \(2 skipped\)/);
    assert.match(stderr, /predicted_label, predicted_score/);
    assert.match(stderr, /skipped, empty text: 1\n {4}line 3:/);
    assert.match(stderr, /skipped, malformed: 1\n {4}line 4: invalid JSON/);
  });

  it('--format and --text-column override; JSONL input written as CSV keeps nested values as JSON', () => {
    const out = path.join(dir, 'out.txt');
    const { code, stderr } = textclf(['predict', fixture('cli', 'tickets.csv'), '--out', out, '--format', 'jsonl', '--text-column', 'subject']);
    assert.equal(code, 0, stderr);
    const rows = fs.readFileSync(out, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    assert.deepEqual(rows.map((row) => row.id), ['T-1', 'T-2', 'T-3', 'T-4', 'T-6'], 'T-4 has a subject, so it is classified now');
    assert.match(stderr, /text: subject/);
    const csvOut = path.join(dir, 'from-jsonl.csv');
    assert.equal(textclf(['predict', fixture('cli', 'tickets.jsonl'), '--out', csvOut]).code, 0);
    const csvRows = parse(fs.readFileSync(csvOut, 'utf8'), { columns: true }) as Record<string, string>[];
    assert.equal(csvRows[0].meta, '{"channel":"email"}');
    assert.equal(csvRows[1].meta, '');
  });

  it('a failure leaves no output and no temporary file; an existing output is kept as it was', () => {
    const out = path.join(dir, 'labeled.csv');
    fs.writeFileSync(out, 'previous run\n');
    const wrongColumn = textclf(['predict', fixture('cli', 'tickets.csv'), '--out', out, '--text-column', 'nope']);
    assert.equal(wrongColumn.code, 1);
    assert.match(wrongColumn.stderr, /text column "nope" not found; the columns are: 1 id, 2 subject, 3 body/);
    assert.deepEqual(fs.readdirSync(dir), ['labeled.csv']);
    assert.equal(fs.readFileSync(out, 'utf8'), 'previous run\n');
    const intoDirectory = textclf(['predict', fixture('cli', 'tickets.csv'), '--out', dir]);
    assert.equal(intoDirectory.code, 1);
    assert.match(intoDirectory.stderr, /cannot write .* it is a directory/);
    const missingFolder = textclf(['predict', fixture('cli', 'tickets.csv'), '--out', path.join(dir, 'no', 'such', 'out.csv')]);
    assert.equal(missingFolder.code, 1);
    assert.match(missingFolder.stderr, /cannot write .*out\.csv: ENOENT/);
    assert.deepEqual(fs.readdirSync(dir), ['labeled.csv']);
  });

  it('Ctrl-C in the middle of a run removes the partial file and exits 1', async () => {
    const input = path.join(dir, 'many.csv');
    fs.writeFileSync(input, `text\n${Array.from({ length: 20_000 }, (_, i) => `"Entry ${i}: a review that is neither short nor long, and rather good"`).join('\n')}\n`);
    const out = path.join(dir, 'labeled.csv');
    const child = spawn(process.execPath, [bin, 'predict', input, '--out', out], { cwd: repoRoot });
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    // Interrupt once rows are being written (the temporary file has grown past the header).
    const partial = () => fs.readdirSync(dir).find((name) => name.endsWith('.partial'));
    for (let waited = 0; !(partial() && fs.statSync(path.join(dir, partial()!)).size > 1000); waited += 20) {
      assert.ok(waited < 120_000, `no rows written within 120 s: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill('SIGINT');
    assert.equal(await exited, 1, stderr);
    assert.match(stderr, /cancelled \(SIGINT\); .*labeled\.csv was not written/);
    assert.deepEqual(fs.readdirSync(dir), ['many.csv']);
  });

  it('SMS Spam (5,574 rows, TSV without header): rows predicted + skipped = rows in the file, output rows = predicted, in order', function () {
    const dataset = datasetOrSkip(this, 'sms_spam/SMSSpamCollection');
    const lines = fs.readFileSync(dataset, 'utf8').split('\n').filter((line) => line.trim() !== '');
    const out = path.join(dir, 'sms.jsonl');
    const { code, stderr } = textclf(['predict', dataset, '--out', out]);
    assert.equal(code, 0, stderr);
    const match = /predicted ([\d,]+) of ([\d,]+) rows \(([\d,]+) skipped\)/.exec(stderr)!;
    const [predicted, total, skipped] = match.slice(1).map((value) => Number(value.replace(/,/g, '')));
    assert.equal(total, lines.length);
    assert.equal(predicted + skipped, total);
    const rows = fs.readFileSync(out, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    assert.equal(rows.length, predicted);
    assert.match(stderr, /text: 2;/, 'the message column, not the ham/spam column');
    // The input's cells, in file order: the message of each output row is the file's line with that message.
    let cursor = 0;
    for (const row of rows) {
      while (!lines[cursor].endsWith(`\t${row['2']}`)) cursor++;
      assert.equal(lines[cursor].split('\t')[0], row['1']);
      cursor++;
    }
  });
});
