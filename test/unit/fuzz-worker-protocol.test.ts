// Fuzz: the worker process (dist/worker.js) on malformed host messages. Each is rejected (an error
// answer when it carries a usable id, otherwise dropped) and the worker stays alive: the same
// process answers a valid request afterwards, with its model still loaded.
import * as assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { bundledModel, repoRoot } from '../support/paths';
import { fuzzParameters, fuzzTimeout } from './fuzz-support';

const runs = 400;

interface Answer {
  type: string;
  id?: number;
  result?: any;
  error?: { name: string; message: string };
}

describe('fuzz: worker protocol', function () {
  this.timeout(fuzzTimeout(runs, 20));
  let worker: ChildProcess;
  const answers = new Map<number, (answer: Answer) => void>();
  let exited: string | undefined;

  const call = (message: Record<string, unknown> & { id: number }) =>
    new Promise<Answer>((resolve, reject) => {
      answers.set(message.id, resolve);
      worker.send(message, (error) => error && reject(error));
    });

  before(async function () {
    const script = path.join(repoRoot, 'dist', 'worker.js');
    if (!fs.existsSync(script)) this.skip();
    worker = fork(script, [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    worker.on('exit', (code, signal) => (exited = `exit code ${code}, signal ${signal}`));
    worker.on('message', (message: Answer) => {
      if (message.id !== undefined && (message.type === 'result' || message.type === 'error')) answers.get(message.id)?.(message);
    });
    const loaded = await call({ type: 'load', id: 1, modelDir: bundledModel('sentiment-sst2') });
    assert.equal(loaded.type, 'result', JSON.stringify(loaded.error));
  });
  after(() => worker?.kill());

  it('malformed messages are rejected without killing the worker', async () => {
    let nextId = 1000;
    const methods = fc.constantFrom('load', 'classify', 'classifyDocument', 'infer', 'signature', 'evaluate', 'status', 'cancel', 'nope', '__proto__', 'constructor', '');
    const field = fc.oneof(fc.anything(), fc.string(), fc.array(fc.anything(), { maxLength: 3 }), fc.constant(null), fc.constant(undefined));
    const message = fc.oneof(
      fc.anything(),
      fc.record({ type: fc.oneof(methods, fc.anything()), texts: field, text: field, unit: field, feeds: field, outputNames: field, modelDir: fc.oneof(field, fc.constant('/no/such/model')), datasetPath: field }, { requiredKeys: ['type'] }),
    );
    await fc.assert(
      fc.asyncProperty(message, fc.boolean(), async (body, withId) => {
        assert.equal(exited, undefined, 'worker alive');
        const id = nextId++;
        // 'load' would replace the model and 'shutdown' ends the worker on purpose: not malformed.
        if (body && typeof body === 'object' && ['load', 'shutdown'].includes((body as { type?: unknown }).type as string)) return;
        const sent = withId && body !== null && typeof body === 'object' && !Array.isArray(body) ? { ...(body as object), id } : body;
        const answered = sent !== body ? new Promise<Answer>((resolve) => answers.set(id, resolve)) : undefined;
        try {
          worker.send(sent as never);
        } catch {
          return; // not serializable: never reaches the worker
        }
        if (answered) await Promise.race([answered, new Promise((resolve) => setTimeout(resolve, 300))]);
        answers.delete(id);
        const status = await call({ type: 'status', id: nextId++ });
        assert.equal(status.type, 'result', `worker answers status after ${JSON.stringify(sent)?.slice(0, 200)}`);
        assert.ok(status.result.model, 'model still loaded');
        assert.equal(exited, undefined, 'worker alive');
      }),
      fuzzParameters(runs),
    );
    const classified = await call({ type: 'classify', id: nextId++, texts: ['a fine film'] });
    assert.equal(classified.type, 'result');
  });
});
