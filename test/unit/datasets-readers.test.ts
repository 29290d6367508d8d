import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createLabelMapping, LabelMappingError, parseLabelMap } from '../../src/datasets/labels';
import { readRows } from '../../src/datasets/rows';
import { previewRows, summarizeDataset } from '../../src/datasets/scan';
import { DatasetError, inspectDataset } from '../../src/datasets/schema';
import type { DatasetRow, DatasetSchema, SkippedRow } from '../../src/datasets/types';
import { datasetOrSkip, repoRoot } from '../support/paths';

const fixture = (name: string) => path.join(repoRoot, 'test', 'fixtures', 'datasets', name);

async function allRows(schema: DatasetSchema): Promise<DatasetRow[]> {
  const rows: DatasetRow[] = [];
  for await (const row of readRows(schema)) rows.push(row);
  return rows;
}

const skippedOf = (rows: DatasetRow[]): SkippedRow[] => rows.flatMap((row) => (row.kind === 'skipped' ? [{ line: row.line, reason: row.reason, detail: row.detail }] : []));

describe('datasets: readers', () => {
  it('CSV with a BOM and quoted multi-line fields: columns by name, each row with the line it starts on', async () => {
    const schema = await inspectDataset(fixture('reviews.csv'));
    assert.equal(schema.format, 'csv');
    assert.equal(schema.hasHeader, true);
    assert.deepEqual(schema.columns, ['text', 'label'], 'the BOM is not part of the first column name');
    assert.deepEqual([schema.textColumns, schema.labelColumn], [['text'], 'label']);
    const rows = await allRows(schema);
    assert.deepEqual(
      rows.map((row) => (row.kind === 'row' ? [row.line, row.label] : row)),
      [[2, 'positive'], [3, 'negative'], [7, 'positive'], [8, 'negative'], [9, 'negative']],
    );
    assert.equal(rows[1].kind === 'row' && rows[1].text, 'The plot is a mess\nand the acting is worse.\nAvoid it.');
    assert.equal(rows[2].kind === 'row' && rows[2].text, 'She said "wow", and so did I: a triumph.');
  });

  it('TSV in the SST-2 layout: header, a space before the tab, texts trimmed', async () => {
    const schema = await inspectDataset(fixture('sst2-layout.tsv'));
    assert.deepEqual([schema.format, schema.hasHeader, schema.textColumns, schema.labelColumn], ['tsv', true, ['sentence'], 'label']);
    const rows = await allRows(schema);
    assert.deepEqual(rows.map((row) => row.line), [2, 3, 4, 5, 6, 7]);
    assert.deepEqual(rows[0], { kind: 'row', line: 2, text: "it 's a warm , funny film that stays with you for days .", label: '1' });
    assert.deepEqual([...schema.sampleLabels], [['1', 3], ['0', 3]]);
  });

  it('headerless label<TAB>text (SMS Spam layout) in a file without extension: format, no header and the label column are detected', async () => {
    const schema = await inspectDataset(fixture('spam-collection'));
    assert.deepEqual([schema.format, schema.hasHeader, schema.columns, schema.textColumns, schema.labelColumn], ['tsv', false, ['1', '2'], ['2'], '1']);
    const rows = await allRows(schema);
    assert.deepEqual(rows.map((row) => row.line), [1, 2, 3, 4, 5]);
    assert.deepEqual(rows[4], { kind: 'row', line: 5, label: 'spam', text: 'WINNER!! As a valued network customer you have been selected to receivea £900 prize reward!' });
  });

  it('JSONL: text and label found by key; several text columns are joined with a space', async () => {
    const schema = await inspectDataset(fixture('news.jsonl'));
    assert.deepEqual([schema.format, schema.textColumns, schema.labelColumn], ['jsonl', ['text'], 'label']);
    const joined = await allRows(await inspectDataset(fixture('news.jsonl'), { textColumn: 'title,text' }));
    assert.deepEqual(joined[1], { kind: 'row', line: 2, text: 'Cup final The home side won the cup final 2-1 after extra time.', label: 'Sports' });
  });

  it('columns can be given by 1-based position; an unknown column is an error listing the columns', async () => {
    const schema = await inspectDataset(fixture('sst2-layout.tsv'), { textColumn: '1', labelColumn: 'LABEL' });
    assert.deepEqual([schema.textColumns, schema.labelColumn], [['sentence'], 'label']);
    await assert.rejects(inspectDataset(fixture('sst2-layout.tsv'), { labelColumn: 'stars' }), (error: Error) => {
      assert.ok(error instanceof DatasetError);
      assert.match(error.message, /sst2-layout\.tsv: label column "stars" not found; the columns are: 1 sentence, 2 label/);
      return true;
    });
  });

  it('a JSONL file whose objects have no keys is a clear error naming the file (found by npm run fuzz)', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-keyless-')), 'empty-objects.jsonl');
    fs.writeFileSync(file, '{}\n{}\n');
    await assert.rejects(inspectDataset(file), (error: Error) => {
      assert.ok(error instanceof DatasetError, String(error));
      assert.match(error.message, /empty-objects\.jsonl: .*no fields/);
      return true;
    });
  });

  it('a CSV with malformed rows, empty texts, a missing label and invalid UTF-8: every skipped row keeps its line and reason, totals add up', async () => {
    const schema = await inspectDataset(fixture('bad.csv'));
    const rows = await allRows(schema);
    assert.deepEqual(skippedOf(rows), [
      { line: 3, reason: 'malformed', detail: 'expected 2 fields, found 3' },
      { line: 4, reason: 'empty text', detail: 'column text is empty' },
      { line: 6, reason: 'invalid UTF-8', detail: 'invalid UTF-8 byte sequence at column 4' },
      { line: 10, reason: 'missing label', detail: 'column label is empty' },
      { line: 13, reason: 'malformed', detail: 'a quote opened in this row is never closed; the rest of the file (to line 14) is part of it' },
    ]);
    assert.deepEqual(rows.filter((row) => row.kind === 'row').map((row) => row.line), [2, 5, 8, 11, 12]);
    const summary = await summarizeDataset(schema);
    assert.equal(summary.total, 10);
    assert.equal(summary.usable + summary.skippedRows.length, summary.total);
    assert.deepEqual([...summary.labelCounts], [['negative', 2], ['positive', 2], ['neutral', 1]]);
  });

  it('a JSONL file with broken JSON, non-objects, invalid UTF-8 and a list label: each is skipped with its line', async () => {
    const rows = await allRows(await inspectDataset(fixture('bad.jsonl')));
    assert.deepEqual(
      skippedOf(rows).map(({ line, reason }) => [line, reason]),
      [[2, 'malformed'], [3, 'malformed'], [4, 'empty text'], [5, 'invalid UTF-8'], [9, 'malformed']],
    );
    assert.deepEqual(rows.filter((row) => row.kind === 'row').map((row) => row.line), [1, 7, 8, 10]);
    assert.equal(rows.length, 9, 'the blank line 6 is not a row');
  });

  describe('a generated 2.5 MB CSV read in 64 KiB chunks', () => {
    let dir: string;
    before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-datasets-'))));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('keeps every row, its text and its starting line across chunk boundaries, with CRLF line ends and blank lines', async () => {
      const file = path.join(dir, 'big.csv');
      const expected: { line: number; text: string; label: string }[] = [];
      const parts = ['text,label\r\n'];
      let line = 2;
      for (let index = 0; index < 20000; index++) {
        const multiLine = index % 7 === 0;
        const text = multiLine ? `row ${index} says "hi"\r\nand continues, over two lines ${'x'.repeat(index % 300)}` : `row ${index} ${'y'.repeat(index % 200)}`;
        const label = index % 3 === 0 ? 'positive' : 'negative';
        parts.push(`${multiLine ? `"${text.replace(/"/g, '""')}"` : text},${label}\r\n`);
        expected.push({ line, text: text.trim(), label });
        line += multiLine ? 2 : 1;
        if (index % 1000 === 999) {
          parts.push('\r\n');
          line++;
        }
      }
      fs.writeFileSync(file, parts.join(''));
      assert.ok(fs.statSync(file).size > 2_500_000);
      let progressCalls = 0;
      let lastProgress = { bytesRead: 0, totalBytes: 0 };
      const rows: DatasetRow[] = [];
      for await (const row of readRows(await inspectDataset(file), { onProgress: (progress) => (progressCalls++, (lastProgress = progress)) })) rows.push(row);
      assert.equal(rows.length, expected.length);
      rows.forEach((row, index) => assert.deepEqual(row, { kind: 'row', ...expected[index] }, `row ${index}`));
      assert.equal(progressCalls, Math.ceil(fs.statSync(file).size / 65536), 'one progress call per 64 KiB chunk');
      assert.deepEqual(lastProgress, { bytesRead: fs.statSync(file).size, totalBytes: fs.statSync(file).size });
    });

    it('TSV and JSONL with CRLF line ends and a BOM: line breaks and the BOM are not part of the values', async () => {
      const tsv = path.join(dir, 'windows.tsv');
      fs.writeFileSync(tsv, '\uFEFFsentence\tlabel\r\ngood film \t1\r\n\r\nbad film \t0\r\n');
      assert.deepEqual(await allRows(await inspectDataset(tsv)), [
        { kind: 'row', line: 2, text: 'good film', label: '1' },
        { kind: 'row', line: 4, text: 'bad film', label: '0' },
      ]);
      const jsonl = path.join(dir, 'windows.jsonl');
      fs.writeFileSync(jsonl, '\uFEFF{"text": "fine", "label": "positive"}\r\n{"text": "awful", "label": "negative"}\r\n');
      assert.deepEqual((await allRows(await inspectDataset(jsonl))).map((row) => row.line), [1, 2]);
    });

    it('stops with the abort reason when cancelled mid-file', async () => {
      const file = path.join(dir, 'cancel.tsv');
      fs.writeFileSync(file, 'sentence\tlabel\n' + 'some words here\t1\n'.repeat(200000));
      const controller = new AbortController();
      let rows = 0;
      await assert.rejects(
        (async () => {
          for await (const _row of readRows(await inspectDataset(file), { signal: controller.signal })) if (++rows === 1000) controller.abort(new Error('stop now'));
        })(),
        /stop now/,
      );
      assert.ok(rows < 200000);
    });
  });

  it('pages of rows of one label, with their lines, for previews', async () => {
    const schema = await inspectDataset(fixture('reviews.csv'));
    const page = await previewRows(schema, { label: 'negative', offset: 1, limit: 5 });
    assert.deepEqual(page.map((row) => row.line), [8, 9]);
  });

  it('SST-2 dev from the shared datasets: 872 rows, 428 negative and 444 positive', async function () {
    const schema = await inspectDataset(datasetOrSkip(this, 'sst2/dev.tsv'));
    const summary = await summarizeDataset(schema);
    assert.equal(summary.total, 872);
    assert.equal(summary.usable, 872);
    assert.deepEqual([...summary.labelCounts], [['1', 444], ['0', 428]]);
  });

  it('AG News test.csv from the shared datasets: no header, class 1-4 as label, title + description as text, 7,600 rows', async function () {
    const schema = await inspectDataset(datasetOrSkip(this, 'ag_news/test.csv'));
    assert.deepEqual([schema.format, schema.hasHeader, schema.labelColumn, schema.textColumns], ['csv', false, '1', ['2', '3']]);
    const mapping = createLabelMapping(['World', 'Sports', 'Business', 'Sci/Tech'], schema.sampleLabels);
    assert.equal(mapping.mode, 'one-based index');
    const first = await previewRows(schema, { limit: 1 });
    assert.deepEqual(first[0], {
      kind: 'row',
      line: 1,
      label: '3',
      text: "Fears for T N pension after talks Unions representing workers at Turner   Newall say they are 'disappointed' after talks with stricken parent firm Federal Mogul.",
    });
    const summary = await summarizeDataset(schema);
    assert.deepEqual([summary.total, summary.usable, [...summary.labelCounts.values()]], [7600, 7600, [1900, 1900, 1900, 1900]]);
  });

  it('SMS Spam from the shared datasets: headerless label<TAB>text, 5,574 rows, 4,827 ham and 747 spam', async function () {
    const schema = await inspectDataset(datasetOrSkip(this, 'sms_spam/SMSSpamCollection'));
    assert.deepEqual([schema.format, schema.hasHeader, schema.labelColumn, schema.textColumns], ['tsv', false, '1', ['2']]);
    const summary = await summarizeDataset(schema);
    assert.deepEqual([summary.total, [...summary.labelCounts]], [5574, [['ham', 4827], ['spam', 747]]]);
  });
});

describe('datasets: label mapping', () => {
  const sentiment = ['negative', 'positive'];
  const news = ['World', 'Sports', 'Business', 'Sci/Tech'];
  const counts = (entries: [string, number][]) => new Map(entries);

  it('by name, case-insensitively', () => {
    const mapping = createLabelMapping(sentiment, counts([['Positive', 5], ['NEGATIVE', 4]]));
    assert.equal(mapping.mode, 'name');
    assert.deepEqual(['positive', 'Negative', 'neutral'].map(mapping.resolve), [1, 0, undefined]);
  });

  it('by zero-based index (SST-2 0/1) and one-based index (AG News 1-4 onto four labels)', () => {
    const sst2 = createLabelMapping(sentiment, counts([['0', 3], ['1', 4]]));
    assert.deepEqual([sst2.mode, sst2.resolve('0'), sst2.resolve('1'), sst2.resolve('2')], ['zero-based index', 0, 1, undefined]);
    const agNews = createLabelMapping(news, counts([['3', 1], ['4', 2], ['1', 1], ['2', 1]]));
    assert.deepEqual([agNews.mode, ...['1', '2', '3', '4', '0', '5'].map(agNews.resolve)], ['one-based index', 0, 1, 2, 3, undefined, undefined]);
    assert.equal(createLabelMapping(sentiment, counts([['1', 9]])).resolve('1'), 1, 'only "1" seen: still zero-based');
  });

  it('through an explicit mapping, whose targets must be model labels', () => {
    const mapping = createLabelMapping(sentiment, counts([['ham', 3], ['spam', 1]]), parseLabelMap('ham=positive, spam=Negative'));
    assert.deepEqual([mapping.mode, mapping.resolve('ham'), mapping.resolve('SPAM')], ['explicit', 1, 0]);
    assert.throws(() => createLabelMapping(sentiment, counts([['ham', 1]]), { ham: 'good' }), /"good" is not a model label; the model's labels are: negative, positive/);
  });

  it('fails, listing both label sets, when most rows have labels the model does not know; a few such labels are left to be skipped', () => {
    assert.throws(
      () => createLabelMapping(sentiment, counts([['ham', 48], ['spam', 7]])),
      (error: Error) => error instanceof LabelMappingError && /Dataset labels: ham \(48\), spam \(7\); the model's labels are: negative, positive/.test(error.message),
    );
    const few = createLabelMapping(sentiment, counts([['positive', 40], ['negative', 40], ['neutral', 20]]));
    assert.equal(few.resolve('neutral'), undefined);
  });

  it('parses gold=model pairs and JSON files, and rejects anything else clearly', () => {
    assert.deepEqual(parseLabelMap('0=negative,1=positive'), { '0': 'negative', '1': 'positive' });
    const file = path.join(os.tmpdir(), `textclf-map-${process.pid}.json`);
    fs.writeFileSync(file, '{"ham": "positive", "spam": "negative"}');
    try {
      assert.deepEqual(parseLabelMap(file), { ham: 'positive', spam: 'negative' });
    } finally {
      fs.rmSync(file);
    }
    assert.throws(() => parseLabelMap('ham'), /"ham" is not of the form gold=model/);
  });
});
