// A small Hugging Face Hub look-alike on 127.0.0.1 for the download tests: the tree API with git
// and LFS hashes, `resolve` URLs that redirect LFS files to a CDN path (as the Hub does), and
// repositories that serve a corrupted file or cut the connection halfway.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

export type Damage = 'none' | 'corrupt' | 'interrupt';

interface RepoFile { path: string; content: Buffer; lfs: boolean }

export interface HubServer {
  endpoint: string;
  /** Requests served, e.g. "GET /api/models/o/n/tree/main". */
  requests: string[];
  close(): Promise<void>;
}

function listFiles(dir: string, prefix = ''): RepoFile[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return listFiles(path.join(dir, entry.name), relative);
    const content = fs.readFileSync(path.join(dir, entry.name));
    return [{ path: relative, content, lfs: entry.name.endsWith('.onnx') }];
  });
}

const gitOid = (content: Buffer) => crypto.createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
const sha256 = (content: Buffer) => crypto.createHash('sha256').update(content).digest('hex');
const lfsPointer = (content: Buffer) => Buffer.from(`version https://git-lfs.github.com/spec/v1\noid sha256:${sha256(content)}\nsize ${content.length}\n`);

/** Serves each repository id → [model directory, damage]. */
export async function startHubServer(repos: Record<string, [string, Damage]>): Promise<HubServer> {
  const files = new Map(Object.entries(repos).map(([id, [dir, damage]]) => [id, { files: listFiles(dir), damage }]));
  const requests: string[] = [];

  const send = (response: http.ServerResponse, content: Buffer, damage: Damage) => {
    response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': content.length });
    if (damage === 'interrupt') {
      response.write(content.subarray(0, Math.floor(content.length / 2)), () => response.socket?.destroy());
    } else if (damage === 'corrupt') {
      const corrupted = Buffer.from(content);
      corrupted[corrupted.length >> 1] ^= 0xff;
      response.end(corrupted);
    } else {
      response.end(content);
    }
  };

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://hub');
    requests.push(`${request.method} ${url.pathname}`);
    const tree = url.pathname.match(/^\/api\/models\/([^/]+\/[^/]+)\/tree\/([^/]+)$/);
    const resolve = url.pathname.match(/^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/);
    const cdn = url.pathname.match(/^\/cdn\/([^/]+\/[^/]+)\/(.+)$/);
    const repo = files.get(decodeURIComponent((tree ?? resolve ?? cdn)?.[1] ?? ''));
    if (!repo) {
      response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'Repository not found' }));
      return;
    }
    if (tree) {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(repo.files.map((file) => ({
        type: 'file', path: file.path, size: file.lfs ? lfsPointer(file.content).length : file.content.length,
        oid: gitOid(file.lfs ? lfsPointer(file.content) : file.content),
        ...(file.lfs ? { lfs: { oid: sha256(file.content), size: file.content.length, pointerSize: lfsPointer(file.content).length } } : {}),
      }))));
      return;
    }
    const wanted = decodeURIComponent((resolve ?? cdn)![resolve ? 3 : 2]);
    const file = repo.files.find((candidate) => candidate.path === wanted);
    if (!file) {
      response.writeHead(404).end('Entry not found');
    } else if (resolve && file.lfs) {
      // The Hub answers LFS files with a redirect to its CDN and names the content hash in X-Linked-Etag.
      response.writeHead(302, { location: `/cdn/${resolve[1]}/${wanted}`, 'x-linked-etag': `"${sha256(file.content)}"`, 'x-linked-size': file.content.length }).end();
    } else {
      send(response, file.content, file.lfs ? repo.damage : 'none'); // damage the model file, not the small JSON files
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
