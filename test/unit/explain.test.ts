// Explanations by occlusion (src/engine/explain.ts) with the real bundled models and tokenizer, in
// process and through the real worker process.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Tokenizer } from 'tokenizers';
import { ClassifierClient, WorkerRestartedError } from '../../src/classifier/client';
import { Engine } from '../../src/engine/engine';
import { contributionsTo, topContributions, type Explanation } from '../../src/classifier/explanation';
import { explainTexts, MAX_WORD_GROUPS, type ExplainContext } from '../../src/engine/explain';
import { bundledModel, repoRoot } from '../support/paths';

const sentiment = bundledModel('sentiment-sst2');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS script outside the compiled tree, loaded by its path
const { classifierModel } = require(path.join(repoRoot, 'scripts', 'bench', 'onnx-graph.cjs'));
const workerScript = path.join(repoRoot, 'dist', 'worker.js');

function contribution(explanation: Explanation, word: string, label: string): number {
  const found = contributionsTo(explanation, label).find((w) => w.word === word);
  assert.ok(found, `no word "${word}" in ${explanation.words.map((w) => w.word).join('|')}`);
  return found.contribution;
}

function score(classification: { labels: { label: string; score: number }[] }, label: string): number {
  return classification.labels.find((l) => l.label === label)!.score;
}

describe('explain (occlusion)', function () {
  this.timeout(120_000);
  let engine: Engine;
  before(async () => {
    engine = await Engine.load(sentiment, { executionProviders: ['cpu'] });
  });
  after(() => engine?.dispose());

  it('finds the word that carries the sentiment, with offsets that slice back to each word', async () => {
    const text = 'a wonderful, moving film';
    const [explanation] = await engine.explain([text]);
    assert.equal(explanation.labels[0].label, 'positive');
    assert.deepEqual(explanation.labelOrder, ['negative', 'positive']);
    assert.deepEqual(explanation.words.map((w) => w.word), ['a', 'wonderful', ',', 'moving', 'film']);
    for (const w of explanation.words) assert.equal(text.slice(w.start, w.end), w.word);
    assert.equal(explanation.wordsPerGroup, 1);
    assert.ok(contribution(explanation, 'wonderful', 'positive') > contribution(explanation, 'a', 'positive'));
    assert.equal(topContributions(explanation, 1).raised[0].word, 'wonderful');
    // Two labels of a softmax: what raises one lowers the other by as much.
    for (const w of explanation.words) assert.ok(Math.abs(w.contributions[0] + w.contributions[1]) < 1e-5);
  });

  it("contributions equal the score drop of the text with the word's characters taken out", async () => {
    const text = 'The plot was dull, but the acting was brilliant.';
    const [explanation] = await engine.explain([text]);
    for (const word of ['dull', 'brilliant', 'plot']) {
      const w = explanation.words.find((candidate) => candidate.word === word)!;
      const [without] = await engine.classify([text.slice(0, w.start) + text.slice(w.end)]);
      const expected = score(explanation, 'positive') - score(without, 'positive');
      assert.ok(Math.abs(contribution(explanation, word, 'positive') - expected) < 1e-4, `${word}: ${contribution(explanation, word, 'positive')} vs ${expected}`);
    }
    assert.ok(contribution(explanation, 'dull', 'negative') > 0);
    assert.ok(contribution(explanation, 'brilliant', 'positive') > 0);
  });

  it("keeps classify's labels, windows and tokens for every text, long ones included", async () => {
    const texts = ['a boring mess', '', 'Great film!', 'the acting was fine but the plot dragged on. '.repeat(60)];
    const explanations = await engine.explain(texts);
    const classified = await engine.classify(texts);
    explanations.forEach((explanation, i) => {
      const { labels, windows, tokens } = explanation;
      assert.deepEqual({ labels, windows, tokens }, classified[i], `text ${i}`);
    });
    assert.deepEqual(explanations[1].words, []);
  });

  it('maps words with accents and emoji back to their UTF-16 offsets', async () => {
    const text = '😀 Café naïve — the 🎬 film was terrible… 日本 ok';
    const [explanation] = await engine.explain([text]);
    for (const w of explanation.words) assert.equal(text.slice(w.start, w.end), w.word);
    const words = explanation.words.map((w) => w.word);
    for (const expected of ['😀', 'Café', 'naïve', '—', '🎬', 'terrible', '…', '日', '本', 'ok']) assert.ok(words.includes(expected), `${expected} in ${words.join('|')}`);
    assert.equal(explanation.labels[0].label, 'negative');
    assert.ok(contribution(explanation, 'terrible', 'negative') > 0);
  });

  it('groups the words of a long text (several windows) so that at most MAX_WORD_GROUPS are occluded', async () => {
    // Mixed praise and blame, so that the score is not saturated and one group visibly moves it.
    const sentences = ['The first act is a joy to watch, warm and funny.', 'The middle drags a little.', 'The ending is moving and earned.', 'Some scenes are dull.'];
    const text = Array.from({ length: 60 }, (_, i) => sentences[i % 4]).join(' ');
    const [explanation] = await engine.explain([text]);
    assert.ok(explanation.windows >= 4, `${explanation.windows} windows`);
    assert.ok(explanation.words.length <= MAX_WORD_GROUPS && explanation.words.length > MAX_WORD_GROUPS / 2, `${explanation.words.length} groups`);
    assert.ok(explanation.wordsPerGroup > 1);
    let previousEnd = 0;
    for (const group of explanation.words) {
      assert.equal(text.slice(group.start, group.end), group.word);
      assert.ok(group.start >= previousEnd, 'groups are in text order and do not overlap');
      previousEnd = group.end;
    }
    assert.ok(explanation.words.every((w) => w.contributions.every(Number.isFinite)));
    // A group in the middle changes only its windows; its contribution is still a real score change.
    assert.ok(explanation.words.some((w) => Math.abs(w.contributions[0]) > 1e-2));
  });

  /** The engine's own explain context, counting the sequences it scores and the runs they take. */
  function countingContext(counts: { sequences: number; runs: number }): ExplainContext {
    const context = (engine as unknown as { explainContext(): ExplainContext }).explainContext();
    return {
      ...context,
      scoreSequences: (nextChunk, onScored, afterRun, signal) =>
        context.scoreSequences(
          () => nextChunk()?.then((chunk) => ((counts.sequences += chunk.length), chunk)),
          onScored,
          () => (counts.runs++, afterRun()),
          signal,
        ),
    };
  }

  it('scores all variants of a text in a few batched runs, and bounds the sequences of a long text by its word groups', async () => {
    const paragraph = 'The plot was dull and predictable, but the acting was brilliant and the score was lovely; I would watch it again for the leads alone.';
    const short = { sequences: 0, runs: 0 };
    const packed = await explainTexts([paragraph], countingContext(short));
    const words = packed.wordOffsets[1];
    assert.equal(short.sequences, words + 1, 'the text and one variant per word');
    assert.ok(short.runs <= 3, `${short.runs} runs for ${short.sequences} sequences`);

    const sentences = ['The first act is a joy to watch, warm and funny.', 'The middle drags a little.', 'The ending is moving and earned.', 'Some scenes are dull.'];
    const long = Array.from({ length: 250 }, (_, i) => sentences[i % 4]).join(' ');
    const counts = { sequences: 0, runs: 0 };
    const explained = await explainTexts([long], countingContext(counts));
    const windows = explained.results.windows[0];
    const groups = explained.wordOffsets[1];
    assert.ok(windows > 15 && groups <= MAX_WORD_GROUPS && explained.wordsPerGroup[0] > 5, `${windows} windows, ${groups} groups of ${explained.wordsPerGroup[0]}`);
    // Each group is rescored only in the windows that hold it: one or two here (groups are shorter than the windows' overlap).
    assert.ok(counts.sequences >= windows + groups && counts.sequences <= windows + 2 * groups, `${counts.sequences} sequences`);
    assert.ok(counts.runs <= Math.ceil(counts.sequences / 8), `${counts.runs} runs for ${counts.sequences} sequences`);
  });

  it('explains with the topic model (four labels), a contribution per label', async () => {
    const topics = await Engine.load(bundledModel('news-topic'), { executionProviders: ['cpu'] });
    try {
      const [explanation] = await topics.explain(['The striker scored twice as the home team won the championship final.']);
      assert.equal(explanation.labelOrder.length, topics.model.labels.length);
      for (const w of explanation.words) assert.equal(w.contributions.length, explanation.labelOrder.length);
      const top = explanation.labels[0].label;
      assert.ok(topContributions(explanation, 3, top).raised.length > 0);
    } finally {
      await topics.dispose();
    }
  });

  it('multi-label, long text: a word changes only its own window, and each label is the maximum over windows again', async () => {
    // A synthetic graph whose logits are mean(input_ids) * weight per label, so every score is known.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-explain-'));
    try {
      fs.copyFileSync(path.join(sentiment, 'tokenizer.json'), path.join(dir, 'tokenizer.json'));
      fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ model_type: 'bert', max_position_embeddings: 64, problem_type: 'multi_label_classification', id2label: { 0: 'a', 1: 'b' } }));
      const weights = [0.001, -0.001];
      fs.writeFileSync(path.join(dir, 'model.onnx'), classifierModel({ width: 2, weights, bias: [0, 0], inputs: ['attention_mask', 'token_type_ids'] }));
      const synthetic = await Engine.load(dir, { executionProviders: ['cpu'], windowStride: 0 });
      try {
        const tokenizer = Tokenizer.fromFile(path.join(sentiment, 'tokenizer.json'));
        const meanId = async (text: string) => {
          const ids = (await tokenizer.encode(text)).getIds();
          return ids.reduce((sum, id) => sum + id, 0) / ids.length;
        };
        const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
        // Two windows of 62 words each (64 tokens with [CLS] and [SEP], stride 0).
        const [low, high] = ['the', 'wonderful'];
        const [explanation] = await synthetic.explain([`${low} `.repeat(62) + `${high} `.repeat(62)]);
        assert.equal(explanation.windows, 2);
        assert.equal(explanation.words.length, 124);
        const full = [await meanId(`${low} `.repeat(62)), await meanId(`${high} `.repeat(62))];
        const shortened = [await meanId(`${low} `.repeat(61)), await meanId(`${high} `.repeat(61))];
        weights.forEach((weight, label) => {
          const score = (means: number[]) => Math.max(...means.map((mean) => sigmoid(weight * mean)));
          for (const window of [0, 1]) {
            const without = full.map((mean, w) => (w === window ? shortened[w] : mean));
            const expected = score(full) - score(without);
            const word = explanation.words[window * 62 + 5];
            assert.ok(Math.abs(word.contributions[label] - expected) < 1e-5, `label ${label}, window ${window}: ${word.contributions[label]} vs ${expected}`);
          }
        });
        // Each label's maximum comes from one window; a word of the other window does not change it at all.
        assert.ok(explanation.words.some((w) => w.contributions.some((c) => c === 0)));
      } finally {
        await synthetic.dispose();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports progress and stops when the signal aborts', async () => {
    const texts = Array.from({ length: 200 }, (_, i) => `review ${i}: the acting was fine but the plot dragged on without any payoff`);
    const controller = new AbortController();
    const seen: number[] = [];
    await assert.rejects(
      engine.explain(texts, { signal: controller.signal, onProgress: (done) => (seen.push(done), done > 0 && controller.abort()) }),
      (error: Error) => error.name === 'AbortError',
    );
    assert.ok(seen.some((done) => done > 0 && done < texts.length), seen.join(','));
    const [after] = await engine.explain(['a boring mess']);
    assert.equal(after.labels[0].label, 'negative');
  });
});

describe('explain through the worker process', function () {
  this.timeout(120_000);
  before(function () {
    if (!fs.existsSync(workerScript)) throw new Error(`${workerScript} is missing: run "npm run build" first (npm test does)`);
  });
  let client: ClassifierClient;
  beforeEach(() => (client = new ClassifierClient({ workerScript, restartDelayMs: 50 })));
  afterEach(() => client.dispose());

  it('answers explain with what the in-process engine gives', async () => {
    await client.loadModel(sentiment, { executionProviders: ['cpu'] });
    const texts = ['a wonderful, moving film', 'Terrible, boring and stupid.'];
    const remote = await client.explain(texts);
    const engine = await Engine.load(sentiment, { executionProviders: ['cpu'] });
    try {
      const local = await engine.explain(texts);
      assert.deepEqual(remote.map((e) => e.words.map((w) => w.word)), local.map((e) => e.words.map((w) => w.word)));
      assert.deepEqual(remote.map((e) => e.labels), local.map((e) => e.labels));
      remote.forEach((e, i) => e.words.forEach((w, k) => assert.ok(Math.abs(w.contributions[1] - local[i].words[k].contributions[1]) < 1e-5)));
    } finally {
      await engine.dispose();
    }
    assert.deepEqual(await client.explain([]), []);
  });

  it('unpacks a large answer (more words than one unpack slice) text by text, each word sliced from its own text', async () => {
    await client.loadModel(sentiment);
    const texts = Array.from({ length: 700 }, (_, i) => `review ${i}: the acting was ${i % 2 ? 'superb' : 'dreadful'} but the plot dragged on and on without any real payoff`);
    const explanations = await client.explain(texts);
    assert.ok(explanations.reduce((total, e) => total + e.words.length, 0) > 10_000);
    explanations.forEach((explanation, i) => {
      assert.equal(explanation.words.length, 18, `text ${i}`);
      for (const w of explanation.words) assert.equal(texts[i].slice(w.start, w.end), w.word);
      const [word, label] = i % 2 ? ['superb', 'positive'] : ['dreadful', 'negative'];
      assert.ok(contribution(explanation, word, label) > 0, texts[i]);
    });
  });

  it('fails an explain in flight with WorkerRestartedError when the worker is killed, and explains again after the restart', async () => {
    await client.loadModel(sentiment, { threads: 1 });
    const texts = Array.from({ length: 400 }, (_, i) => `review ${i}: the acting was fine but the plot dragged on and on without any real payoff`);
    let killed = false;
    const pending = client.explain(texts, {
      onProgress: () => {
        if (killed) return;
        killed = true;
        process.kill(client.pid!, 'SIGKILL');
      },
    });
    await assert.rejects(pending, (error: Error) => {
      assert.ok(error instanceof WorkerRestartedError, String(error));
      assert.match(error.message, /killed by SIGKILL/);
      return true;
    });
    assert.ok(killed);
    const [after] = await client.explain(['a wonderful, moving film']);
    assert.equal(topContributions(after, 1).raised[0].word, 'wonderful');
  });

  it('cancels an explain through its AbortSignal', async () => {
    await client.loadModel(sentiment);
    const texts = Array.from({ length: 400 }, (_, i) => `review ${i}: the acting was fine but the plot dragged on and on`);
    const controller = new AbortController();
    await assert.rejects(client.explain(texts, { signal: controller.signal, onProgress: () => controller.abort() }), { name: 'RequestCancelledError' });
    assert.equal((await client.explain(['a boring mess']))[0].labels[0].label, 'negative');
  });
});
