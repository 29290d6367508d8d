// The worker process through ClassifierClient: the real bundled worker (dist/worker.js, built by
// `npm run build`), the real model. Crashes are real SIGKILLs.
import * as assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ClassifierClient, QueueFullError, RequestCancelledError, RequestTimeoutError, WorkerError, WorkerRestartedError } from '../../src/classifier/client';
import { Engine } from '../../src/engine/engine';
import type { HostMessage, WorkerMessage } from '../../src/classifier/protocol';
import { bundledModel, repoRoot } from '../support/paths';

const model = bundledModel('sentiment-sst2');
const workerScript = path.join(repoRoot, 'dist', 'worker.js');

/** Enough texts that classifying them takes a while (hundreds of batches). */
function manyTexts(count: number, tag: string): string[] {
  return Array.from({ length: count }, (_, i) => `review ${tag} ${i}: the acting was fine but the plot dragged on and on without any real payoff`);
}

describe('ClassifierClient and worker process', function () {
  before(function () {
    if (!fs.existsSync(workerScript)) throw new Error(`${workerScript} is missing: run "npm run build" first (npm test does)`);
  });

  let client: ClassifierClient;
  const logs: string[] = [];
  beforeEach(() => {
    logs.length = 0;
    client = new ClassifierClient({ workerScript, log: (line) => logs.push(line), restartDelayMs: 50 });
  });
  afterEach(() => client.dispose());

  it('finds the bundled worker by default from the compiled code', async () => {
    const byDefault = new ClassifierClient();
    try {
      await byDefault.loadModel(model);
      assert.equal((await byDefault.classify(['a wonderful film']))[0].labels[0].label, 'positive');
    } finally {
      await byDefault.dispose();
    }
  });

  it('gives the same scores as the in-process engine, with topK, and a status with memory', async () => {
    const info = await client.loadModel(model, { executionProviders: ['cuda', 'cpu'] });
    assert.deepEqual(info.labels, ['negative', 'positive']);
    const texts = ['a wonderful , moving film', 'a boring mess', 'it is', 'x '.repeat(300)];
    const remote = await client.classify(texts);
    const engine = await Engine.load(model, { executionProviders: ['cpu'] });
    try {
      assert.deepEqual(remote, await engine.classify(texts));
    } finally {
      await engine.dispose();
    }
    assert.equal((await client.classify(texts, { topK: 1 }))[0].labels.length, 1);
    const status = await client.status();
    assert.equal(status.pid, client.pid);
    assert.equal(status.executionProvider, 'cpu');
    assert.equal(status.providerFallbacks[0].provider, 'cuda');
    assert.ok(status.rssBytes > 10e6 && status.rssBytes < 300e6, `worker RSS ${status.rssBytes}`);
    assert.ok(status.peakRssBytes >= status.rssBytes * 0.5);
    assert.equal(status.queue, 0);
    assert.equal(status.restarts, 0);
    assert.ok(logs.some((line) => /execution provider cuda not used/.test(line)), logs.join('\n'));
  });

  it("reports the worker's own peak RSS, not the RSS its parent had when it forked", async function () {
    if (!fs.existsSync('/proc/self/status')) this.skip(); // elsewhere the peak is getrusage's
    const ballast = Buffer.alloc(600 * 2 ** 20, 1); // resident in this process when the worker forks
    const fresh = new ClassifierClient({ workerScript });
    try {
      await fresh.loadModel(model);
      await fresh.classify(['a wonderful film']);
      const status = await fresh.status();
      assert.ok(status.peakRssBytes >= status.rssBytes, `peak ${status.peakRssBytes} below current ${status.rssBytes}`);
      assert.ok(status.peakRssBytes < 400e6, `worker peak RSS ${status.peakRssBytes} (this process: ${process.memoryUsage().rss}, ballast ${ballast.length})`);
    } finally {
      await fresh.dispose();
    }
  });

  it('classifies a document: segments keep exact ranges of the host text', async () => {
    await client.loadModel(model);
    const text = 'Great film!\r\n\r\nTerrible, boring and stupid.\r\n\r\n😀 Unicode paragraph.';
    const segments = await client.classifyDocument(text, 'paragraph');
    assert.deepEqual(segments.map((s) => s.text), ['Great film!', 'Terrible, boring and stupid.', '😀 Unicode paragraph.']);
    for (const s of segments) assert.equal(text.slice(s.start, s.end), s.text);
    assert.equal(segments[1].labels[0].label, 'negative');
  });

  it('classifies only the prose of a Markdown document when asked (prose), with exact ranges', async () => {
    await client.loadModel(model);
    const text = '# Awful heading\n\nA lovely, warm film.\n\n```\nterrible_code()\n```\n';
    const prose = await client.classifyDocument(text, 'paragraph', { prose: true });
    assert.deepEqual(prose.map((s) => [s.text, text.slice(s.start, s.end)]), [['A lovely, warm film.', 'A lovely, warm film.']]);
    const all = await client.classifyDocument(text, 'paragraph');
    assert.deepEqual(all.map((s) => s.text), ['# Awful heading', 'A lovely, warm film.', '```\nterrible_code()\n```']);
  });

  it('reports a broken model directory with the file it names', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-client-'));
    try {
      fs.cpSync(model, dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'config.json'), '{ not json');
      await assert.rejects(client.loadModel(dir), (error: WorkerError) => {
        assert.equal(error.name, 'BundleError');
        assert.equal(error.file, path.join(dir, 'config.json'));
        return true;
      });
      await assert.rejects(client.classify(['x']), /no model loaded/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('survives SIGKILL in the middle of a request, 10 times in a row', async function () {
    this.timeout(120_000);
    await client.loadModel(model, { threads: 1, cacheSize: 7 });
    const reasons: string[] = [];
    client.onRestart((reason) => reasons.push(reason));
    const pids = new Set<number>();
    for (let round = 0; round < 10; round++) {
      let killed = false;
      const pending = client.classify(manyTexts(3000, `round ${round}`), {
        onProgress: () => {
          if (killed) return;
          killed = true;
          pids.add(client.pid!);
          process.kill(client.pid!, 'SIGKILL');
        },
      });
      await assert.rejects(pending, (error: Error) => {
        assert.ok(error instanceof WorkerRestartedError, String(error));
        assert.match(error.message, /^Text Classifier worker restarted: killed by SIGKILL/);
        return true;
      });
      const [after] = await client.classify(['a wonderful , moving film']);
      assert.equal(after.labels[0].label, 'positive', `round ${round}`);
    }
    assert.equal(pids.size, 10, 'each round killed a different worker');
    assert.equal(reasons.length, 10);
    const status = await client.status();
    assert.equal(status.restarts, 10);
    // The reloaded model kept the options it was loaded with.
    assert.equal(status.threads, 1);
    assert.equal(status.cache.capacity, 7);
  });

  it('cancels a running request through its AbortSignal; the worker stays and answers the next', async () => {
    await client.loadModel(model);
    const pid = client.pid;
    const controller = new AbortController();
    // Seconds of work if it were not stopped.
    const pending = client.classify(manyTexts(50_000, 'cancel'), { signal: controller.signal, onProgress: () => controller.abort() });
    await assert.rejects(pending, RequestCancelledError);
    assert.equal((await client.classify(['a wonderful film']))[0].labels[0].label, 'positive');
    assert.equal(client.pid, pid, 'no restart for a cancellation');
    // The worker stopped the job at its next batch: its queue empties long before the job could have finished.
    const stopped = Date.now();
    while ((await client.status()).workerQueue > 0) {
      assert.ok(Date.now() - stopped < 1500, 'the cancelled job still runs in the worker');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const already = new AbortController();
    already.abort();
    await assert.rejects(client.classify(['x'], { signal: already.signal }), RequestCancelledError);
  });

  it('times out a request that takes too long and keeps working', async () => {
    await client.loadModel(model);
    const pid = client.pid;
    await assert.rejects(client.classify(manyTexts(50_000, 'timeout'), { timeoutMs: 500 }), (error: Error) => {
      assert.ok(error instanceof RequestTimeoutError);
      assert.match(error.message, /timed out after 500 ms: classify 50000 texts/);
      return true;
    });
    // The worker stopped the abandoned job (it answers the next request) and was not restarted for it.
    assert.equal((await client.classify(['a boring , stupid mess']))[0].labels[0].label, 'negative');
    assert.equal(client.pid, pid);
  });

  it('bounds the queue: one request too many is refused at once', async () => {
    const bounded = new ClassifierClient({ workerScript, maxQueue: 2 });
    try {
      await bounded.loadModel(model);
      const first = bounded.classify(manyTexts(500, 'q1'));
      const second = bounded.classify(manyTexts(500, 'q2'));
      await assert.rejects(bounded.classify(['third']), (error: Error) => error instanceof QueueFullError && /queue is full \(2 requests waiting\)/.test(error.message));
      assert.equal((await first).length, 500);
      assert.equal((await second).length, 500);
      assert.equal((await bounded.classify(['now there is room'])).length, 1);
    } finally {
      await bounded.dispose();
    }
  });

  it('reports progress of a long request up to the total', async () => {
    await client.loadModel(model);
    const seen: [number, number][] = [];
    await client.classify(manyTexts(1500, 'progress'), { onProgress: (done, total) => seen.push([done, total]) });
    assert.ok(seen.length >= 2);
    assert.deepEqual(seen.at(-1), [1500, 1500]);
  });

  it('worker protocol: a short job runs beside a long one; a load waits for them, and a job waiting behind it is cancelled at once', async () => {
    const worker = fork(workerScript, [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    try {
      const answers: WorkerMessage[] = [];
      worker.on('message', (message: WorkerMessage) => answers.push(message));
      const answerTo = (id: number) =>
        new Promise<WorkerMessage>((resolve) => {
          const check = () => {
            const found = answers.find((m) => (m.type === 'result' || m.type === 'error') && m.id === id);
            if (found) resolve(found);
            else setTimeout(check, 5);
          };
          check();
        });
      const send = (message: HostMessage) => worker.send(message);
      send({ type: 'load', id: 1, modelDir: model, options: { cacheSize: 0 } });
      assert.equal((await answerTo(1)).type, 'result');
      send({ type: 'classify', id: 2, texts: manyTexts(20_000, 'long job') });
      send({ type: 'classify', id: 3, texts: ['a short one beside it'] });
      send({ type: 'load', id: 4, modelDir: model });
      send({ type: 'classify', id: 5, texts: ['waiting behind the load'] });
      assert.equal((await answerTo(3)).type, 'result');
      send({ type: 'cancel', id: 5 });
      assert.deepEqual(await answerTo(5), { type: 'error', id: 5, error: { name: 'RequestCancelledError', message: 'request cancelled' } });
      const answered = answers.filter((m) => m.type === 'result' || m.type === 'error').map((m) => (m as { id: number }).id);
      assert.deepEqual(answered, [1, 3, 5], 'the long job and the load were still running or waiting');
      send({ type: 'cancel', id: 2 });
      assert.equal((await answerTo(2)).type, 'error');
      assert.equal((await answerTo(4)).type, 'result');
    } finally {
      worker.kill();
    }
  });

  it('gives up on a worker that dies before it is ready, with its last output in the error', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-broken-worker-'));
    const broken = path.join(dir, 'worker.js');
    fs.writeFileSync(broken, "console.error('Error: cannot find module onnxruntime-node'); process.exit(3);\n");
    const restarts: string[] = [];
    const doomed = new ClassifierClient({ workerScript: broken, restartDelayMs: 10, log: (line) => logs.push(line) });
    doomed.onRestart((reason) => restarts.push(reason));
    try {
      await assert.rejects(doomed.loadModel(model), (error: Error) => {
        assert.match(error.message, /^Text Classifier worker cannot start: exited with code 3; last output: Error: cannot find module onnxruntime-node$/);
        return true;
      });
      assert.equal(restarts.length, 2, 'two restarts, then it stops trying');
      assert.ok(logs.some((line) => /failed to start 3 times in a row/.test(line)), logs.join('\n'));
    } finally {
      await doomed.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names a missing worker script', async () => {
    const lost = new ClassifierClient({ workerScript: path.join(os.tmpdir(), 'no-such-worker.js') });
    await assert.rejects(lost.loadModel(model), /worker script not found: .*no-such-worker\.js \(build it with "npm run build"\)/);
    await lost.dispose();
  });

  it('shuts the worker down on dispose', async () => {
    await client.loadModel(model);
    const pid = client.pid!;
    await client.dispose();
    assert.throws(() => process.kill(pid, 0), /ESRCH/);
    await assert.rejects(client.classify(['x']), /disposed/);
  });
});
