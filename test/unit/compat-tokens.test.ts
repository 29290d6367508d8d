// Every family's tokenizer (scripts/compat model directories) gives the engine the same ids as
// Transformers.js's tokenizer: on SST-2 dev, on AG News and on the multilingual list, with the ASCII
// fast path wherever it engages (only for the standard BERT pipeline); padded batches carry the
// tokenizer's pad id; long texts are cut into windows that each carry the family's own special tokens,
// no longer than max_position_embeddings (less 2 for RoBERTa) or model_max_length allow, and cover
// every token (nothing silently truncated).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { readBundle } from '../../src/engine/bundle';
import { Engine } from '../../src/engine/engine';
import { paddedFeeds } from '../../src/engine/feeds';
import { TextTokenizer } from '../../src/engine/tokenize';
import { AsciiWordPiece } from '../../src/engine/wordpiece';
import { COMPAT_FAMILIES as FAMILIES, compatModelsOrSkip, compatTexts } from '../support/compatModels';
import { datasetOrSkip } from '../support/paths';

const STANDARD_BERT_PIPELINE = new Set(['bert', 'bert-cased', 'bert-chinese', 'distilbert', 'electra', 'minilm']);

interface TransformersJsTokenizer {
  encode(text: string): number[];
  (texts: string[], options: { padding: boolean }): { input_ids: { data: BigInt64Array; dims: number[] }; attention_mask: { data: BigInt64Array } };
}

async function transformersJsTokenizer(dir: string): Promise<TransformersJsTokenizer> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when this comparison runs: Transformers.js is large
  const { AutoTokenizer, env } = require('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.localModelPath = path.dirname(dir) + path.sep;
  return AutoTokenizer.from_pretrained(path.basename(dir));
}

describe('compat: token ids, padding and windows per family', function () {
  this.timeout(120_000);
  let root: string;
  before(function () {
    this.timeout(180_000);
    root = compatModelsOrSkip(this);
  });

  async function sameIds(family: string, texts: string[]): Promise<void> {
    const dir = path.join(root, family);
    const ours = new TextTokenizer(path.join(dir, 'tokenizer.json'), 1_000_000, 0);
    const theirs = await transformersJsTokenizer(dir);
    const encoded = await ours.encodeBatch(texts);
    texts.forEach((text, i) => assert.deepEqual(encoded[i].windows[0].ids, theirs.encode(text), `${family}: ${JSON.stringify(text)}`));
  }

  for (const family of FAMILIES) {
    it(`token ids ${family}: multilingual list = Transformers.js`, async () => sameIds(family, compatTexts));
    it(`token ids ${family}: SST-2 dev and AG News = Transformers.js`, async function () {
      const sst2 = fs.readFileSync(datasetOrSkip(this, 'sst2/dev.tsv'), 'utf8').split(/\r?\n/).slice(1).filter(Boolean).map((line) => line.split('\t')[0]);
      const news = (parse(fs.readFileSync(datasetOrSkip(this, 'ag_news/test.csv'), 'utf8')) as string[][]).slice(0, 1000).map((row) => `${row[1]} ${row[2]}`);
      await sameIds(family, [...sst2, ...news]);
    });
  }

  it('the ASCII fast path engages only for the standard BERT pipeline', () => {
    for (const family of FAMILIES) {
      const json = JSON.parse(fs.readFileSync(path.join(root, family, 'tokenizer.json'), 'utf8'));
      assert.equal(AsciiWordPiece.fromJson(json) !== undefined, STANDARD_BERT_PIPELINE.has(family), family);
    }
  });

  it("padded batches: input_ids and attention_mask = Transformers.js's padded batch (each family's pad id)", async () => {
    const texts = compatTexts.slice(0, 20);
    for (const family of FAMILIES) {
      const dir = path.join(root, family);
      const bundle = readBundle(dir);
      const ids = (await new TextTokenizer(bundle.tokenizerFile, 1_000_000, 0).encodeBatch(texts)).map((encoded) => encoded.windows[0].ids);
      const ours = paddedFeeds(ids, ['input_ids', 'attention_mask'], { padId: bundle.padId, positions: bundle.positions });
      const theirs = (await transformersJsTokenizer(dir))(texts, { padding: true });
      assert.deepEqual(ours.input_ids.dims, theirs.input_ids.dims, family);
      assert.deepEqual(Array.from(ours.input_ids.data), Array.from(theirs.input_ids.data), `${family} input_ids (pad id ${bundle.padId})`);
      assert.deepEqual(Array.from(ours.attention_mask.data), Array.from(theirs.attention_mask.data), `${family} attention_mask`);
    }
  });

  /** The special tokens around one sequence in each family's post-processor. */
  const specialTokens = (family: string): [string, string] => (['roberta', 'xlm-roberta'].includes(family) ? ['<s>', '</s>'] : ['[CLS]', '[SEP]']);

  /** Windows of `window` tokens over the whole multilingual list: each starts and ends with the family's special tokens and, less the overlaps, they are the whole text. */
  async function checkWindows(tokenizerFile: string, family: string, window: number, stride: number) {
    const addedTokens = JSON.parse(fs.readFileSync(tokenizerFile, 'utf8')).added_tokens as { id: number; content: string }[];
    const [cls, sep] = specialTokens(family).map((token) => addedTokens.find((t) => t.content === token)!.id);
    const long = compatTexts.join(' ');
    const encoded = await new TextTokenizer(tokenizerFile, window, stride).encode(long);
    const whole = (await new TextTokenizer(tokenizerFile, 1_000_000, 0).encode(long)).windows[0].ids;
    assert.ok(encoded.windows.length > 10, `${family}: ${encoded.windows.length} windows`);
    const content: number[] = [];
    encoded.windows.forEach((w, i) => {
      assert.ok(w.ids.length <= window);
      assert.equal(w.ids[0], cls, `${family} window ${i} starts with ${specialTokens(family)[0]}`);
      assert.equal(w.ids.at(-1), sep, `${family} window ${i} ends with ${specialTokens(family)[1]}`);
      content.push(...w.ids.slice(i === 0 ? 1 : 1 + stride, -1));
    });
    assert.deepEqual(content, whole.slice(1, -1), `${family}: the windows, less their overlaps, are the whole text`);
    return { encoded, whole, long };
  }

  it("windows of every family carry the family's special tokens and cover every token", async () => {
    for (const family of FAMILIES) await checkWindows(path.join(root, family, 'tokenizer.json'), family, 24, 4);
  });

  for (const [name, family, window] of [
    ['roberta-window', 'roberta', 32], // max_position_embeddings 34, less RoBERTa's 2
    ['bert-window', 'bert', 24], // tokenizer_config.json model_max_length 24 (max_position_embeddings 512)
  ] as const) {
    it(`windows ${name}: the window is ${window} tokens, and the engine scores a long text over all its windows`, async () => {
      const dir = path.join(root, name);
      const bundle = readBundle(dir);
      assert.equal(bundle.maxTokens, window);
      const stride = 4;
      const { encoded, whole, long } = await checkWindows(bundle.tokenizerFile, family, window, stride);
      const engine = await Engine.load(dir, { executionProviders: ['cpu'], threads: 1, cacheSize: 0, windowStride: stride });
      try {
        const [result] = await engine.classify([long]);
        assert.equal(result.windows, encoded.windows.length);
        assert.equal(result.tokens, whole.length);
        assert.ok(Math.abs(result.labels.reduce((sum, l) => sum + l.score, 0) - 1) < 1e-5);
      } finally {
        await engine.dispose();
      }
    });
  }

  it('window length per family: max_position_embeddings (less 2 for RoBERTa and XLM-R) and model_max_length', () => {
    const expected: Record<string, number> = { roberta: 512, 'xlm-roberta': 512, modernbert: 8192 };
    for (const family of FAMILIES) assert.equal(readBundle(path.join(root, family)).maxTokens, expected[family] ?? 512, family);
  });
});
