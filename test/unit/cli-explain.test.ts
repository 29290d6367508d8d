// `textclf explain` as users run it: node bin/textclf.js (the esbuild bundle dist/cli.js), real model.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from '../support/paths';

const bin = path.join(repoRoot, 'bin', 'textclf.js');
const notes = path.join(repoRoot, 'test', 'fixtures', 'cli', 'notes.md');

function textclf(args: string[], input?: string) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: repoRoot, input, encoding: 'utf8', timeout: 60000, env: { ...process.env, NO_COLOR: '' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface ExplainedUnitJson {
  line: number;
  start: number;
  end: number;
  text: string;
  labels: { label: string; score: number }[];
  wordsPerGroup: number;
  words: { word: string; start: number; end: number; contribution: number }[];
}

describe('textclf explain (child process, bundled)', function () {
  this.timeout(120000);
  before(function () {
    if (!fs.existsSync(path.join(repoRoot, 'dist', 'cli.js'))) {
      const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, encoding: 'utf8' });
      assert.equal(build.status, 0, build.stderr);
    }
  });

  it("JSON: word offsets into the file, the labels classify gives, and the word that carries a paragraph's tone on top", () => {
    const { code, stdout, stderr } = textclf(['explain', notes, '--format', 'json']);
    assert.equal(code, 0, stderr);
    assert.match(stderr, /explained 3 units/); // the heading is not prose
    const units = JSON.parse(stdout) as ExplainedUnitJson[];
    const source = fs.readFileSync(notes, 'utf8');
    const classified = JSON.parse(textclf(['classify', notes, '--format', 'json']).stdout) as { start: number; labels: unknown }[];
    assert.deepEqual(units.map((unit) => unit.labels), classified.map((unit) => unit.labels));
    for (const unit of units) {
      assert.equal(source.slice(unit.start, unit.end), unit.text);
      assert.equal(unit.wordsPerGroup, 1);
      assert.ok(unit.words.length > 0);
      for (const word of unit.words) assert.equal(source.slice(word.start, word.end), word.word);
    }
    const cafe = units.find((unit) => unit.text.includes('wonderful'))!;
    assert.equal(cafe.labels[0].label, 'positive');
    const strongest = [...cafe.words].sort((a, b) => b.contribution - a.contribution)[0];
    assert.equal(strongest.word, 'wonderful');
  });

  it('table: the text with its top words marked, and the words listed with signed contributions; stdin by sentence', () => {
    const { code, stdout, stderr } = textclf(['explain', '-', '--unit', 'sentence'], 'What a wonderful, moving film. The plot was dull and the acting was awful.');
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^stdin:1 {2}positive \d\.\d{3}$/m);
    assert.match(stdout, /\[\+wonderful\]/);
    assert.match(stdout, /raised positive: {2}wonderful \+0\.\d{4}/);
    assert.match(stdout, /^stdin:1 {2}negative/m);
    assert.match(stdout, /raised negative: .*(dull|awful) \+0\.\d{4}/);
    // eslint-disable-next-line no-control-regex -- a colour escape is what must be absent
    assert.doesNotMatch(stdout, /\x1b\[/, 'no colour codes when stdout is not a terminal');
  });

  it('on a terminal, marks the words with background colours instead of brackets', function () {
    if (spawnSync('script', ['--version']).status !== 0) {
      console.log('    (skipped: script(1), which gives the CLI a terminal, is not installed)');
      this.skip();
    }
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-explain-')), 'in.txt');
    fs.writeFileSync(file, 'What a wonderful film.\n');
    const command = [process.execPath, bin, 'explain', file].map((part) => `'${part}'`).join(' ');
    const result = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: repoRoot, encoding: 'utf8', timeout: 60000, env: { ...process.env, NO_COLOR: '' } });
    assert.equal(result.status, 0, result.stdout);
    // eslint-disable-next-line no-control-regex -- the colour escapes a terminal shows
    assert.match(result.stdout, /\x1b\[30;42mwonderful\x1b\[0m/);
    assert.doesNotMatch(result.stdout, /\[\+wonderful\]/);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  it('exit codes: 2 for usage errors, 1 for a file that cannot be read', () => {
    assert.equal(textclf(['explain']).code, 2);
    assert.equal(textclf(['explain', notes, notes]).code, 2);
    const badFormat = textclf(['explain', notes, '--format', 'jsonl']);
    assert.equal(badFormat.code, 2);
    assert.match(badFormat.stderr, /--format must be one of table, json/);
    const missing = path.join(os.tmpdir(), 'textclf-no-such-file.txt');
    const result = textclf(['explain', missing]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /cannot read .*textclf-no-such-file\.txt/);
    assert.match(textclf(['explain', '--help']).stdout, /Usage: textclf explain/);
  });
});
