// The JavaScript fast path of the BERT tokenizer gives exactly the native `tokenizers` binding's ids on
// every text it takes, and hands every other text back to the binding.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { Tokenizer } from 'tokenizers';
import { TextTokenizer } from '../../src/engine/tokenize';
import { AsciiWordPiece } from '../../src/engine/wordpiece';
import { bundledModel, datasetOrSkip } from '../support/paths';

const models = ['sentiment-sst2', 'news-topic'] as const;

function tokenizerJson(model: string) {
  return JSON.parse(fs.readFileSync(path.join(bundledModel(model as 'news-topic'), 'tokenizer.json'), 'utf8'));
}

function binding(model: string): Tokenizer {
  const tokenizer = Tokenizer.fromFile(path.join(bundledModel(model as 'news-topic'), 'tokenizer.json'));
  tokenizer.disableTruncation();
  tokenizer.disablePadding();
  return tokenizer;
}

/** Compares the fast path with the binding on every text; returns how many the fast path took. */
async function compare(model: string, texts: string[]): Promise<number> {
  const fast = AsciiWordPiece.fromJson(tokenizerJson(model));
  assert.ok(fast, `${model}: its tokenizer.json is the standard BERT pipeline, so the fast path must apply`);
  const expected = (await binding(model).encodeBatch(texts)).map((encoding) => encoding.getIds());
  let taken = 0;
  texts.forEach((text, i) => {
    const ids = fast.encode(text);
    if (ids === undefined) return;
    taken++;
    assert.deepEqual(ids, expected[i], `${model}: ids differ for ${JSON.stringify(text)}`);
  });
  return taken;
}

describe('tokenizer fast path (wordpiece.ts)', function () {
  this.timeout(120_000);

  const edgeCases = [
    '', '   ', 'Hello, WORLD!!', "don't stop -- it's 100% (really) great...", 'tab\there\nnewline\r\nend',
    'qwzxvkj zzzzqqqq', 'a'.repeat(101), 'b'.repeat(100), 'x'.repeat(300) + ' tail', 'snake_case and kebab-case and a~b|c',
    '{"json": [1, 2.5]}', 'email@example.com http://example.com/a?b=c#d', 'UPPER lower MiXeD', '$$$ ### @@@ ```',
  ];
  const fallBack = ['café au lait', 'naïve — “quoted”', 'emoji 🙂 here', 'bell\x07char', 'nul\x00char', 'use [MASK] here',
    'a [cls] token', 'text with [SEP] inside', 'no\x0bvertical tab', 'form\x0cfeed'];

  for (const model of models) {
    it(`${model}: equals the binding on edge cases, and hands non-ASCII, control characters and added tokens back`, async () => {
      assert.equal(await compare(model, edgeCases), edgeCases.length);
      const fast = AsciiWordPiece.fromJson(tokenizerJson(model))!;
      for (const text of fallBack) assert.equal(fast.encode(text), undefined, `fast path took ${JSON.stringify(text)}`);
    });
  }

  it('equals the binding on every SST-2 sentence and phrase (train and dev)', async function () {
    const texts = ['sst2/train.tsv', 'sst2/dev.tsv'].flatMap((file) =>
      fs.readFileSync(datasetOrSkip(this, file), 'utf8').split('\n').slice(1).filter(Boolean).map((line) => line.split('\t')[0]));
    for (const model of models) {
      const taken = await compare(model, texts);
      assert.ok(taken > 0.99 * texts.length, `${model}: fast path took only ${taken} of ${texts.length}`);
    }
  });

  it('equals the binding on every AG News text and SMS message', async function () {
    const news = (parse(fs.readFileSync(datasetOrSkip(this, 'ag_news/test.csv'), 'utf8')) as string[][]).map((row) => `${row[1]} ${row[2]}`);
    const sms = fs.readFileSync(datasetOrSkip(this, 'sms_spam/SMSSpamCollection'), 'utf8').split('\n').filter(Boolean).map((line) => line.split('\t')[1]);
    for (const model of models) {
      const taken = await compare(model, [...news, ...sms]);
      assert.ok(taken > 0.9 * (news.length + sms.length), `${model}: fast path took only ${taken} of ${news.length + sms.length}`);
    }
  });

  it('is not used for a tokenizer.json that is not the standard BERT pipeline', () => {
    const json = tokenizerJson('sentiment-sst2');
    assert.ok(AsciiWordPiece.fromJson(json));
    assert.equal(AsciiWordPiece.fromJson({ ...json, pre_tokenizer: { type: 'Whitespace' } }), undefined);
    assert.equal(AsciiWordPiece.fromJson({ ...json, normalizer: { type: 'Lowercase' } }), undefined);
    assert.equal(AsciiWordPiece.fromJson({ ...json, model: { ...json.model, type: 'BPE' } }), undefined);
    assert.equal(AsciiWordPiece.fromJson({ ...json, post_processor: null }), undefined);
  });

  it('keeps the case when the normalizer does not lowercase (a cased model)', async () => {
    const json = tokenizerJson('sentiment-sst2');
    const cased = { ...json, normalizer: { ...json.normalizer, lowercase: false } };
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-cased-')), 'tokenizer.json');
    fs.writeFileSync(file, JSON.stringify(cased));
    const tokenizer = Tokenizer.fromFile(file);
    const texts = ['The Movie was GREAT', 'great movie', 'A Bad Film'];
    const expected = (await tokenizer.encodeBatch(texts)).map((encoding) => encoding.getIds());
    const fast = AsciiWordPiece.fromJson(cased)!;
    texts.forEach((text, i) => assert.deepEqual(fast.encode(text), expected[i]));
    assert.notDeepEqual(fast.encode('GREAT'), fast.encode('great'));
  });

  it('TextTokenizer gives the same windows whichever path a text takes, long texts included', async () => {
    const file = path.join(bundledModel('sentiment-sst2'), 'tokenizer.json');
    const tokenizer = new TextTokenizer(file, 16, 4);
    const texts = ['a short one', 'café is nice', 'word '.repeat(40).trim(), 'use [MASK] here'];
    const encoded = await tokenizer.encodeBatch(texts);
    const expected = (await binding('sentiment-sst2').encodeBatch(texts)).map((encoding) => encoding.getIds());
    assert.deepEqual(encoded[0].windows, [{ ids: expected[0], start: 0, end: texts[0].length }]);
    assert.deepEqual(encoded[1].windows[0].ids, expected[1]);
    assert.equal(encoded[2].tokens, 42);
    assert.ok(encoded[2].windows.length > 1 && encoded[2].windows.every((w) => w.ids.length <= 16));
    assert.deepEqual(encoded[3].windows[0].ids, expected[3]);
    for (const [i, text] of texts.entries()) assert.deepEqual(await tokenizer.encode(text), encoded[i]);
  });
});
