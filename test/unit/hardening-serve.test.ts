// Issue 17: what a web page, an oversized text and a loose Host or Authorization header could make
// the local service do. A real server on the bundled model, requests over node:http.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { DynamicBatcher } from '../../src/serve/batcher';
import { Cancellation } from '../../src/serve/cancellation';
import { serveDefaults, startServer, type RunningServer } from '../../src/serve/server';
import { bundledModel } from '../support/paths';
import { request } from './serve-support';

describe('serve hardening (issue 17)', function () {
  this.timeout(60_000);
  const modelDir = bundledModel('sentiment-sst2');
  const allowed = 'http://tool.allowed.example';
  let server: RunningServer;

  before(async function () {
    if (!fs.existsSync(modelDir)) this.skip();
    server = await startServer({ models: [modelDir], port: 0, maxTextChars: 2000, allowOrigins: [allowed] });
  });
  after(async () => server?.close());

  const classify = (headers: Record<string, string>, body: unknown = { inputs: ['a fine film'] }) =>
    request(server.url, 'POST', '/v1/classify', { raw: JSON.stringify(body), headers });

  describe('browsers', () => {
    it('answers 415 to a body that is not declared application/json (a cross-origin "simple" POST), without classifying', async () => {
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
        const answer = await classify({ 'Content-Type': type });
        assert.equal(answer.status, 415, type);
        assert.match(answer.json.error, /Content-Type .* application\/json/);
      }
      assert.equal((await classify({ 'Content-Type': 'application/json; charset=utf-8' })).status, 200);
    });

    it('answers 403 to a request from a foreign Origin; an origin given by --allow-origin is served, with CORS headers', async () => {
      const foreign = await classify({ 'Content-Type': 'application/json', Origin: 'http://evil.example' });
      assert.equal(foreign.status, 403);
      assert.match(foreign.json.error, /Origin 'http:\/\/evil\.example' is not allowed.*--allow-origin/);
      const ok = await classify({ 'Content-Type': 'application/json', Origin: allowed });
      assert.equal(ok.status, 200);
      assert.equal(ok.headers['access-control-allow-origin'], allowed);
      const preflight = await request(server.url, 'OPTIONS', '/v1/classify', { headers: { Origin: allowed, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' } });
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers['access-control-allow-origin'], allowed);
      assert.match(String(preflight.headers['access-control-allow-headers']), /Content-Type/i);
      const foreignPreflight = await request(server.url, 'OPTIONS', '/v1/classify', { headers: { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST' } });
      assert.equal(foreignPreflight.status, 403);
    });
  });

  it('answers 413 naming --max-text-chars to a text over the per-text limit; the default limit is 1,000,000 characters', async () => {
    assert.equal(serveDefaults.maxTextChars, 1_000_000);
    const answer = await classify({ 'Content-Type': 'application/json' }, { inputs: ['short', 'x'.repeat(2001)] });
    assert.equal(answer.status, 413);
    assert.match(answer.json.error, /input 2 has 2,001 characters.*limit of 2,000 characters per text \(--max-text-chars\)/);
    assert.equal((await classify({ 'Content-Type': 'application/json' }, { inputs: ['y'.repeat(2000)] })).status, 200);
  });

  it('answers 403 to a Host that only starts with a bracketed loopback address ([::1].evil.com)', async () => {
    for (const host of ['[::1].evil.com', `[::1].evil.com:${server.port}`, '[::1]evil']) {
      const answer = await request(server.url, 'GET', '/v2', { headers: { Host: host } });
      assert.equal(answer.status, 403, host);
    }
    assert.equal((await request(server.url, 'GET', '/v2', { headers: { Host: `[::1]:${server.port}` } })).status, 200);
  });

  it('takes the Bearer scheme in any case, as RFC 7235 says', async () => {
    const token = 'case-token-0123456789';
    const guarded = await startServer({ models: [modelDir], port: 0, token });
    try {
      for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
        assert.equal((await request(guarded.url, 'GET', '/v2', { headers: { Authorization: `${scheme} ${token}` } })).status, 200, scheme);
      }
      assert.equal((await request(guarded.url, 'GET', '/v2', { headers: { Authorization: `bearer ${token}x` } })).status, 401);
      assert.equal((await request(guarded.url, 'GET', '/v2', { headers: { Authorization: token } })).status, 401);
    } finally {
      await guarded.close();
    }
  });

  it('cancels a merged batch once every request in it is gone, and not while one remains', async () => {
    const signals: (AbortSignal | undefined)[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const batcher = new DynamicBatcher<number, number>({
      maxBatch: 64,
      delayMs: 5,
      maxInFlight: 1,
      size: () => 1,
      key: () => 'all',
      run: async (items, signal) => {
        signals.push(signal);
        await gate;
        return items;
      },
    });
    const clients = [new Cancellation(), new Cancellation(), new Cancellation()];
    const answers = clients.map((cancellation, index) => batcher.submit(index, cancellation).catch((error) => error));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(signals.length, 1, 'one merged call');
    const merged = signals[0];
    assert.ok(merged, 'a merged call gets a signal');
    clients[0].abort(new Error('client disconnected'));
    clients[1].abort(new Error('client disconnected'));
    assert.equal(merged.aborted, false, 'one client still waits');
    clients[2].abort(new Error('client disconnected'));
    assert.equal(merged.aborted, true);
    release();
    await Promise.all(answers);
  });
});
