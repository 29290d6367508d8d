// --remote on classify, evaluate and predict against a real `textclf serve` on loopback (both run as
// users run them, from bin/textclf.js): the same results as the local model, several requests in
// flight, and a predict job that rides out a server restart without losing or repeating a row.
import * as assert from 'node:assert/strict';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundledModel, repoRoot } from '../support/paths';

const bin = path.join(repoRoot, 'bin', 'textclf.js');
const fixture = (...parts: string[]) => path.join(repoRoot, 'test', 'fixtures', ...parts);
const token = 'cli-remote-token-7';
const modelDir = bundledModel('sentiment-sst2');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI without blocking this process (the proxy below lives in it). */
function textclf(args: string[], env: Record<string, string> = {}): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(process.execPath, [bin, ...args], { cwd: repoRoot, env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (data: Buffer) => (stdout += data.toString()));
  child.stderr!.on('data', (data: Buffer) => (stderr += data.toString()));
  return { child, done: new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr }))) };
}

/** `textclf serve` as a child process; resolves with its URL once it prints it (the model is loaded). */
async function startServe(port: number): Promise<{ child: ChildProcess; url: string }> {
  const { child } = textclf(['serve', '--port', String(port), '--model', modelDir, '--token', token]);
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (data: Buffer) => {
      output += data.toString();
      const line = /^(http:\/\/\S+)\n/m.exec(output);
      if (line) resolve(line[1]);
    });
    child.on('close', (code) => reject(new Error(`textclf serve exited with ${code} before it listened`)));
  });
  return { child, url };
}

function stop(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('close', () => resolve());
    child.kill(signal);
  });
}

/** A pass-through HTTP proxy that counts the most inference requests it had in flight at once. */
async function countingProxy(target: string): Promise<{ url: string; maxInFlight: () => number; close: () => Promise<void> }> {
  let inFlight = 0;
  let most = 0;
  const server = http.createServer((request, response) => {
    const infer = request.url?.endsWith('/infer') ?? false;
    if (infer) most = Math.max(most, ++inFlight);
    const upstream = http.request(new URL(request.url!, target), { method: request.method, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(response);
      answer.on('end', () => infer && inFlight--);
    });
    upstream.on('error', (error) => response.destroy(error));
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    maxInFlight: () => most,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function readJsonl(file: string): Record<string, unknown>[] {
  return fs.readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
}

describe('textclf --remote against textclf serve (child processes, bundled)', function () {
  this.timeout(300_000);
  let serve: { child: ChildProcess; url: string } | undefined;
  let dir: string;
  const remoteArgs = () => ['--remote', serve!.url, '--remote-model', 'sentiment-sst2'];
  const env = { TEXTCLF_REMOTE_TOKEN: token };

  before(async function () {
    if (!fs.existsSync(path.join(repoRoot, 'dist', 'cli.js'))) {
      const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, encoding: 'utf8' });
      assert.equal(build.status, 0, build.stderr);
    }
    serve = await startServe(0);
  });
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-remote-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  after(() => stop(serve?.child));

  it('classify --remote gives the local labels and scores; the summary names the server', async () => {
    const args = ['classify', '--unit', 'line', '--format', 'json', fixture('cli', 'lines.txt')];
    const [local, remote] = await Promise.all([textclf(args).done, textclf([...args, ...remoteArgs()], env).done]);
    assert.equal(remote.code, 0, remote.stderr);
    const [expected, actual] = [JSON.parse(local.stdout), JSON.parse(remote.stdout)];
    assert.deepEqual(actual.map((unit: { labels: unknown }) => unit.labels), expected.map((unit: { labels: unknown }) => unit.labels));
    assert.match(remote.stderr, new RegExp(`on ${serve!.url} \\(model sentiment-sst2\\): \\d+ requests, 0 retries`));
  });

  it('evaluate --remote reports the local metrics', async () => {
    const args = ['evaluate', fixture('datasets', 'bad.csv'), '--format', 'json'];
    const [local, remote] = await Promise.all([textclf(args).done, textclf([...args, ...remoteArgs()], env).done]);
    assert.equal(remote.code, 0, remote.stderr);
    const [expected, actual] = [JSON.parse(local.stdout), JSON.parse(remote.stdout)];
    assert.deepEqual([actual.accuracy, actual.confusion_matrix, actual.evaluated], [expected.accuracy, expected.confusion_matrix, expected.evaluated]);
  });

  it('without the token the server refuses, and the error says so (exit 1)', async () => {
    const run = await textclf(['classify', fixture('cli', 'lines.txt'), ...remoteArgs()]).done;
    assert.equal(run.code, 1);
    assert.match(run.stderr, /HTTP 401/);
  });

  it('predict --remote keeps several requests in flight and writes what the local model writes', async () => {
    const input = path.join(dir, 'reviews.csv');
    fs.writeFileSync(input, `id,text\n${Array.from({ length: 1500 }, (_, i) => `${i},"Review ${i}: ${i % 3 ? 'a warm, funny and moving film' : 'a tedious, joyless slog'}"`).join('\n')}\n`);
    const proxy = await countingProxy(serve!.url);
    try {
      const [local, remote] = await Promise.all([
        textclf(['predict', input, '--out', path.join(dir, 'local.jsonl')]).done,
        textclf(['predict', input, '--out', path.join(dir, 'remote.jsonl'), '--remote', proxy.url, '--remote-model', 'sentiment-sst2'], env).done,
      ]);
      assert.equal(local.code, 0, local.stderr);
      assert.equal(remote.code, 0, remote.stderr);
      assert.ok(proxy.maxInFlight() >= 2, `at most ${proxy.maxInFlight()} inference request in flight`);
    } finally {
      await proxy.close();
    }
    const [expected, actual] = [readJsonl(path.join(dir, 'local.jsonl')), readJsonl(path.join(dir, 'remote.jsonl'))];
    assert.equal(actual.length, 1500);
    assert.deepEqual(actual.map((row) => [row.id, row.label]), expected.map((row) => [row.id, row.label]));
    actual.forEach((row, i) => assert.ok(Math.abs((row.score as number) - (expected[i].score as number)) < 1e-5, `row ${i}`));
  });

  it('a server killed and restarted in the middle of predict: no row lost or written twice, the same predictions', async () => {
    const rows = 6000;
    const input = path.join(dir, 'tickets.csv');
    fs.writeFileSync(input, `id,text\n${Array.from({ length: rows }, (_, i) => `${i},"Ticket ${i}: ${i % 2 ? 'thanks, the fix works great' : 'still broken and nobody answers'}"`).join('\n')}\n`);
    const out = path.join(dir, 'remote.jsonl');
    const job = textclf(['predict', input, '--out', out, ...remoteArgs()], env);
    // Kill the server once a part of the rows is written, then start a new one on the same port.
    const partial = () => fs.readdirSync(dir).find((name) => name.endsWith('.partial'));
    for (let waited = 0; !(partial() && fs.statSync(path.join(dir, partial()!)).size > 20_000); waited += 20) {
      assert.ok(waited < 120_000 && job.child.exitCode === null, 'the job wrote no rows in time (or ended first)');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const port = Number(new URL(serve!.url).port);
    await stop(serve!.child, 'SIGKILL');
    const killedAt = fs.statSync(path.join(dir, partial()!)).size;
    serve = await startServe(port);
    const run = await job.done;
    assert.equal(run.code, 0, run.stderr);
    assert.ok(killedAt < fs.statSync(out).size, 'the kill came before the job had finished');
    const retries = Number(/(\d+) retries/.exec(run.stderr)?.[1]);
    assert.ok(retries > 0, `the job retried through the restart: ${run.stderr}`);
    assert.match(run.stderr, new RegExp(`predicted ${rows.toLocaleString('en-US')} of ${rows.toLocaleString('en-US')} rows \\(0 skipped\\)`));
    const written = readJsonl(out);
    assert.deepEqual(written.map((row) => row.id), Array.from({ length: rows }, (_, i) => String(i)), 'every row once, in order');
    written.forEach((row, i) => assert.equal(row.label, i % 2 ? 'positive' : 'negative', `row ${i}`));
  });
});
