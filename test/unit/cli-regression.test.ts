// textclf classify with a regression model (the compat bert-regression directory): the table heads the
// column "value" and prints each value unclamped, as the JSON output has it.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compatModelsOrSkip, compatTexts } from '../support/compatModels';
import { repoRoot } from '../support/paths';

const bin = path.join(repoRoot, 'bin', 'textclf.js');

describe('textclf classify: a regression model', function () {
  this.timeout(60_000);

  it('heads the value column "value" and prints the values the JSON gives, unclamped', function () {
    const model = path.join(compatModelsOrSkip(this), 'bert-regression');
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-regression-'));
    try {
      const input = path.join(scratch, 'texts.txt');
      fs.writeFileSync(input, compatTexts.slice(0, 12).join('\n'));
      const run = (format: string) => spawnSync(process.execPath, [bin, 'classify', '-m', model, '-u', 'line', '-f', format, input], { encoding: 'utf8' });
      const table = run('table');
      const json = run('json');
      assert.equal(table.status, 0, table.stderr);
      const values: number[] = JSON.parse(json.stdout).map((unit: { labels: { score: number }[] }) => unit.labels[0].score);
      assert.ok(values.some((value) => value < 0 || value > 1), `some value lies outside 0–1: ${values.join(', ')}`);
      const [header, ...rows] = table.stdout.trim().split('\n');
      assert.match(header, /^unit\s+label\s+value\s+text$/);
      assert.deepEqual(rows.map((row) => Number(row.split(/\s+/)[2])), values.map((value) => Number(value.toFixed(3))));
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });
});
