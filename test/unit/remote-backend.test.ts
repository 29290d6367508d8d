// The remote backend against a real `textclf serve`: the engine with its graph on the server gives
// the same results as the local engine on all of SST-2 dev; it retries through a worker restart
// (503), and says clearly when the server is down, refuses the token, lacks the model or hangs.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ClassifierClient } from '../../src/classifier/client';
import { Engine } from '../../src/engine/engine';
import type { EngineOptions } from '../../src/classifier/types';
import { startServer, type RunningServer } from '../../src/serve/server';
import { bundledModel, datasetOrSkip } from '../support/paths';

const token = 'remote-test-token-42';

function sst2Sentences(file: string): string[] {
  const lines = fs.readFileSync(file, 'utf8').split('\n').slice(1).filter((line) => line.trim() !== '');
  return lines.map((line) => line.split('\t')[0]);
}

describe('remote backend (Open Inference Protocol) against textclf serve', function () {
  this.timeout(120_000);
  const modelDir = bundledModel('sentiment-sst2');
  let server: RunningServer;
  let local: Engine;
  let remote: Engine;
  let name: string;

  before(async function () {
    if (!fs.existsSync(modelDir)) {
      console.log(`    (skipped: bundled model ${modelDir} not found)`);
      this.skip();
    }
    server = await startServer({ models: [modelDir], port: 0, token });
    name = server.models[0].name;
    local = await Engine.load(modelDir, { cacheSize: 0 });
    remote = await Engine.load(modelDir, { cacheSize: 0, remote: { url: server.url, model: name, token } });
  });
  after(async () => {
    await remote?.dispose();
    await local?.dispose();
    await server?.close();
  });

  it('gives the local engine\'s results on all 872 SST-2 dev sentences', async function () {
    const sentences = sst2Sentences(datasetOrSkip(this, 'sst2/dev.tsv'));
    assert.equal(sentences.length, 872);
    const [expected, actual] = [await local.classify(sentences), await remote.classify(sentences)];
    const differing = actual.filter((result, index) => result.labels[0].label !== expected[index].labels[0].label);
    assert.equal(differing.length, 0, `${differing.length} predictions differ`);
    assert.deepEqual(actual, expected, 'labels, scores, windows and tokens are identical');
    const status = remote.status();
    assert.equal(status.executionProvider, null);
    assert.equal(status.remote?.state, 'up');
    assert.equal(status.remote?.failures, 0);
  });

  it('classifies a text longer than the model window through the same windows', async () => {
    const long = Array.from({ length: 300 }, (_, i) => (i % 3 ? 'an uneven but rewarding film' : 'tedious in places')).join(' , ');
    const [expected] = await local.classify([long]);
    assert.ok(expected.windows > 1);
    assert.deepEqual(await remote.classify([long]), [expected]);
  });

  it('retries through a worker restart on the server (503) and then succeeds', async () => {
    const texts = ['the worker died but the answer came', 'slow and pointless'];
    const expected = await local.classify(texts);
    // Generous retries: a busy CI machine may take several seconds to restart the worker.
    const patient = await Engine.load(modelDir, { cacheSize: 0, remote: { url: server.url, model: name, token, retries: 15 } });
    try {
      process.kill(server.models[0].pid!, 'SIGKILL');
      // Wait until the server has seen the worker die: a request that reached it earlier would just be
      // queued for the restarted worker and succeed without a 503, and this test is about the 503.
      while (server.models[0].isReady()) await new Promise((resolve) => setTimeout(resolve, 2));
      // The server answers 503 (Retry-After: 1) until the worker has reloaded the model.
      assert.deepEqual(await patient.classify(texts), expected);
      assert.ok(patient.status().remote!.retries > 0, 'the engine retried');
      assert.equal(patient.status().remote!.state, 'up');
    } finally {
      await patient.dispose();
    }
  });

  it('runs in the supervised worker with the remote option and reports the server in its status', async () => {
    const client = new ClassifierClient();
    try {
      const info = await client.loadModel(modelDir, { remote: { url: server.url, model: name, token } });
      assert.equal(info.name, name);
      const texts = ['through the worker and the server', 'awful'];
      assert.deepEqual(await client.classify(texts), await local.classify(texts));
      const status = await client.status();
      assert.equal(status.remote?.url, server.url);
      assert.equal(status.remote?.state, 'up');
    } finally {
      await client.dispose();
    }
  });

  it('evaluates the SST-2 dev set through the worker with the same metrics and predictions as the local engine', async function () {
    const dataset = datasetOrSkip(this, 'sst2/dev.tsv');
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-remote-eval-'));
    const evaluateWith = async (options: EngineOptions, file: string) => {
      const client = new ClassifierClient();
      try {
        await client.loadModel(modelDir, { cacheSize: 0, ...options });
        const predictionsFile = path.join(directory, file);
        const result = await client.evaluate({ datasetPath: dataset, predictionsFile });
        return { result, predictions: fs.readFileSync(predictionsFile, 'utf8') };
      } finally {
        await client.dispose();
      }
    };
    try {
      const local = await evaluateWith({}, 'local.jsonl');
      const viaServer = await evaluateWith({ remote: { url: server.url, model: name, token } }, 'remote.jsonl');
      assert.equal(viaServer.result.evaluated, 872);
      assert.equal(viaServer.result.accuracy, local.result.accuracy);
      assert.deepEqual(viaServer.result.confusionMatrix, local.result.confusionMatrix);
      assert.equal(viaServer.predictions, local.predictions, 'every prediction written is the same');
    } finally {
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });

  it('fails loading with the server\'s reason for a wrong token or an unknown model, without retrying', async () => {
    await assert.rejects(
      Engine.load(modelDir, { remote: { url: server.url, model: name, token: 'wrong-token-000' } }),
      /HTTP 401: missing or wrong bearer token.*textClassifier\.remote\.token/,
    );
    await assert.rejects(Engine.load(modelDir, { remote: { url: server.url, model: 'no-such-model', token } }), /HTTP 404: unknown model 'no-such-model'.*textClassifier\.remote\.model/);
    await assert.rejects(Engine.load(modelDir, { remote: { url: 'localhost:8000', model: name } }), /must start with http/);
  });

  it('says the server is unreachable (after its retries) when nothing listens, and status turns down', async () => {
    const closed = await startServer({ models: [modelDir], port: 0 });
    const engine = await Engine.load(modelDir, { cacheSize: 0, remote: { url: closed.url, model: name, retries: 2 } });
    try {
      await closed.close();
      await assert.rejects(engine.classify(['anyone there?']), (error: Error) => {
        assert.match(error.message, new RegExp(`remote inference server ${closed.url.replace(/[.]/g, '\\.')}, model '${name}': run inference: unreachable \\(.*ECONNREFUSED.*\\) \\(gave up after 3 attempts\\)`));
        return true;
      });
      const status = engine.status().remote!;
      assert.equal(status.state, 'down');
      assert.equal(status.retries, 2);
      assert.match(status.lastError!, /unreachable/);
    } finally {
      await engine.dispose();
    }
  });

  it('times out a server that accepts but never answers, without retrying', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const started = Date.now();
      await assert.rejects(
        Engine.load(modelDir, { remote: { url: `http://127.0.0.1:${port}`, model: name, timeoutMs: 300, retries: 1 } }),
        /read the model metadata: no answer within 300 ms$/,
      );
      // A timeout is not retried: one wait, not retries + 1 of them.
      assert.ok(Date.now() - started < 2_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});
