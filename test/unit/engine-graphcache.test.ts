// The load-fast copy of a large graph (src/engine/graphCache.ts), with the bundled model standing in for a
// large one (the size threshold lowered): written once, optimized and packed, reused, the same scores, a corrupt copy removed
// and the original loaded, an unwritable cache folder ignored, a changed model given a new copy.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema } from 'onnx-buf';
import { cachedGraph } from '../../src/engine/graphCache';
import { createSession } from '../../src/engine/session';
import { UpgradingSession } from '../../src/engine/upgradingSession';
import { bundledModel } from '../support/paths';

const sourceDir = bundledModel('sentiment-sst2');

/** One fixed sentence's ids, as the graph's inputs. */
function sentenceFeeds(inputNames: readonly string[]): Record<string, ort.Tensor> {
  const ids = [101, 1037, 6919, 2143, 102];
  const feeds: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]),
  };
  if (inputNames.includes('token_type_ids')) feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(ids.length), [1, ids.length]);
  return feeds;
}

/** Logits of the fixed sentence through a session on `file`. */
async function logits(file: string, graphOptimizationLevel: 'all' | 'disabled' = 'all'): Promise<number[]> {
  const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 1, graphOptimizationLevel });
  try {
    return Array.from((await session.run(sentenceFeeds(session.inputNames))).logits.data as Float32Array);
  } finally {
    await session.release();
  }
}

const assertClose = (actual: number[], expected: number[]) =>
  expected.forEach((value, i) => assert.ok(Math.abs(value - actual[i]) < 1e-5, `logit ${i}: ${value} vs ${actual[i]}`));

describe('graph cache (load-fast copies of large graphs)', function () {
  let scratch: string;
  let onnxFile: string;
  let cacheDir: string;
  beforeEach(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-graphcache-'));
    const source = [path.join(sourceDir, 'onnx', 'model.onnx'), path.join(sourceDir, 'model.onnx')].find((file) => fs.existsSync(file))!;
    onnxFile = path.join(scratch, 'model', 'model.onnx');
    fs.mkdirSync(path.dirname(onnxFile));
    fs.copyFileSync(source, onnxFile);
    cacheDir = path.join(scratch, 'cache');
  });
  afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it('writes the copy once, with its weights in an external file, and the copy gives the same logits', async () => {
    const graph = (await cachedGraph(onnxFile, cacheDir, 0))?.graph;
    assert.ok(graph, 'a copy for a graph over the threshold');
    assert.ok(fs.statSync(`${graph}.data`).size > fs.statSync(graph).size, 'weights in model.onnx.data');
    const written = fs.statSync(graph).mtimeMs;
    assert.deepEqual(await cachedGraph(onnxFile, cacheDir, 0), { graph, unpacked: path.join(path.dirname(graph!), 'unpacked.onnx') });
    assert.equal(fs.statSync(graph).mtimeMs, written, 'reused, not written again');
    assert.deepEqual(fs.readdirSync(cacheDir).filter((name) => name.startsWith('.')), [], 'no temporary folder left');
    // Optimized and packed already: loaded as the engine loads it, with optimization off.
    const opTypes = fromBinary(ModelProtoSchema, fs.readFileSync(graph)).graph!.node.map((node) => node.opType);
    assert.ok(opTypes.includes('Attention') && !opTypes.includes('Softmax'), `attention fused into one node: ${[...new Set(opTypes)].join(', ')}`);
    assert.ok(fs.statSync(`${graph}.data`).size > fs.statSync(onnxFile).size, 'the packed weights are saved next to the originals');
    assertClose(await logits(graph, 'disabled'), await logits(onnxFile));
    const unpacked = path.join(path.dirname(graph), 'unpacked.onnx');
    const references = fromBinary(ModelProtoSchema, fs.readFileSync(unpacked)).graph!.initializer.flatMap((tensor) => tensor.externalData.map((entry) => entry.key));
    assert.ok(references.includes('offset') && !references.some((key) => key.startsWith('prepacked_')), 'unpacked.onnx reads the same data file, without the packed weights');
    assertClose(await logits(unpacked, 'disabled'), await logits(onnxFile));
    assert.equal(await cachedGraph(onnxFile, cacheDir), undefined, 'the bundled model is under the default threshold');
  });

  it('a first load on one session writes the copy and runs with the original logits; the next load finds the copy', async () => {
    const loaded = await createSession(onnxFile, { executionProviders: ['cpu'], threads: 1, graphCacheDir: cacheDir, graphCacheMinBytes: 0 });
    try {
      const entries = fs.readdirSync(cacheDir).filter((name) => !name.startsWith('.'));
      assert.equal(entries.length, 1, 'the copy is written');
      const run = await loaded.session.run(sentenceFeeds(loaded.session.inputNames), ['logits']);
      assertClose(Array.from(run.logits.data as Float32Array), await logits(onnxFile));
      const copy = path.join(cacheDir, entries[0], 'model.onnx');
      assert.equal((await cachedGraph(onnxFile, cacheDir, 0))?.graph, copy, 'the next load finds it');
    } finally {
      await loaded.session.release();
    }
  });

  it('a later load on one session answers from the packed graph and moves to the unpacked one after its first run, with the same logits', async () => {
    await cachedGraph(onnxFile, cacheDir, 0);
    const loaded = await createSession(onnxFile, { executionProviders: ['cpu'], threads: 1, graphCacheDir: cacheDir, graphCacheMinBytes: 0 });
    const session = loaded.session as UpgradingSession;
    try {
      assert.ok(session instanceof UpgradingSession);
      const feeds = sentenceFeeds(session.inputNames);
      const expected = await logits(onnxFile);
      assertClose(Array.from((await session.run(feeds, ['logits'])).logits.data as Float32Array), expected);
      assert.equal(session.upgraded, false, 'the first run went to the packed graph');
      await session.settled();
      assert.equal(session.upgraded, true);
      assertClose(Array.from((await session.run(feeds, ['logits'])).logits.data as Float32Array), expected);
    } finally {
      await session.release();
    }
  });

  it('releasing with a run in flight, before the move or while it loads, lets the run finish and releases every session', async () => {
    await cachedGraph(onnxFile, cacheDir, 0);
    for (const pauseMs of [0, 110]) {
      const loaded = await createSession(onnxFile, { executionProviders: ['cpu'], threads: 1, graphCacheDir: cacheDir, graphCacheMinBytes: 0 });
      const session = loaded.session as UpgradingSession;
      const feeds = sentenceFeeds(session.inputNames);
      await session.run(feeds, ['logits']);
      // After 110 ms idle the move has started (its timer is 100 ms).
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
      const inFlight = session.run(feeds, ['logits']);
      await session.release();
      assert.deepEqual((await inFlight).logits.dims, [1, 2]);
      await assert.rejects(session.run(feeds, ['logits']), 'a released session runs nothing');
    }
  });

  it('a corrupt copy is removed and the original loads; the next load writes a good copy', async () => {
    const graph = (await cachedGraph(onnxFile, cacheDir, 0))!.graph;
    fs.truncateSync(`${graph}.data`, 100);
    const loaded = await createSession(onnxFile, { executionProviders: ['cpu'], threads: 1, graphCacheDir: cacheDir, graphCacheMinBytes: 0 });
    await loaded.session.release();
    assert.equal(fs.existsSync(graph), false, 'the corrupt copy is gone');
    const again = (await cachedGraph(onnxFile, cacheDir, 0))!.graph;
    assert.ok(fs.statSync(`${again}.data`).size > 100);
  });

  it('an unwritable cache folder is ignored (the original loads)', async () => {
    const notAFolder = path.join(scratch, 'file');
    fs.writeFileSync(notAFolder, 'x');
    assert.equal(await cachedGraph(onnxFile, path.join(notAFolder, 'cache'), 0), undefined);
    const loaded = await createSession(onnxFile, { executionProviders: ['cpu'], threads: 1, graphCacheDir: path.join(notAFolder, 'cache'), graphCacheMinBytes: 0 });
    assert.ok(loaded.session.inputNames.includes('input_ids'));
    await loaded.session.release();
  });

  it('a changed model gets a new copy and the old one is removed', async () => {
    const first = (await cachedGraph(onnxFile, cacheDir, 0))!.graph;
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(onnxFile, later, later);
    const second = (await cachedGraph(onnxFile, cacheDir, 0))!.graph;
    assert.notEqual(second, first);
    assert.equal(fs.existsSync(first), false);
    assert.ok(fs.existsSync(second));
  });
});
