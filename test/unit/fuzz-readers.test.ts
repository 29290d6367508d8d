// Fuzz: the CSV, TSV and JSONL readers on any bytes. Reading either stops with a clear dataset error
// (no readable rows, no text or label column, labels that do not fit) or accounts for every row:
// evaluated + skipped = total, each skipped row with a known reason, its line and a detail.
// The classify function stands in for the model (the readers are under test): it answers the first
// label for every text.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { evaluate } from '../../src/datasets/evaluate';
import { LabelMappingError } from '../../src/datasets/labels';
import { DatasetError } from '../../src/datasets/schema';
import type { SkipReason } from '../../src/datasets/types';
import { fuzzParameters, fuzzTimeout, trickyText } from './fuzz-support';

const runs = 250;
const labels = ['negative', 'positive'];
const reasons: SkipReason[] = ['malformed', 'invalid UTF-8', 'too large', 'empty text', 'missing label', 'label not known to the model'];

/** Bytes that look like a dataset often enough to get past schema detection, and raw noise. */
function datasetBytes(format: 'csv' | 'tsv' | 'jsonl'): fc.Arbitrary<Uint8Array> {
  const separator = format === 'tsv' ? '\t' : ',';
  const label = fc.constantFrom('0', '1', 'positive', 'negative', 'POS', '', ' 1 ', '2', '"1"', 'null');
  const row = format === 'jsonl'
    ? fc.oneof(
        fc.record({ text: fc.oneof(trickyText(60), fc.integer(), fc.constant(null), fc.array(fc.string())), label: fc.oneof(label, fc.integer({ min: -1, max: 3 }), fc.constant([1])) }).map((object) => JSON.stringify(object)),
        trickyText(60),
      )
    : fc.tuple(trickyText(60), label).map(([text, gold]) => `${text}${separator}${gold}`);
  const header = format === 'jsonl' ? fc.constant('') : fc.constantFrom(`text${separator}label\n`, `sentence${separator}label\n`, '', `a${separator}b${separator}c\n`);
  const structured = fc
    .tuple(fc.boolean(), header, fc.array(row, { maxLength: 20 }), fc.constantFrom('\n', '\r\n', '\r'), fc.array(fc.uint8Array({ maxLength: 4 }), { maxLength: 3 }))
    .map(([bom, head, rows, newline, noise]) => {
      const text = Buffer.from(`${head}${rows.join(newline)}${newline}`, 'utf8');
      return Buffer.concat([bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), text, ...noise.map((bytes) => Buffer.from(bytes))]);
    });
  return fc.oneof({ arbitrary: structured, weight: 4 }, { arbitrary: fc.uint8Array({ maxLength: 300 }), weight: 1 });
}

describe('fuzz: dataset readers account for every row', function () {
  this.timeout(fuzzTimeout(runs * 3, 10));
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-fuzz-readers-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const format of ['csv', 'tsv', 'jsonl'] as const) {
    it(`${format}: any bytes give a clear dataset error or evaluated + skipped = total`, async () => {
      const file = path.join(dir, `data.${format}`);
      let accounted = 0;
      await fc.assert(
        fc.asyncProperty(datasetBytes(format), fc.integer({ min: 1, max: 8 }), async (bytes, batchSize) => {
          fs.writeFileSync(file, bytes);
          let report;
          try {
            report = await evaluate(file, { labels, batchSize, maxRowBytes: 200 }, async (texts) =>
              texts.map(() => ({ labels: [{ label: 'negative', score: 0.6 }, { label: 'positive', score: 0.4 }], windows: 1, tokens: 1 })),
            );
          } catch (error) {
            if (error instanceof DatasetError || error instanceof LabelMappingError) return;
            throw error;
          }
          accounted++;
          assert.equal(report.evaluated + report.skipped, report.total);
          assert.equal(report.skippedRows.length, report.skipped);
          assert.equal(report.confusionMatrix.flat().reduce((sum, count) => sum + count, 0), report.evaluated);
          for (const row of report.skippedRows) {
            assert.ok(reasons.includes(row.reason), `reason ${row.reason}`);
            assert.ok(Number.isInteger(row.line) && row.line >= 1, `line ${row.line}`);
            assert.equal(typeof row.detail, 'string');
          }
          const lines = report.predictions.map((row) => row.line);
          assert.deepEqual(lines, [...lines].sort((a, b) => a - b), 'evaluated rows in file order');
        }),
        fuzzParameters(runs),
      );
      assert.ok(accounted > runs / 10, `only ${accounted} of ${runs} inputs got past schema detection; the generator is too noisy`);
    });
  }
});
