// The in-process engine with the real bundled model: scores, batching, long texts, cache,
// execution-provider fallback, cancellation. Synthetic graphs (scripts/bench/onnx-graph.cjs) cover
// what the bundled single-label model cannot show: multi-label sigmoid and a single-logit model.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Tokenizer } from 'tokenizers';
import { Engine } from '../../src/engine/engine';
import { bundledModel, repoRoot } from '../support/paths';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS script outside the compiled tree, loaded by its path
const { classifierModel } = require(path.join(repoRoot, 'scripts', 'bench', 'onnx-graph.cjs'));

const model = bundledModel('sentiment-sst2');

const SENTENCES = [
  'a wonderful , moving and beautifully acted film .',
  'a boring , stupid mess with terrible acting .',
  'it is',
  'the movie is a brilliant , funny and heartfelt delight from start to finish',
  'an utterly tedious waste of time',
  'the plot is thin but the performances carry it',
  'I have never been so bored in a cinema',
  'one of the best films of the year',
  'meh',
  'the director\'s most ambitious work to date , and his most accomplished',
  'the jokes fall flat and the characters are annoying',
  'Ünïcödé 😀 text with emoji and accents: c\'est magnifique !',
];

/** A paragraph of several hundred tokens (far longer than the model's window). */
function longText(): string {
  return Array.from({ length: 40 }, (_, i) => `sentence number ${i} is a wonderful , moving and beautifully acted part of the story .`).join(' ');
}

describe('engine (bundled sentiment model)', function () {
  let engine: Engine;
  before(async () => {
    engine = await Engine.load(model, { executionProviders: ['cpu'] });
  });
  after(() => engine.dispose());

  it('gives every label a score; softmax scores sum to 1 and come sorted', async () => {
    const results = await engine.classify(SENTENCES);
    assert.equal(results.length, SENTENCES.length);
    for (const result of results) {
      assert.deepEqual(result.labels.map((l) => l.label).sort(), ['negative', 'positive']);
      const sum = result.labels.reduce((total, l) => total + l.score, 0);
      assert.ok(Math.abs(sum - 1) < 1e-6, `scores sum to ${sum}`);
      assert.ok(result.labels[0].score >= result.labels[1].score);
      assert.equal(result.windows, 1);
      assert.ok(result.tokens >= 3);
    }
  });

  it('labels obviously positive and negative sentences correctly', async () => {
    const [positive, negative, best, tedious] = await engine.classify([SENTENCES[0], SENTENCES[1], SENTENCES[7], SENTENCES[4]]);
    assert.equal(positive.labels[0].label, 'positive');
    assert.equal(negative.labels[0].label, 'negative');
    assert.equal(best.labels[0].label, 'positive');
    assert.equal(tedious.labels[0].label, 'negative');
  });

  it('topK keeps only the best labels', async () => {
    const [result] = await engine.classify([SENTENCES[0]], { topK: 1 });
    assert.equal(result.labels.length, 1);
    assert.equal(result.labels[0].label, 'positive');
  });

  it('batched, length-sorted classification gives the same scores as one text at a time', async () => {
    const unbatched = await Engine.load(model, { executionProviders: ['cpu'], batchSize: 1, cacheSize: 0 });
    const batched = await Engine.load(model, { executionProviders: ['cpu'], batchSize: 5, cacheSize: 0 });
    try {
      const texts = [...SENTENCES, longText()];
      const one = await Promise.all(texts.map(async (text) => (await unbatched.classify([text]))[0]));
      const many = await batched.classify(texts);
      texts.forEach((text, i) => {
        for (const { label, score } of one[i].labels) {
          const other = many[i].labels.find((l) => l.label === label)!.score;
          assert.ok(Math.abs(score - other) < 1e-5, `"${text.slice(0, 40)}" ${label}: ${score} vs ${other}`);
        }
        assert.equal(many[i].windows, one[i].windows);
        assert.equal(many[i].tokens, one[i].tokens);
      });
    } finally {
      await unbatched.dispose();
      await batched.dispose();
    }
  });

  it('a reload of the same graph with other batching takes the session over; other threads load their own', async () => {
    const first = await Engine.load(model, { executionProviders: ['cpu'], threads: 2, cacheSize: 0 });
    const expected = await first.classify(SENTENCES);
    const second = await Engine.load(model, { executionProviders: ['cpu'], threads: 2, batchSize: 3, cacheSize: 0 }, first);
    // The session object itself (private: nothing public tells one session from an equal one).
    const sessionOf = (engine: Engine): unknown => (engine as unknown as { loaded: unknown }).loaded;
    assert.equal(sessionOf(second), sessionOf(first));
    await first.dispose(); // leaves the session to `second`
    const scores = await second.classify(SENTENCES);
    scores.forEach((result, i) => assert.ok(Math.abs(result.labels[0].score - expected[i].labels[0].score) < 1e-5, SENTENCES[i]));
    const third = await Engine.load(model, { executionProviders: ['cpu'], threads: 1, cacheSize: 0 }, second);
    try {
      assert.equal(third.status().threads, 1);
      assert.notEqual(sessionOf(third), sessionOf(second));
      await second.dispose(); // still owns its session: released
      await assert.rejects(second.classify(['no session any more']));
      assert.equal((await third.classify(SENTENCES)).length, SENTENCES.length);
    } finally {
      await third.dispose();
    }
  });

  it('batches run side by side on lanes (one session per thread) give the scores of a single in-thread session', async () => {
    const single = await Engine.load(model, { executionProviders: ['cpu'], threads: 1, cacheSize: 0 });
    const lanes = await Engine.load(model, { executionProviders: ['cpu'], threads: 3, batchSize: 2, cacheSize: 0 });
    try {
      assert.equal(lanes.status().threads, 3);
      // 200 texts of every length, so that many small batches are in flight on every lane at once.
      const texts = Array.from({ length: 200 }, (_, i) => SENTENCES.slice(0, 1 + (i % SENTENCES.length)).join(' '));
      const [one, many] = await Promise.all([single.classify(texts), lanes.classify(texts)]);
      texts.forEach((text, i) => {
        for (const { label, score } of one[i].labels) {
          assert.ok(Math.abs(score - many[i].labels.find((l) => l.label === label)!.score) < 1e-6, `text ${i} ${label}`);
        }
      });
    } finally {
      await single.dispose();
      await lanes.dispose();
    }
  });

  it('splits a text longer than the window into overlapping windows and says how many tokens it used', async () => {
    const text = longText();
    const tokenizer = Tokenizer.fromFile(path.join(model, 'tokenizer.json'));
    const tokens = (await tokenizer.encode(text)).getLength();
    assert.ok(tokens > 512, `test text has only ${tokens} tokens`);
    const [result] = await engine.classify([text]);
    assert.equal(result.tokens, tokens);
    // Windows of maxTokens with [CLS] and [SEP]; consecutive windows share a quarter of a window (the default stride).
    const width = engine.model.maxTokens - 2;
    const stride = Math.floor(engine.model.maxTokens / 4);
    assert.equal(result.windows, Math.ceil((tokens - 2 - width) / (width - stride)) + 1);
    assert.ok(Math.abs(result.labels[0].score + result.labels[1].score - 1) < 1e-6);
    assert.equal(result.labels[0].label, 'positive');
  });

  it('a smaller window stride needs fewer windows', async () => {
    const noOverlap = await Engine.load(model, { executionProviders: ['cpu'], windowStride: 0 });
    try {
      const [withOverlap] = await engine.classify([longText()]);
      const [without] = await noOverlap.classify([longText()]);
      assert.equal(without.windows, Math.ceil((without.tokens - 2) / (engine.model.maxTokens - 2)));
      assert.ok(without.windows < withOverlap.windows);
    } finally {
      await noOverlap.dispose();
    }
    const half = engine.model.maxTokens / 2;
    await assert.rejects(Engine.load(model, { windowStride: half }), new RegExp(`windowStride must be an integer from 0 to ${Math.ceil(half) - 1}`));
  });

  it('answers a repeated text from the cache and runs only the changed ones', async () => {
    const cached = await Engine.load(model, { executionProviders: ['cpu'], cacheSize: 100 });
    try {
      const first = await cached.classify(SENTENCES);
      assert.deepEqual(cached.status().cache, { size: SENTENCES.length, capacity: 100, hits: 0, misses: SENTENCES.length });
      const changed = [...SENTENCES.slice(0, -1), 'a completely new sentence'];
      const second = await cached.classify(changed);
      assert.deepEqual(cached.status().cache, { size: SENTENCES.length + 1, capacity: 100, hits: SENTENCES.length - 1, misses: SENTENCES.length + 1 });
      assert.deepEqual(second.slice(0, -1), first.slice(0, -1));
    } finally {
      await cached.dispose();
    }
  });

  it('keeps the cache bounded, dropping the least recently used', async () => {
    const small = await Engine.load(model, { executionProviders: ['cpu'], cacheSize: 3 });
    try {
      await small.classify(['one', 'two', 'three']);
      await small.classify(['one']); // now 'two' is the least recently used
      await small.classify(['four']);
      assert.equal(small.status().cache.size, 3);
      const before = small.status().cache;
      await small.classify(['one', 'three', 'four', 'two']);
      const after = small.status().cache;
      assert.equal(after.hits - before.hits, 3);
      assert.equal(after.misses - before.misses, 1);
    } finally {
      await small.dispose();
    }
  });

  it('falls back from a provider that cannot load to the next, keeping the reason', async () => {
    const fallback = await Engine.load(model, { executionProviders: ['cuda', 'dml', 'cpu'], threads: 1 });
    try {
      const status = fallback.status();
      assert.equal(status.executionProvider, 'cpu');
      assert.equal(status.threads, 1);
      assert.deepEqual(status.providerFallbacks.map((f) => f.provider), ['cuda', 'dml']);
      assert.match(status.providerFallbacks[0].reason, /libonnxruntime_providers_cuda\.so is not installed/);
      assert.match(status.providerFallbacks[1].reason, /not available in onnxruntime-node on linux/);
      assert.equal((await fallback.classify([SENTENCES[0]]))[0].labels[0].label, 'positive');
    } finally {
      await fallback.dispose();
    }
    await assert.rejects(Engine.load(model, { executionProviders: ['cuda'] }), /no execution provider could run .*model\.onnx: cuda: CUDA provider library/);
  });

  it('auto uses the physical cores and says which provider runs', () => {
    const status = engine.status();
    assert.equal(status.executionProvider, 'cpu');
    assert.ok(status.threads >= 1 && status.threads <= os.cpus().length);
  });

  it('reports progress up to the total and stops when the signal aborts', async () => {
    const texts = Array.from({ length: 300 }, (_, i) => `${SENTENCES[i % SENTENCES.length]} (${i})`);
    const seen: number[] = [];
    await engine.classify(texts, { onProgress: (done, total) => (assert.equal(total, 300), seen.push(done)) });
    assert.deepEqual(seen, [...seen].sort((a, b) => a - b));
    assert.equal(seen.at(-1), 300);

    const controller = new AbortController();
    const more = texts.map((text) => `${text} again`);
    await assert.rejects(
      engine.classify(more, { signal: controller.signal, onProgress: (done) => done > 0 && controller.abort() }),
      (error: Error) => error.name === 'AbortError',
    );
    const aborted = new AbortController();
    aborted.abort();
    await assert.rejects(engine.classify(['x'], { signal: aborted.signal }), (error: Error) => error.name === 'AbortError');
  });

  it('disposing right after an abort, with runs still queued on the lanes, ends cleanly; the next engine works', async () => {
    const texts = Array.from({ length: 2000 }, (_, i) => `${SENTENCES[i % SENTENCES.length]} [${i}]`);
    for (let round = 0; round < 3; round++) {
      const own = await Engine.load(model, { cacheSize: 0 });
      const controller = new AbortController();
      await assert.rejects(
        own.classify(texts, { signal: controller.signal, onProgress: (done) => done > 0 && controller.abort() }),
        (error: Error) => error.name === 'AbortError',
      );
      await own.dispose();
    }
    const next = await Engine.load(model, { cacheSize: 0 });
    try {
      assert.equal((await next.classify([SENTENCES[0]]))[0].labels[0].label, 'positive');
    } finally {
      await next.dispose();
    }
  });

  it('in a program of its own, dispose of an idle engine returns and the program then ends by itself', () => {
    // Idle lanes do not keep the process alive; releasing them must, until they have answered.
    const script = `const { Engine } = require(${JSON.stringify(path.join(__dirname, '..', '..', 'src', 'engine', 'engine'))});
      Engine.load(${JSON.stringify(model)}, { cacheSize: 0 }).then(async (engine) => {
        await engine.classify(Array.from({ length: 2000 }, (_, i) => 'a fine film, number ' + i));
        await engine.dispose();
        console.log('disposed');
      });`;
    const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stdout.trim(), 'disposed');
  });

  it('runs raw int64 feeds and gives the logits behind the scores', async () => {
    const tokenizer = Tokenizer.fromFile(path.join(model, 'tokenizer.json'));
    const ids = (await tokenizer.encode(SENTENCES[0])).getIds();
    const feeds = {
      input_ids: { data: BigInt64Array.from(ids, BigInt), dims: [1, ids.length] },
      attention_mask: { data: new BigInt64Array(ids.length).fill(1n), dims: [1, ids.length] },
    };
    const { logits } = await engine.run(feeds);
    assert.deepEqual(logits.dims, [1, 2]);
    const [negative, positive] = logits.data;
    const [result] = await engine.classify([SENTENCES[0]]);
    const expected = 1 / (1 + Math.exp(negative - positive));
    assert.ok(Math.abs(result.labels.find((l) => l.label === 'positive')!.score - expected) < 1e-6);
    await assert.rejects(engine.run({ ...feeds, pixel_values: feeds.input_ids }), /unknown input "pixel_values"/);
  });

  it('classifies a document by unit with exact ranges', async () => {
    const text = 'A wonderful film.\n\nA boring , stupid mess with terrible acting .\n';
    const segments = await engine.classifyDocument(text, 'paragraph');
    assert.deepEqual(segments.map((s) => [s.start, s.end, s.text]), [[0, 17, 'A wonderful film.'], [19, 64, 'A boring , stupid mess with terrible acting .']]);
    assert.equal(segments[1].labels[0].label, 'negative');
  });
});

describe('engine score functions (synthetic graphs)', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

  /** A model dir with the bundled tokenizer and logits = mean(input_ids) * weights + bias. */
  function syntheticModel(config: object, graph: { width: number; weights: number[]; bias: number[] }): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-synthetic-'));
    dirs.push(dir);
    fs.copyFileSync(path.join(model, 'tokenizer.json'), path.join(dir, 'tokenizer.json'));
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ model_type: 'bert', max_position_embeddings: 64, ...config }));
    fs.writeFileSync(path.join(dir, 'model.onnx'), classifierModel({ ...graph, inputs: ['attention_mask', 'token_type_ids'] }));
    return dir;
  }

  async function meanId(text: string): Promise<number> {
    const ids = (await Tokenizer.fromFile(path.join(model, 'tokenizer.json')).encode(text)).getIds();
    return ids.reduce((a, b) => a + b, 0) / ids.length;
  }

  const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

  it('multi-label: an independent sigmoid per label', async () => {
    const dir = syntheticModel(
      { problem_type: 'multi_label_classification', id2label: { 0: 'toxic', 1: 'insult', 2: 'threat' } },
      { width: 3, weights: [0.001, -0.002, 0.0005], bias: [0.5, 1, -2] },
    );
    const engine = await Engine.load(dir, { executionProviders: ['cpu'] });
    try {
      const text = 'you are a wonderful person';
      const mean = await meanId(text);
      const [result] = await engine.classify([text]);
      const expected = { toxic: sigmoid(mean * 0.001 + 0.5), insult: sigmoid(mean * -0.002 + 1), threat: sigmoid(mean * 0.0005 - 2) };
      for (const { label, score } of result.labels) assert.ok(Math.abs(score - expected[label as keyof typeof expected]) < 1e-5, label);
      assert.deepEqual(result.labels.map((l) => l.label), Object.entries(expected).sort((a, b) => b[1] - a[1]).map(([label]) => label));
      assert.deepEqual(engine.model.inputNames, ['input_ids', 'attention_mask', 'token_type_ids']);
    } finally {
      await engine.dispose();
    }
  });

  it('multi-label long text: the maximum over windows', async () => {
    const dir = syntheticModel(
      { problem_type: 'multi_label_classification', id2label: { 0: 'a', 1: 'b' } },
      { width: 2, weights: [0.001, -0.001], bias: [0, 0] },
    );
    const engine = await Engine.load(dir, { executionProviders: ['cpu'], windowStride: 0 });
    try {
      const low = 'the '.repeat(62);
      const high = 'wonderful '.repeat(62);
      const [result] = await engine.classify([`${low}${high}`]);
      assert.equal(result.windows, 2);
      const windowA = [sigmoid(0.001 * (await meanId(low))), sigmoid(0.001 * (await meanId(high)))];
      const a = result.labels.find((l) => l.label === 'a')!.score;
      assert.ok(Math.abs(a - Math.max(...windowA)) < 1e-4, `${a} vs ${windowA}`);
    } finally {
      await engine.dispose();
    }
  });

  it('a single logit is a binary model: sigmoid for the second label, its complement for the first', async () => {
    const dir = syntheticModel({ id2label: { 0: 'ham', 1: 'spam' } }, { width: 1, weights: [0.001], bias: [-1] });
    const engine = await Engine.load(dir, { executionProviders: ['cpu'] });
    try {
      const text = 'win a free prize now';
      const p = sigmoid((await meanId(text)) * 0.001 - 1);
      const [result] = await engine.classify([text]);
      const spam = result.labels.find((l) => l.label === 'spam')!.score;
      const ham = result.labels.find((l) => l.label === 'ham')!.score;
      assert.ok(Math.abs(spam - p) < 1e-6 && Math.abs(ham - (1 - p)) < 1e-6, `${spam} ${ham} vs ${p}`);
    } finally {
      await engine.dispose();
    }
  });
});
