// Issue 17: what bad output targets, hostile text and Ctrl-C did to the CLI. The CLI as users run it
// (node bin/textclf.js, the bundled dist/cli.js) with the bundled sentiment model.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from '../support/paths';

const bin = path.join(repoRoot, 'bin', 'textclf.js');
const fixture = (...parts: string[]) => path.join(repoRoot, 'test', 'fixtures', ...parts);

function textclf(args: string[], input?: string) {
  const started = performance.now();
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: repoRoot, input, encoding: 'utf8', timeout: 60000 });
  return { code: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr, seconds: (performance.now() - started) / 1000 };
}

/** C0 controls but tab and newline, DEL and C1 controls: what a terminal acts on instead of printing. */
// eslint-disable-next-line no-control-regex -- the test looks for control characters on purpose
const terminalControls = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

describe('CLI hardening (issue 17)', function () {
  let dir: string;
  before(function () {
    this.timeout(120000);
    if (!fs.existsSync(path.join(repoRoot, 'dist', 'cli.js'))) {
      const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, encoding: 'utf8' });
      assert.equal(build.status, 0, build.stderr);
    }
  });
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-hardening-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe('evaluate --predictions target', () => {
    it('a target in a missing directory exits 1 at once (before the model loads), naming the file', () => {
      const target = path.join(dir, 'no', 'such', 'dir', 'p.jsonl');
      const run = textclf(['evaluate', fixture('datasets', 'reviews.csv'), '--predictions', target]);
      assert.equal(run.code, 1, `exit code (signal ${run.signal}); stderr: ${run.stderr}`);
      assert.match(run.stderr, /cannot write predictions to .*p\.jsonl/);
      assert.doesNotMatch(run.stderr, /evaluated/, 'no evaluation ran');
      assert.ok(run.seconds < 5, `took ${run.seconds.toFixed(1)} s`);
    });

    it('a target that is a directory exits 1 before evaluating and leaves no partial file beside it', () => {
      const target = path.join(dir, 'p.jsonl');
      fs.mkdirSync(target);
      const run = textclf(['evaluate', fixture('datasets', 'reviews.csv'), '--predictions', target]);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, /p\.jsonl.* is a directory/);
      assert.doesNotMatch(run.stderr, /evaluated/, 'no evaluation ran');
      assert.deepEqual(fs.readdirSync(dir), ['p.jsonl'], 'nothing but the directory');
      assert.deepEqual(fs.readdirSync(target), []);
    });
  });

  it('evaluate names a dataset path that is a directory as a directory, not "not found"', () => {
    const run = textclf(['evaluate', dir]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /is a directory/);
    assert.doesNotMatch(run.stderr, /not found/);
  });

  it('evaluate interrupted with SIGINT exits 130, like classify, and leaves no predictions file', async function () {
    this.timeout(120000);
    const dataset = path.join(dir, 'big.csv');
    const rows = ['text,label'];
    for (let i = 0; i < 40000; i++) rows.push(`"review number ${i}: the film was ${i % 2 ? 'wonderful and moving' : 'dull and far too long'}",${i % 2}`);
    fs.writeFileSync(dataset, `${rows.join('\n')}\n`);
    const target = path.join(dir, 'p.jsonl');
    const child = spawn(process.execPath, [bin, 'evaluate', dataset, '--predictions', target], { cwd: repoRoot });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Wait until the first predictions are written: the engine runs.
    const partial = () => fs.readdirSync(dir).find((name) => name.endsWith('.partial'));
    for (let waited = 0; !(partial() && fs.statSync(path.join(dir, partial()!)).size > 0); waited += 50) {
      assert.ok(waited < 60000, `no predictions written after 60 s; stderr: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill('SIGINT');
    assert.equal(await exited, 130, stderr);
    assert.match(stderr, /interrupted/);
    assert.deepEqual(fs.readdirSync(dir), ['big.csv'], 'neither the predictions nor their partial file');
  });

  describe('control characters from the input', () => {
    const hostile = 'A \x1b]0;pwned\x07 wonderful film \x1b[2J with a bell \x07 and \x9b31m C1.';

    it('classify shows them escaped in the table; JSON keeps the text as it is', () => {
      const file = path.join(dir, 'hostile.txt');
      fs.writeFileSync(file, hostile);
      const table = textclf(['classify', file]);
      assert.equal(table.code, 0, table.stderr);
      assert.doesNotMatch(table.stdout, terminalControls);
      assert.match(table.stdout, /\\x1b\]0;pwned\\x07 wonderful film \\x1b\[2J/);
      const json = textclf(['classify', file, '--format', 'json']);
      assert.equal(JSON.parse(json.stdout)[0].text, hostile);
    });

    it('evaluate escapes them in its table and in the label-mismatch message', () => {
      const mismatch = path.join(dir, 'mismatch.csv');
      fs.writeFileSync(mismatch, `text,label\n${[1, 2, 3, 4].map((i) => `good film ${i},"\x1b]0;pwned\x07lbl${i}\x1b[2J"`).join('\n')}\n`);
      const failed = textclf(['evaluate', mismatch]);
      assert.equal(failed.code, 1, failed.stderr);
      assert.doesNotMatch(failed.stderr, terminalControls);
      assert.match(failed.stderr, /\\x1b\]0;pwned\\x07lbl1/);

      const skipped = path.join(dir, 'skipped.csv');
      fs.writeFileSync(skipped, `text,label\nA wonderful film.,positive\nA dull film.,negative\nA fine film.,positive\nodd row,"\x1b[2Jweird\x07"\n`);
      const table = textclf(['evaluate', skipped]);
      assert.equal(table.code, 0, table.stderr);
      assert.doesNotMatch(table.stdout, terminalControls);
      assert.match(table.stdout, /\\x1b\[2Jweird\\x07/);
    });
  });
});
