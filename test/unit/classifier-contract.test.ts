// One suite, written once, run against the four classifiers of src/classifier/classifier.ts with the
// bundled models: the worker's Engine; the host's ClassifierClient (a real worker process); the remote
// backend (an Engine whose graph runs on a real `textclf serve`, over HTTP); and the ServedModel that
// server answers from (the object itself: it is what the routes call, and the HTTP path is what the
// remote backend exercises). Each must give what a local Engine gives for the same model: labels,
// info, every score within 1e-6, windows, tokens and document ranges; honour topK, progress and
// cancellation; and refuse bad input with an error that says what is wrong.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { Classifier, Explainer } from '../../src/classifier/classifier';
import { ClassifierClient } from '../../src/classifier/client';
import type { Explanation } from '../../src/classifier/explanation';
import { UNITS } from '../../src/classifier/segment';
import type { Classification, ClassifiedSegment } from '../../src/classifier/types';
import { Engine } from '../../src/engine/engine';
import { startServer } from '../../src/serve/server';
import { bundledModel } from '../support/paths';

const TOLERANCE = 1e-6;
const MODELS = ['sentiment-sst2', 'news-topic'] as const;

interface Subject {
  classifier: Classifier & Explainer;
  dispose(): Promise<void>;
}

const LONG_TEXT = Array.from({ length: 120 }, (_, i) => (i % 3 ? 'an uneven but rewarding film about markets and football' : 'tedious in places')).join(', ');

const UNICODE_TEXTS = [
  'Ein großartiger Film, wirklich! 🎬🍿',
  '这部电影非常好看，演员也很出色。',
  'قصة مؤثرة وتمثيل رائع',
  'e\u0301le\u0301gant, naïve, café crème',
  '👩‍👩‍👧 a family film 😂😂 with Ω≈ç√ and \u200b zero width',
  '',
  '   \t  ',
];

const DOCUMENT = [
  '# Quarterly review',
  '',
  'Shares rose sharply after the earnings report. Analysts were pleased! Was it luck?',
  'The match ended in a draw.\r\nFans were disappointed.',
  '',
  '```',
  'code(block) that prose mode blanks',
  '```',
  '',
  '## Films 🎬',
  '',
  'A moving, beautifully acted film. 这部电影非常好看。',
  '',
  LONG_TEXT,
].join('\n');

function classifierContract(name: string, factory: (modelDir: string) => Promise<Subject>): void {
  for (const model of MODELS) {
    describe(`Classifier contract: ${name} (${model})`, function () {
      this.timeout(180_000);
      const modelDir = bundledModel(model);
      let reference: Engine;
      let subject: Subject | undefined;
      let classifier: Classifier & Explainer;

      before(async function () {
        if (!fs.existsSync(modelDir)) {
          console.log(`    (skipped: bundled model ${modelDir} not found)`);
          this.skip();
        }
        reference = await Engine.load(modelDir, { cacheSize: 0 });
        subject = await factory(modelDir);
        classifier = subject.classifier;
      });
      after(async () => {
        await subject?.dispose();
        await reference?.dispose();
      });

      it('has the model\'s labels and info', () => {
        assert.deepEqual([...classifier.labels], reference.model.labels);
        assert.deepEqual(classifier.info, reference.model);
      });

      it('classifies an empty list as an empty list', async () => {
        assert.deepEqual(await classifier.classify([]), []);
      });

      it('classifies one text as the engine does', async () => {
        const texts = ['A moving, beautifully acted film about a stock market crash.'];
        assertSameResults(await classifier.classify(texts), await reference.classify(texts));
      });

      it('classifies texts longer than a window through the same windows', async () => {
        const texts = [LONG_TEXT, 'short', `${LONG_TEXT} ${LONG_TEXT}`];
        const expected = await reference.classify(texts);
        assert.ok(expected[0].windows > 1 && expected[2].windows > expected[0].windows, 'the texts need several windows');
        assertSameResults(await classifier.classify(texts), expected);
      });

      it('classifies unicode, empty and blank texts as the engine does', async () => {
        assertSameResults(await classifier.classify(UNICODE_TEXTS), await reference.classify(UNICODE_TEXTS));
      });

      it('keeps the best topK labels', async () => {
        const texts = ['Shares rose sharply after the earnings report.', 'a dull film'];
        const expected = await reference.classify(texts, { topK: 1 });
        const actual = await classifier.classify(texts, { topK: 1 });
        assert.deepEqual(actual.map((result) => result.labels.length), [1, 1]);
        assertSameResults(actual, expected);
      });

      it('reports progress up to done === total', async () => {
        const texts = Array.from({ length: 40 }, (_, i) => `progress text ${i} for ${name}`);
        const calls: [number, number][] = [];
        await classifier.classify(texts, { onProgress: (done, total) => calls.push([done, total]) });
        assert.deepEqual(calls.at(-1), [texts.length, texts.length]);
        calls.forEach(([done, total], i) => {
          assert.equal(total, texts.length);
          assert.ok(done >= (calls[i - 1]?.[0] ?? 0), `progress never goes back: ${JSON.stringify(calls)}`);
        });
      });

      for (const unit of UNITS) {
        it(`cuts a document by ${unit} into the same ranges with the same scores`, async () => {
          const expected = await reference.classifyDocument(DOCUMENT, unit);
          const actual = await classifier.classifyDocument(DOCUMENT, unit);
          assertSameSegments(actual, expected);
          for (const s of actual) assert.equal(s.text, DOCUMENT.slice(s.start, s.end));
        });
      }

      it('classifies only the prose of Markdown with prose: true', async () => {
        const options = { prose: true, topK: 2 };
        const expected = await reference.classifyDocument(DOCUMENT, 'paragraph', options);
        assert.ok(!expected.some((s) => s.text.includes('code(block)')), 'the code block is not a unit');
        assertSameSegments(await classifier.classifyDocument(DOCUMENT, 'paragraph', options), expected);
      });

      it('explains a text as the engine does', async () => {
        const texts = ['A moving film, but the ending was dull.'];
        assertSameExplanations(await classifier.explain(texts), await reference.explain(texts));
      });

      it('rejects a call whose signal is aborted, before or during the call, and then still classifies', async () => {
        const cancelled = /abort|cancel/i;
        await assert.rejects(classifier.classify(['never classified'], { signal: AbortSignal.abort() }), cancelled);
        await assert.rejects(classifier.classifyDocument(DOCUMENT, 'sentence', { signal: AbortSignal.abort() }), cancelled);
        const controller = new AbortController();
        const texts = Array.from({ length: 300 }, (_, i) => `a cancelled text, number ${i}: ${'and so on '.repeat(i % 40)}`);
        const call = classifier.classify(texts, { signal: controller.signal });
        controller.abort();
        await assert.rejects(call, cancelled);
        const after = ['classified after the cancellation'];
        assertSameResults(await classifier.classify(after), await reference.classify(after));
      });

      it('refuses bad input with an error that says what is wrong', async () => {
        await assert.rejects(classifier.classify([42] as never), /texts must be an array of strings, but texts\[0\] is a number/);
        await assert.rejects(classifier.classify(['fine', null] as never), /texts\[1\] is null/);
        await assert.rejects(classifier.classify('one text' as never), /texts must be an array of strings, got a string/);
        await assert.rejects(classifier.explain([{}] as never), /texts\[0\] is an object/);
        await assert.rejects(classifier.classifyDocument(DOCUMENT, 'chapter' as never), /unknown unit "chapter" \(expected one of document, paragraph, sentence, line, section\)/);
        await assert.rejects(classifier.classifyDocument(undefined as never, 'line'), /the document must be a string, got undefined/);
      });
    });
  }
}

classifierContract('Engine', async (modelDir) => {
  const engine = await Engine.load(modelDir);
  return { classifier: engine, dispose: () => engine.dispose() };
});

classifierContract('ClassifierClient', async (modelDir) => {
  const client = new ClassifierClient();
  await client.loadModel(modelDir);
  return { classifier: client, dispose: () => client.dispose() };
});

classifierContract('remote backend (Engine.load with remote, on textclf serve)', async (modelDir) => {
  const server = await startServer({ models: [modelDir], port: 0 });
  try {
    const engine = await Engine.load(modelDir, { remote: { url: server.url, model: server.models[0].name } });
    return {
      classifier: engine,
      dispose: async () => {
        await engine.dispose();
        await server.close();
      },
    };
  } catch (error) {
    await server.close();
    throw error;
  }
});

classifierContract('ServedModel (what textclf serve answers from)', async (modelDir) => {
  const server = await startServer({ models: [modelDir], port: 0 });
  return { classifier: server.models[0], dispose: () => server.close() };
});

describe('Classifier contract: a ClassifierClient before loadModel', () => {
  it('says that no model is loaded when asked for its labels or info', async () => {
    const client = new ClassifierClient();
    try {
      assert.throws(() => client.labels, /no model loaded \(call loadModel first\)/);
      assert.throws(() => client.info, /no model loaded \(call loadModel first\)/);
    } finally {
      await client.dispose();
    }
  });
});

/** Same labels, sorted by score, each score within TOLERANCE of the engine's; same windows and tokens. */
function assertSameResults(actual: Classification[], expected: Classification[]): void {
  assert.equal(actual.length, expected.length, 'one result per text');
  actual.forEach((result, i) => assertSameResult(result, expected[i], `text ${i}`));
}

function assertSameResult(actual: Classification, expected: Classification, where: string): void {
  assert.equal(actual.windows, expected.windows, `${where}: windows`);
  assert.equal(actual.tokens, expected.tokens, `${where}: tokens`);
  const scores = actual.labels.map((label) => label.score);
  assert.deepEqual(scores, [...scores].sort((a, b) => b - a), `${where}: labels sorted by score`);
  // By label name: two labels scored within the tolerance of each other may sort either way.
  const byName = (result: Classification) => [...result.labels].sort((a, b) => a.label.localeCompare(b.label));
  const [got, want] = [byName(actual), byName(expected)];
  assert.deepEqual(got.map((label) => label.label), want.map((label) => label.label), `${where}: labels`);
  got.forEach((label, j) => {
    const difference = Math.abs(label.score - want[j].score);
    assert.ok(difference <= TOLERANCE, `${where}: ${label.label} scored ${label.score}, the engine ${want[j].score} (differs by ${difference})`);
  });
}

function assertSameSegments(actual: ClassifiedSegment[], expected: ClassifiedSegment[]): void {
  const ranges = (segments: ClassifiedSegment[]) => segments.map(({ start, end, text }) => ({ start, end, text }));
  assert.deepEqual(ranges(actual), ranges(expected), 'the same units with the same ranges');
  actual.forEach((segment, i) => assertSameResult(segment, expected[i], `unit ${i} (${segment.start}-${segment.end})`));
}

function assertSameExplanations(actual: Explanation[], expected: Explanation[]): void {
  assert.equal(actual.length, expected.length, 'one explanation per text');
  actual.forEach((explanation, i) => {
    assertSameResult(explanation, expected[i], `explanation ${i}`);
    assert.deepEqual(explanation.labelOrder, expected[i].labelOrder);
    assert.equal(explanation.wordsPerGroup, expected[i].wordsPerGroup);
    assert.deepEqual(explanation.words.map(({ word, start, end }) => ({ word, start, end })), expected[i].words.map(({ word, start, end }) => ({ word, start, end })));
    explanation.words.forEach((word, w) =>
      word.contributions.forEach((contribution, j) => {
        const difference = Math.abs(contribution - expected[i].words[w].contributions[j]);
        assert.ok(difference <= TOLERANCE, `explanation ${i}, "${word.word}": contribution to ${explanation.labelOrder[j]} differs by ${difference}`);
      }),
    );
  });
}
