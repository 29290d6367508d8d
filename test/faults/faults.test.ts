// Fault suite (npm run test:faults): the real worker, model, CLI and server under the faults a
// machine really has. The worker is SIGKILLed mid-call; the model directory is swapped during a
// run; the disk is full (a tiny tmpfs when this runs as root, else /dev/full); the dataset changes
// while it is evaluated. Every fault must end in a clear error or a correct result, never a hang,
// a lost or double-counted row, or a partial file.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ClassifierClient, WorkerRestartedError } from '../../src/classifier/client';
import { Engine } from '../../src/engine/engine';
import { evaluate } from '../../src/datasets/evaluate';
import { DatasetError } from '../../src/datasets/schema';
import { startServer } from '../../src/serve/server';
import { bundledModel, repoRoot } from '../support/paths';
import { request } from '../unit/serve-support';

const model = bundledModel('sentiment-sst2');
const workerScript = path.join(repoRoot, 'dist', 'worker.js');
const bin = path.join(repoRoot, 'bin', 'textclf.js');
const kills = 20;

function texts(count: number, tag: string): string[] {
  return Array.from({ length: count }, (_, i) => `review ${tag} ${i}: the acting was fine but the plot dragged on and on without any real payoff`);
}

/** A labeled CSV of `rows` rows (text,label), every text unique. */
function writeDataset(file: string, rows: number): void {
  const lines = ['text,label'];
  for (let i = 0; i < rows; i++) lines.push(`"row ${i}: a ${i % 2 ? 'wonderful, moving' : 'dull, lifeless'} film",${i % 2 ? 'positive' : 'negative'}`);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
}

function textclf(args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A tmpfs of `kilobytes` at a fresh directory (root only); undefined where it cannot be mounted. */
function tinyDisk(kilobytes: number): { dir: string; unmount(): void } | undefined {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-full-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${kilobytes}k`, 'tmpfs', dir]);
  if (mounted.status !== 0) {
    fs.rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  return {
    dir,
    unmount: () => {
      spawnSync('umount', [dir]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('faults', function () {
  this.timeout(180_000);
  let scratch: string;
  before(function () {
    if (!fs.existsSync(workerScript)) throw new Error(`${workerScript} is missing: run "npm run build" first`);
  });
  beforeEach(() => (scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-faults-'))));
  afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

  describe(`worker killed with SIGKILL ${kills} times`, () => {
    let client: ClassifierClient;
    beforeEach(async () => {
      client = new ClassifierClient({ workerScript, restartDelayMs: 20 });
      await client.loadModel(model, { threads: 1 });
    });
    afterEach(() => client.dispose());

    /** Kills the worker at the first progress message of the call `start` makes; returns the call. */
    function killDuring<T>(start: (onProgress: () => void) => Promise<T>): Promise<T> {
      let killed = false;
      return start(() => {
        if (killed) return;
        killed = true;
        process.kill(client.pid!, 'SIGKILL');
      });
    }

    it('during classify: every call in flight fails with WorkerRestartedError, the next succeeds', async () => {
      const [reference] = await client.classify(['a wonderful , moving film']);
      for (let round = 0; round < kills; round++) {
        const inFlight = killDuring((onProgress) => client.classify(texts(2000, `r${round}`), { onProgress }));
        await assert.rejects(inFlight, (error: Error) => error instanceof WorkerRestartedError && /killed by SIGKILL/.test(error.message));
        const [after] = await client.classify(['a wonderful , moving film']);
        assert.deepEqual(after.labels, reference.labels, `round ${round}`);
      }
      assert.equal((await client.status()).restarts, kills);
    });

    it('during evaluate: every run in flight fails clearly; the next counts every row exactly once', async () => {
      const dataset = path.join(scratch, 'rows.csv');
      const rows = 3000;
      writeDataset(dataset, rows);
      const predictionsFile = path.join(scratch, 'predictions.jsonl');
      for (let round = 0; round < kills; round++) {
        const inFlight = killDuring((onProgress) => client.evaluate({ datasetPath: dataset, predictionsFile, batchSize: 64 }, { onProgress }));
        await assert.rejects(inFlight, (error: Error) => error instanceof WorkerRestartedError);
      }
      const report = await client.evaluate({ datasetPath: dataset, predictionsFile, batchSize: 256 });
      assert.equal(report.total, rows);
      assert.equal(report.evaluated + report.skipped, rows);
      assert.equal(report.evaluated, rows);
      const lines = fs.readFileSync(predictionsFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line).line as number);
      assert.equal(lines.length, rows, 'one prediction per row');
      assert.equal(new Set(lines).size, rows, 'no row twice');
      assert.equal((await client.status()).restarts, kills);
    });
  });

  it(`serve under load, worker killed ${kills} times: each request gets 200 or 503 with Retry-After, and the service recovers`, async () => {
    const server = await startServer({ models: [model], port: 0, engine: { threads: 1 } });
    try {
      const statuses = new Map<number, number>();
      for (let round = 0; round < kills; round++) {
        const load = Array.from({ length: 6 }, (_, i) => request(server.url, 'POST', '/v1/classify', { body: { inputs: texts(40, `r${round}c${i}`) } }));
        await new Promise((resolve) => setTimeout(resolve, 30));
        process.kill(server.models[0].pid!, 'SIGKILL');
        for (const answer of await Promise.all(load)) {
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          assert.ok(answer.status === 200 || answer.status === 503, `${answer.status} ${answer.text}`);
          if (answer.status === 503) {
            assert.equal(answer.headers['retry-after'], '1');
            assert.match(answer.json.error, /worker restarted|not ready|restarting/);
          }
        }
        for (let tries = 0; !server.models[0].isReady(); tries++) {
          assert.ok(tries < 200, 'ready again within 20 s');
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        const after = await request(server.url, 'POST', '/v1/classify', { body: { inputs: ['a wonderful , moving film'] } });
        assert.equal(after.status, 200, `round ${round}: ${after.text}`);
      }
      assert.ok((statuses.get(503) ?? 0) > 0, `some requests were in flight when the worker died (${JSON.stringify([...statuses])})`);
    } finally {
      await server.close();
    }
  });

  it('a huge input: the worker gives its heap back afterwards instead of holding it', async () => {
    const client = new ClassifierClient({ workerScript });
    try {
      await client.loadModel(model, { threads: 1 });
      await client.classify(['warm up']);
      const before = await client.status();
      const huge = Array.from({ length: 20_000 }, (_, i) => `word${i % 97} is fine.`).join(' ');
      await client.classify([huge]);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const after = await client.status();
      const mb = (bytes: number) => (bytes / 1048576).toFixed(1);
      assert.ok(after.heapUsedBytes < before.heapUsedBytes + 5 * 1048576, `heap ${mb(before.heapUsedBytes)} MB before, ${mb(after.heapUsedBytes)} MB after a ${huge.length}-character text`);
      assert.ok(after.rssBytes < after.peakRssBytes, `resident ${mb(after.rssBytes)} MB is below the peak ${mb(after.peakRssBytes)} MB`);
    } finally {
      await client.dispose();
    }
  });

  it('the model directory replaced during a run: the run finishes on the model it loaded; a reload names the broken directory', async () => {
    const dir = path.join(scratch, 'model');
    fs.cpSync(model, dir, { recursive: true });
    const engine = await Engine.load(dir, { threads: 1 });
    try {
      const reference = await engine.classify(texts(50, 'ref'));
      const running = engine.classify(texts(50, 'ref'));
      fs.rmSync(dir, { recursive: true });
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'config.json'), '{ not json');
      assert.deepEqual(await running, reference);
    } finally {
      await engine.dispose();
    }
    await assert.rejects(Engine.load(dir), /config\.json/);
  });

  describe('a full disk', () => {
    it('evaluate --predictions: a clear error naming the file, and no partial file left', function () {
      const disk = tinyDisk(64);
      const dataset = path.join(scratch, 'rows.csv');
      writeDataset(dataset, 4000);
      if (disk) {
        try {
          const target = path.join(disk.dir, 'predictions.jsonl');
          const run = textclf(['evaluate', dataset, '--predictions', target]);
          assert.equal(run.code, 1, run.stderr);
          assert.match(run.stderr, /cannot write predictions to .*predictions\.jsonl: ENOSPC/);
          assert.deepEqual(fs.readdirSync(disk.dir), [], 'no partial file');
        } finally {
          disk.unmount();
        }
      } else {
        // Not root: /dev/full (every write fails with ENOSPC) as the target itself cannot hold the temporary file.
        console.log('    (no tmpfs: not root; checking /dev/full instead)');
        const run = textclf(['evaluate', dataset, '--predictions', '/dev/full']);
        assert.equal(run.code, 1, run.stderr);
        assert.match(run.stderr, /cannot write predictions to \/dev\/full/);
      }
    });

    it('training output: a clear error and no partial model directory', function () {
      const disk = tinyDisk(256);
      if (!disk) this.skip();
      try {
        const output = path.join(disk.dir, 'model');
        const run = textclf(['train', path.join(repoRoot, 'test', 'integration', 'fixtures', 'datasets', 'movies', 'train.tsv'), '--output', output, '--max-epochs', '5']);
        assert.equal(run.code, 1, `${run.stdout}\n${run.stderr}`);
        assert.match(run.stderr, /ENOSPC|no space left/i);
        assert.deepEqual(fs.readdirSync(disk.dir), [], 'nothing left on the disk');
      } finally {
        disk.unmount();
      }
    });
  });

  it('the dataset changed during evaluation is detected and reported, not measured', async () => {
    const dataset = path.join(scratch, 'rows.csv');
    writeDataset(dataset, 2000);
    const engine = await Engine.load(model, { threads: 1 });
    try {
      let appended = false;
      await assert.rejects(
        evaluate(dataset, { labels: engine.model.labels, batchSize: 64 }, async (batch, signal) => {
          if (!appended) {
            appended = true;
            fs.appendFileSync(dataset, '"an extra row written during the run",positive\n');
          }
          return engine.classify(batch, { signal });
        }),
        (error: Error) => error instanceof DatasetError && /changed from \d+ to \d+ bytes while it was evaluated/.test(error.message),
      );
      const replaced = path.join(scratch, 'new.csv');
      writeDataset(replaced, 2000);
      let swapped = false;
      await assert.rejects(
        evaluate(dataset, { labels: engine.model.labels, batchSize: 64 }, async (batch, signal) => {
          if (!swapped) {
            swapped = true;
            fs.renameSync(replaced, dataset);
          }
          return engine.classify(batch, { signal });
        }),
        /was replaced while it was evaluated/,
      );
    } finally {
      await engine.dispose();
    }
  });
});
