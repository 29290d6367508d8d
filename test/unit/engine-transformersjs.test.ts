// Correctness against an independent implementation: Transformers.js (its own tokenizer and
// pre/post-processing) on the same model folder must give the same label and, within 1e-4, the same
// scores as this engine, on real SST-2 sentences.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Engine } from '../../src/engine/engine';
import { bundledModel, datasetOrSkip } from '../support/paths';

const model = bundledModel('sentiment-sst2');

describe('engine agrees with Transformers.js', function () {
  it('on 200 SST-2 dev sentences: same labels, scores within 1e-4', async function () {
    const file = datasetOrSkip(this, 'sst2/dev.tsv');
    const sentences = fs.readFileSync(file, 'utf8').split(/\r?\n/).slice(1, 201).map((line) => line.split('\t')[0]);
    assert.equal(sentences.length, 200);

    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when this comparison runs: Transformers.js is large
    const { pipeline, env } = require('@huggingface/transformers');
    env.allowRemoteModels = false;
    env.localModelPath = path.dirname(model);
    const reference = await pipeline('text-classification', path.basename(model), { dtype: 'fp32' });
    const theirs: { label: string; score: number }[][] = await reference(sentences, { top_k: null });
    await reference.dispose();

    const engine = await Engine.load(model, { executionProviders: ['cpu'], preferQuantized: false });
    try {
      const ours = await engine.classify(sentences);
      let largest = 0;
      sentences.forEach((sentence, i) => {
        assert.equal(ours[i].labels[0].label, theirs[i][0].label, `"${sentence}"`);
        for (const { label, score } of theirs[i]) {
          const difference = Math.abs(ours[i].labels.find((l) => l.label === label)!.score - score);
          largest = Math.max(largest, difference);
        }
      });
      assert.ok(largest <= 1e-4, `largest score difference ${largest}`);
    } finally {
      await engine.dispose();
    }
  });
});
