// Fuzz: the JavaScript fast path of the BERT tokenizer (wordpiece.ts) against the native `tokenizers`
// binding on random strings. Where the fast path takes a text its ids equal the binding's; where it
// hands the text back (undefined), the binding is used, so nothing is lost either way.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { Tokenizer } from 'tokenizers';
import { AsciiWordPiece } from '../../src/engine/wordpiece';
import { bundledModel } from '../support/paths';
import { fuzzParameters, fuzzTimeout, trickyText } from './fuzz-support';

const runs = 300;

describe('fuzz: tokenizer fast path equals the binding', function () {
  this.timeout(fuzzTimeout(runs * 2, 5));
  for (const model of ['sentiment-sst2', 'news-topic'] as const) {
    it(`${model}: on random ASCII-heavy and Unicode strings`, async () => {
      const file = path.join(bundledModel(model), 'tokenizer.json');
      const fast = AsciiWordPiece.fromJson(JSON.parse(fs.readFileSync(file, 'utf8')));
      assert.ok(fast, 'the bundled tokenizer is the standard BERT pipeline');
      const binding = Tokenizer.fromFile(file);
      binding.disableTruncation();
      binding.disablePadding();
      let taken = 0;
      const texts = fc.oneof(
        fc.string({ unit: 'grapheme-ascii', maxLength: 120 }),
        trickyText(160),
        fc.string({ unit: 'binary', maxLength: 60 }),
        fc.array(fc.constantFrom('the', 'film', "isn't", 'GREAT', 'unbelievably', '##ing', '[CLS]', '[SEP]', '[UNK]', '[MASK]', 'don’t', '3.14', 'e-mail', '...', '$', ' ', '  ', '\t', '\n'), { maxLength: 30 }).map((words) => words.join(' ')),
      );
      await fc.assert(
        fc.asyncProperty(texts, async (text) => {
          const ids = fast.encode(text);
          if (ids === undefined) return;
          taken++;
          const expected = (await binding.encode(text)).getIds();
          assert.deepEqual(ids, expected, `ids differ for ${JSON.stringify(text)}`);
        }),
        fuzzParameters(runs),
      );
      assert.ok(taken > 0, 'the fast path took some of the texts');
    });
  }
});
