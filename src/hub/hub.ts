// Downloads a model directory from a Hugging Face Hub endpoint: config.json, tokenizer.json,
// tokenizer_config.json and one ONNX file (plus its external-data file when it has one). Every file
// is checked against the size and hash the Hub's tree API reports (sha256 for LFS files, the git
// blob sha1 for the others). Files land in a temporary folder that is renamed into place only when
// all are verified and the bundle reads; a failed or cancelled download leaves nothing behind.
// No `vscode` import: the editor side is downloadCommand.ts.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { variantFiles, variantPreference } from '../classifier/variants';
import type { ModelVariant } from '../classifier/types';
import { replaceDirectory } from '../classifier/replaceDirectory';
import { errorMessage } from '../classifier/errors';

export interface HubFile {
  path: string;
  size: number;
  /** Git blob sha1 of the file (the Hub's `oid`). */
  gitOid: string;
  /** sha256 of the content, for files stored with Git LFS. */
  sha256?: string;
}

export interface DownloadOptions {
  endpoint: string;
  repoId: string;
  revision?: string;
  /** Where downloaded models live; the model goes to <modelsRoot>/<owner>--<name>. */
  modelsRoot: string;
  /** Which graph to fetch (only that one and its external data are downloaded); default 'auto': fp32 when the repository has it. */
  variant?: ModelVariant;
  preferQuantized?: boolean;
  /** A Hub access token for gated or private repositories (default: HF_TOKEN from the environment). */
  token?: string;
  signal?: AbortSignal;
  onProgress?: (progress: { file: string; bytesDone: number; bytesTotal: number }) => void;
  /** The checks a model load makes, run on the downloaded files before they are kept; throws to refuse them.
   * The editor asks its worker (ClassifierClient.checkModel); the host never loads the engine itself. */
  verify: (modelDir: string) => Promise<void>;
}

export class HubError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HubError';
  }
}

const repoIdPattern = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;
const requiredFiles = ['config.json', 'tokenizer.json'];
const optionalFiles = ['tokenizer_config.json'];

export function isRepoId(value: string): boolean {
  return repoIdPattern.test(value);
}

/** The folder name a repository is stored under. */
export function modelFolderName(repoId: string): string {
  return repoId.replace('/', '--');
}

/** Downloads and verifies the model of `repoId`; returns the model directory. */
export async function downloadModel(options: DownloadOptions): Promise<string> {
  const { endpoint, repoId, modelsRoot } = options;
  const revision = options.revision ?? 'main';
  if (!isRepoId(repoId)) throw new HubError(`"${repoId}" is not a Hugging Face repository id (expected owner/name, e.g. Xenova/distilbert-base-uncased-finetuned-sst-2-english)`);
  const token = options.token ?? process.env.HF_TOKEN;
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const files = chooseFiles(repoId, await listFiles(endpoint, repoId, revision, headers, options.signal), options.variant ?? 'auto', options.preferQuantized ?? false);

  fs.mkdirSync(modelsRoot, { recursive: true });
  const staging = fs.mkdtempSync(path.join(modelsRoot, '.download-'));
  try {
    const bytesTotal = files.reduce((sum, file) => sum + file.size, 0);
    let bytesBefore = 0;
    for (const file of files) {
      const url = `${endpoint}/${repoId}/resolve/${encodeURIComponent(revision)}/${file.path.split('/').map(encodeURIComponent).join('/')}`;
      await downloadFile(url, path.join(staging, file.path), file, headers, options.signal, (bytes) =>
        options.onProgress?.({ file: file.path, bytesDone: bytesBefore + bytes, bytesTotal }));
      bytesBefore += file.size;
    }
    await options.verify(staging);
    fs.writeFileSync(path.join(staging, 'source.json'), JSON.stringify({ endpoint, repoId, revision, files, downloadedAt: new Date().toISOString() }, null, 2));
    const target = path.join(modelsRoot, modelFolderName(repoId));
    replaceDirectory(staging, target); // replaces an earlier download of the same repository
    return target;
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    if (options.signal?.aborted) throw new HubError(`Download of ${repoId} cancelled`);
    throw error;
  }
}

async function listFiles(endpoint: string, repoId: string, revision: string, headers: Record<string, string>, signal?: AbortSignal): Promise<HubFile[]> {
  const url = `${endpoint}/api/models/${repoId}/tree/${encodeURIComponent(revision)}?recursive=true`;
  const response = await fetchOrExplain(url, { headers, signal });
  if (response.status === 401 || response.status === 403) throw new HubError(`${repoId}: access denied by ${endpoint} (HTTP ${response.status}); a gated or private repository needs HF_TOKEN`);
  if (response.status === 404) throw new HubError(`${repoId}: no such repository or revision "${revision}" on ${endpoint}`);
  if (!response.ok) throw new HubError(`${url}: HTTP ${response.status} ${response.statusText}`);
  const entries = (await response.json()) as { type: string; path: string; size: number; oid: string; lfs?: { oid: string; size: number } }[];
  if (!Array.isArray(entries)) throw new HubError(`${url}: unexpected answer (not a file list)`);
  return entries.filter((entry) => entry.type === 'file').map((entry) => ({
    path: entry.path, size: entry.lfs?.size ?? entry.size, gitOid: entry.oid, sha256: entry.lfs?.oid,
  }));
}

function chooseFiles(repoId: string, files: HubFile[], variant: ModelVariant, preferQuantized: boolean): HubFile[] {
  const byPath = new Map(files.map((file) => [file.path, file]));
  const missing = requiredFiles.filter((name) => !byPath.has(name));
  if (missing.length > 0) throw new HubError(`${repoId}: not a model directory for Text Classifier (missing ${missing.join(', ')})`);
  const order = variantPreference(variant, preferQuantized).flatMap((name) => variantFiles(name).map((file) => file.split(path.sep).join('/')));
  const onnx = order.map((name) => byPath.get(name)).find(Boolean);
  if (!onnx) throw new HubError(`${repoId}: no ONNX model (looked for ${order.join(', ')}); pick a repository with an ONNX export`);
  const chosen = [...requiredFiles, ...optionalFiles, 'special_tokens_map.json', `${onnx.path}_data`].map((name) => byPath.get(name)).filter((file): file is HubFile => !!file);
  return [...chosen, onnx];
}

async function downloadFile(url: string, target: string, expected: HubFile, headers: Record<string, string>, signal: AbortSignal | undefined,
  onBytes: (bytes: number) => void): Promise<void> {
  const response = await fetchOrExplain(url, { headers, signal, redirect: 'follow' });
  if (!response.ok || !response.body) throw new HubError(`${expected.path}: HTTP ${response.status} ${response.statusText} from ${url}`);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const sha256 = crypto.createHash('sha256');
  const gitSha1 = crypto.createHash('sha1').update(`blob ${expected.size}\0`);
  let bytes = 0;
  const output = await fs.promises.open(target, 'w');
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      sha256.update(chunk);
      gitSha1.update(chunk);
      await output.write(chunk);
      bytes += chunk.length;
      onBytes(bytes);
    }
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new HubError(`${expected.path}: download interrupted after ${bytes} of ${expected.size} bytes (${errorMessage(error)})`);
  } finally {
    await output.close();
  }
  if (bytes !== expected.size) throw new HubError(`${expected.path}: received ${bytes} bytes, the Hub lists ${expected.size}; download incomplete`);
  const [algorithm, want, got] = expected.sha256 ? ['sha256', expected.sha256, sha256.digest('hex')] : ['git sha1', expected.gitOid, gitSha1.digest('hex')];
  if (want !== got) throw new HubError(`${expected.path}: ${algorithm} ${got} does not match ${want} reported by the Hub; file corrupted`);
}

async function fetchOrExplain(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    if (init.signal?.aborted) throw error;
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    throw new HubError(`cannot reach ${new URL(url).origin}${cause} (setting textClassifier.hubEndpoint)`);
  }
}

