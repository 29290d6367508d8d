// Which columns textclf predict classifies in a dataset without labels.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inspectUnlabeledDataset } from '../../src/datasets/schema';
import { datasetOrSkip, repoRoot } from '../support/paths';

const fixture = (...parts: string[]) => path.join(repoRoot, 'test', 'fixtures', ...parts);

describe('inspectUnlabeledDataset', () => {
  it('a column with a text name wins (tickets.csv: body; tickets.jsonl: text)', async () => {
    assert.deepEqual((await inspectUnlabeledDataset(fixture('cli', 'tickets.csv'))).textColumns, ['body']);
    const jsonl = await inspectUnlabeledDataset(fixture('cli', 'tickets.jsonl'));
    assert.deepEqual([jsonl.format, jsonl.textColumns], ['jsonl', ['text']]);
  });

  it('without names, the free-text columns: not an id, a date or a category', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-unlabeled-'));
    try {
      const file = path.join(dir, 'export.csv');
      const rows = Array.from({ length: 40 }, (_, i) => `T-${i},2024-05-${String((i % 28) + 1).padStart(2, '0')},${i % 3 ? 'billing' : 'shipping'},"Customer ${i} writes that the parcel arrived late and damaged"`);
      fs.writeFileSync(file, `${rows.join('\n')}\n`);
      const schema = await inspectUnlabeledDataset(file);
      assert.deepEqual([schema.hasHeader, schema.textColumns], [false, ['4']]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('AG News (no header): title and description, not the class column', async function () {
    const schema = await inspectUnlabeledDataset(datasetOrSkip(this, 'ag_news/test.csv'));
    assert.deepEqual([schema.hasHeader, schema.columns, schema.textColumns], [false, ['1', '2', '3'], ['2', '3']]);
  });

  it('SMS Spam (TSV, no header): the message, not ham/spam', async function () {
    const schema = await inspectUnlabeledDataset(datasetOrSkip(this, 'sms_spam/SMSSpamCollection'));
    assert.deepEqual([schema.format, schema.textColumns], ['tsv', ['2']]);
  });
});
