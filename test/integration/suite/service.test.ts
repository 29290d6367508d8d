// Start/Stop Local Service and the remote backend, in a real VS Code: the service answers HTTP
// requests from the editor's own worker; the editor classifies through a `textclf serve` process
// started here exactly as it does locally; a server that is down gives a clear error, not a hang.
import * as assert from 'node:assert/strict';
import * as childProcess from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as readline from 'node:readline';
import * as vscode from 'vscode';
import type { ModelInfo } from '../../../src/classifier/types';
import type { DocumentResults } from '../../../src/editor/results';
import { curlExample } from '../../../src/views/service/commands';
import type { ServiceInfo } from '../../../src/editor/localService';
import { extensionApi, nextEvent, openInEditor, setSetting, workspaceFile } from '../helpers';

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
const obvious = [
  { text: 'This movie was wonderful, I loved every minute of it.', label: 'positive' },
  { text: 'A terrible, boring film and a complete waste of time.', label: 'negative' },
];

async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(url, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json', ...headers } });
  return { status: response.status, body: await response.json() };
}

/** The error code behind fetch's "fetch failed" (ECONNREFUSED…), or 'answered' when it got through. */
async function connectionError(url: string): Promise<string> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(5_000) });
    return 'answered';
  } catch (error) {
    return String((error as { cause?: { code?: string } }).cause?.code ?? error);
  }
}

/** A port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Sets textClassifier.remote.url and waits until the model is reloaded on that server. */
async function switchRemote(url: string): Promise<ModelInfo> {
  const api = await extensionApi();
  await api.models.ensureLoaded();
  const loaded = nextEvent(api.models.onDidChange, () => api.models.remoteUrl === url, 30_000);
  await setSetting('remote.url', url);
  await loaded;
  return api.models.ensureLoaded();
}

describe('local service', function () {
  this.timeout(60_000);

  before(async () => {
    await extensionApi();
    await setSetting('service.port', 0);
  });

  afterEach(async () => {
    const api = await extensionApi();
    await api.service.stop();
    for (const name of ['service.port', 'service.host', 'service.token']) await setSetting(name, undefined);
    await setSetting('service.port', 0);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  after(() => setSetting('service.port', undefined));

  it('Start Local Service answers /v2/health/ready and /v1/classify from the editor\'s worker; Stop refuses connections', async () => {
    const api = await extensionApi();
    const info = await vscode.commands.executeCommand<ServiceInfo>('textClassifier.startService');
    assert.ok(info, 'the command returned no service (see the error it showed)');
    assert.match(info.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(info.model, 'sentiment-sst2');
    assert.equal(api.serviceStatus.text, `$(broadcast) 127.0.0.1:${info.port}`, 'the status bar shows the address');

    const ready = await fetch(`${info.url}/v2/health/ready`);
    assert.equal(ready.status, 200);
    const modelReady = await fetch(`${info.url}/v2/models/sentiment-sst2/ready`);
    assert.equal(modelReady.status, 200);

    const editorCacheBefore = (await api.client.status()).cache.misses;
    const answer = await postJson(`${info.url}/v1/classify`, { inputs: obvious.map((example) => example.text), model: 'sentiment-sst2' });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.length, obvious.length);
    for (const [i, example] of obvious.entries()) {
      const labels = answer.body[i] as { label: string; score: number }[];
      assert.equal(labels[0].label, example.label, `"${example.text}": ${JSON.stringify(labels)}`);
      assert.deepEqual(labels.map((score) => score.label).sort(), ['negative', 'positive']);
    }
    const editorCacheAfter = (await api.client.status()).cache.misses;
    assert.equal(editorCacheAfter - editorCacheBefore, obvious.length, 'the editor\'s own worker classified the texts');

    const report = await vscode.commands.executeCommand<string>('textClassifier.showStatus');
    assert.ok(report.includes(`- Local service: ${info.url}, serving \`sentiment-sst2\` from this worker`), report);

    const again = await vscode.commands.executeCommand<ServiceInfo>('textClassifier.startService');
    assert.equal(again.url, info.url, 'starting again keeps the running service');

    assert.equal(await vscode.commands.executeCommand('textClassifier.stopService'), true);
    assert.equal(api.service.info, undefined);
    assert.equal(api.serviceStatus.text, undefined, 'the status bar item is hidden');
    assert.equal(await connectionError(`${info.url}/v2/health/live`), 'ECONNREFUSED');
    assert.equal(await vscode.commands.executeCommand('textClassifier.stopService'), false, 'stopping twice is harmless');

    const status = await api.client.status();
    assert.ok(status.model, 'the editor\'s worker and model outlive the service');
  });

  it('stopping answers the requests in flight first, then refuses connections', async () => {
    const api = await extensionApi();
    const info = await api.service.start();
    const filler = 'The afternoon was fine, pleasant and lovely, with a long walk along the river and dinner afterwards. '.repeat(4);
    const requests = Array.from({ length: 4 }, (_, r) => Array.from({ length: 500 }, (_, i) => `Request ${r}, text ${i}: ${filler}`));
    let answered = 0;
    const inFlight = requests.map((inputs) => postJson(`${info.url}/v1/classify`, { inputs, model: info.model }).finally(() => answered++));
    // Long enough for every request to reach the server on a busy machine (a connection that has sent
    // nothing yet when the server stops is closed, as Node's server.close() closes idle connections),
    // short enough that 2,000 long texts are not all answered yet.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const answeredWhenStopped = answered;
    await api.service.stop();
    assert.ok(answeredWhenStopped < requests.length, 'some requests were still in flight when the service stopped');
    for (const [r, answer] of (await Promise.all(inFlight)).entries()) {
      assert.equal(answer.status, 200, JSON.stringify(answer.body).slice(0, 200));
      assert.equal(answer.body.length, requests[r].length);
    }
    assert.equal(await connectionError(`${info.url}/v2/health/live`), 'ECONNREFUSED');
  });

  it('the status bar item copies the address; the curl example classifies when pasted into a shell', async () => {
    const api = await extensionApi();
    const info = await api.service.start();
    await vscode.env.clipboard.writeText('');
    const acting = vscode.commands.executeCommand('textClassifier.serviceActions');
    await new Promise((resolve) => setTimeout(resolve, 700));
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem'); // the first action: Copy Address
    assert.equal(await acting, info.address);
    assert.equal(await vscode.env.clipboard.readText(), info.address);

    const curl = curlExample(info);
    const output = await new Promise<string>((resolve, reject) => {
      childProcess.execFile('sh', ['-c', curl], { timeout: 20_000 }, (error, stdout, stderr) => (error ? reject(new Error(`${curl}\n${stderr}`)) : resolve(stdout)));
    });
    const answer = JSON.parse(output) as { label: string; score: number }[][];
    assert.deepEqual(answer.map((labels) => labels[0].label), ['positive', 'negative'], output);
  });

  it('under load from 32 concurrent clients every request is answered and the extension host stays responsive', async function () {
    this.timeout(120_000);
    const api = await extensionApi();
    const info = await api.service.start();
    const requests = 2000;
    // The clients run in a process of their own so that only the server's work lands on the extension host.
    const load = `
      const [url, model, total] = process.argv.slice(1);
      let next = 0, ok = 0, failed = [];
      const adjectives = ['wonderful', 'dreadful', 'charming', 'boring', 'brilliant', 'awful'];
      async function client() {
        while (next < Number(total)) {
          const i = next++;
          const text = 'Review ' + i + ': a ' + adjectives[i % adjectives.length] + ' film, ' + (i * 7919 % 1000) + ' minutes long.';
          const response = await fetch(url + '/v1/classify', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ inputs: [text], model }) });
          const body = await response.json();
          if (response.status === 200 && Array.isArray(body) && body.length === 1 && body[0].length === 2) ok++;
          else failed.push(response.status + ' ' + JSON.stringify(body).slice(0, 100));
        }
      }
      const started = Date.now();
      Promise.all(Array.from({ length: 32 }, client)).then(() => console.log(JSON.stringify({ ok, failed: failed.slice(0, 5), failures: failed.length, seconds: (Date.now() - started) / 1000 })));
    `;
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const output = await new Promise<string>((resolve, reject) => {
      childProcess.execFile(process.execPath, ['-e', load, info.url, info.model, String(requests)], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, timeout: 100_000 },
        (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)));
    });
    lag.disable();
    const result = JSON.parse(output) as { ok: number; failures: number; failed: string[]; seconds: number };
    const ms = (nanoseconds: number) => (nanoseconds / 1e6).toFixed(0);
    console.log(`      ${requests} requests from 32 clients: ${(requests / result.seconds).toFixed(0)} requests/s; extension host event loop delay p50 ${ms(lag.percentile(50))} ms, p99 ${ms(lag.percentile(99))} ms, max ${ms(lag.max)} ms`);
    assert.equal(result.failures, 0, result.failed.join('\n'));
    assert.equal(result.ok, requests);
    assert.ok(lag.max < 200e6, `the extension host stalled ${ms(lag.max)} ms`);
  });

  it('a port already in use is a clear error naming the port and the setting', async () => {
    const api = await extensionApi();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      await setSetting('service.port', port);
      await assert.rejects(api.service.start(), new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use.*textClassifier\\.service\\.port`));
      assert.equal(api.service.info, undefined);
      assert.equal(api.serviceStatus.text, undefined);
    } finally {
      blocker.close();
    }
  });

  it('a host other machines can reach needs a token; with one, requests without it are refused', async () => {
    const api = await extensionApi();
    await setSetting('service.host', '0.0.0.0');
    await assert.rejects(api.service.start(), /textClassifier\.service\.host is "0\.0\.0\.0".*set textClassifier\.service\.token/);
    assert.equal(api.service.info, undefined);

    await setSetting('service.host', '127.0.0.1');
    await setSetting('service.token', 'short');
    await assert.rejects(api.service.start(), /textClassifier\.service\.token: use at least 8 characters/);

    await setSetting('service.token', 'secret-token-for-tests');
    const info = await api.service.start();
    assert.equal(info.tokenRequired, true);
    const body = { inputs: [obvious[0].text], model: info.model };
    assert.equal((await postJson(`${info.url}/v1/classify`, body)).status, 401);
    const answer = await postJson(`${info.url}/v1/classify`, body, { Authorization: 'Bearer secret-token-for-tests' });
    assert.equal(answer.status, 200);
    assert.equal(answer.body[0][0].label, 'positive');
  });

  it('follows the editor to another model on the same port', async () => {
    const api = await extensionApi();
    const info = await api.service.start();
    const restarted = nextEvent(api.service.onDidChange, (next) => next?.model === 'news-topic', 30_000);
    try {
      await vscode.commands.executeCommand('textClassifier.selectModel', path.join(api.models.bundledModelsDir, 'news-topic'));
      const next = await restarted;
      assert.equal(next!.port, info.port);
      assert.equal((await fetch(`${info.url}/v2/models/news-topic`)).status, 200);
      assert.equal((await fetch(`${info.url}/v2/models/sentiment-sst2`)).status, 404);
      const answer = await postJson(`${info.url}/v1/classify`, { inputs: ['The central bank raised interest rates as stock markets fell.'], model: 'news-topic' });
      assert.equal(answer.body[0][0].label, 'Business', JSON.stringify(answer.body));
    } finally {
      await vscode.commands.executeCommand('textClassifier.selectModel', path.join(api.models.bundledModelsDir, 'sentiment-sst2'));
    }
  });
});

describe('remote backend', function () {
  this.timeout(90_000);
  let serve: childProcess.ChildProcess | undefined;

  /** `textclf serve` in a process of its own, as a user would run it; resolves with its URL. */
  async function startTextclfServe(): Promise<string> {
    const child = childProcess.spawn(process.execPath, [path.join(repoRoot, 'bin', 'textclf.js'), 'serve', '--model', path.join(repoRoot, 'models', 'sentiment-sst2'), '--port', '0', '--threads', '1'], {
      cwd: repoRoot,
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    serve = child;
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const firstLine = new Promise<string>((resolve, reject) => {
      readline.createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`textclf serve exited (${code}): ${stderr}`)));
    });
    return firstLine;
  }

  async function stopTextclfServe(): Promise<void> {
    const child = serve;
    serve = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  afterEach(async () => {
    await stopTextclfServe();
    await (await extensionApi()).service.stop();
    await setSetting('service.port', undefined);
    await setSetting('remote.url', undefined);
    await vscode.commands.executeCommand('textClassifier.clearResults');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await (await extensionApi()).models.ensureLoaded();
  });

  it('Classify Document through textclf serve gives the local labels and scores; the server going down is a clear error', async () => {
    const api = await extensionApi();
    assert.equal(api.models.remoteUrl, undefined, 'the model runs here to begin with');
    const editor = await openInEditor('reviews.md');
    const local = await vscode.commands.executeCommand<DocumentResults>('textClassifier.classifyDocument');
    assert.ok(local, 'local classification failed');
    await vscode.commands.executeCommand('textClassifier.clearResults');

    const url = await startTextclfServe();
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    await setSetting('service.port', 0);
    await api.service.start();
    const serviceStopped = nextEvent(api.service.onDidChange, (info) => info === undefined, 30_000);
    const model = await switchRemote(url);
    await serviceStopped; // it would only relay to the remote server
    assert.equal(model.name, 'sentiment-sst2');
    const remote = await vscode.commands.executeCommand<DocumentResults>('textClassifier.classifyDocument');
    assert.ok(remote, 'remote classification failed (see the error it showed)');
    assert.equal(remote.units.length, local.units.length);
    for (const [i, unit] of remote.units.entries()) {
      const localUnit = local.units[i];
      assert.equal(unit.text, localUnit.text);
      assert.deepEqual(unit.labels.map((score) => score.label), localUnit.labels.map((score) => score.label), `unit ${i}`);
      for (const [j, score] of unit.labels.entries()) {
        assert.ok(Math.abs(score.score - localUnit.labels[j].score) < 1e-4, `unit ${i} ${score.label}: remote ${score.score}, local ${localUnit.labels[j].score}`);
      }
    }
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, new vscode.Position(2, 10));
    const hoverText = hovers.flatMap((hover) => hover.contents).map((content) => (typeof content === 'string' ? content : content.value)).join('\n');
    assert.ok(hoverText.includes(`model sentiment-sst2 · remote ${url} · 1 window`), hoverText);
    const status = await api.client.status();
    assert.ok(status.remote, 'the engine reports a remote backend');
    assert.equal(status.remote.url, url);
    assert.equal(status.remote.state, 'up');
    assert.ok(status.remote.requests > 1, `requests went to the server: ${JSON.stringify(status.remote)}`);
    const report = await vscode.commands.executeCommand<string>('textClassifier.showStatus');
    assert.match(report, new RegExp(`Execution provider: \\*\\*remote\\*\\* — the graph runs on ${url.replace(/\./g, '\\.')} as model \`sentiment-sst2\``));
    assert.match(report, /Remote server: \*\*up\*\*/);

    await assert.rejects(api.service.start(), /runs on the remote server .*textClassifier\.remote\.url/, 'the local service does not proxy a remote model');

    await stopTextclfServe();
    // Not classified since the model was loaded on the server, so the engine's cache cannot answer.
    const unseen = await vscode.workspace.openTextDocument(workspaceFile('notes.txt'));
    const started = Date.now();
    await assert.rejects(api.classifier.classifyDocument(unseen), /remote inference server http:\/\/127\.0\.0\.1:\d+.*unreachable.*ECONNREFUSED/);
    assert.ok(Date.now() - started < 30_000, `gave up after ${Date.now() - started} ms`);
    const downReport = await vscode.commands.executeCommand<string>('textClassifier.showStatus');
    assert.match(downReport, /Remote server: \*\*down\*\*/);
    assert.match(downReport, /last error: remote inference server .*unreachable/);
  });

  it('a server that is down when the model loads is a clear error naming the setting', async () => {
    const api = await extensionApi();
    const url = `http://127.0.0.1:${await closedPort()}`;
    const reloaded = nextEvent(vscode.workspace.onDidChangeConfiguration, (event) => event.affectsConfiguration('textClassifier.remote.url'));
    await setSetting('remote.url', url);
    await reloaded;
    const started = Date.now();
    await assert.rejects(api.models.ensureLoaded(), new RegExp(`remote inference server ${url.replace(/\./g, '\\.')}.*unreachable.*ECONNREFUSED.*setting textClassifier\\.remote\\.url`));
    assert.ok(Date.now() - started < 30_000, `gave up after ${Date.now() - started} ms`);
    assert.equal(api.models.remoteUrl, undefined, 'the model is not marked remote');
    const report = await vscode.commands.executeCommand<string>('textClassifier.showStatus');
    assert.match(report, new RegExp(`Loading the configured model failed.*remote inference server ${url.replace(/\./g, '\\.')}.*unreachable`));
  });
});
