// Issue 17 (9): one huge field must not become one huge text for the model. A row over the row
// cap is skipped with its reason in every format; the rows around it are read as usual.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readRows } from '../../src/datasets/rows';
import { inspectDataset } from '../../src/datasets/schema';
import type { DatasetRow } from '../../src/datasets/types';

describe('dataset rows over the size cap (issue 17)', () => {
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-bigrow-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const huge = 'a'.repeat(1024 * 1024 + 10); // just over the default cap of 1 MiB

  const cases: [string, string][] = [
    ['big.csv', `text,label\nfirst text,1\n"${huge}",0\nlast text,0\n`],
    ['big.tsv', `sentence\tlabel\nfirst text\t1\n${huge}\t0\nlast text\t0\n`],
    ['big.jsonl', `{"text":"first text","label":1}\n{"text":"${huge}","label":0}\n{"text":"last text","label":0}\n`],
  ];
  for (const [name, content] of cases) {
    it(`${name}: the huge row is skipped as 'too large' with its size; the others are rows`, async () => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, content);
      const rows: DatasetRow[] = [];
      for await (const row of readRows(await inspectDataset(file))) rows.push(row);
      assert.deepEqual(rows.map((row) => (row.kind === 'row' ? row.text : row.reason)), ['first text', 'too large', 'last text']);
      const skipped = rows[1];
      assert.ok(skipped.kind === 'skipped');
      assert.match(skipped.detail, /the row has 1,048,\d{3} bytes; rows of more than 1,048,576 bytes are skipped/);
      assert.equal(skipped.line, name.endsWith('.jsonl') ? 2 : 3);
    });
  }
});
