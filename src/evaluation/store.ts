// Finished evaluations, one folder per dataset file and model in the workspace storage:
// report.json (metrics, row accounting, the rows the report lists) and predictions.jsonl (every row).
// A run writes into a ".partial-*" folder that is renamed into place only when it completed, so a
// cancelled or failed run never leaves a result behind.
import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ExecutionProviderName } from '../classifier/types';
import type { DatasetColumns } from '../datasets/types';
import type { EvaluationJobResult } from './types';

export interface EvaluationRecord {
  /** Folder name: identifies the dataset file and the model. */
  id: string;
  datasetPath: string;
  columns: DatasetColumns;
  /** `variant`: the graph that ran when it is not the directory's fp32 one (e.g. quantized); `name` then says it too. */
  model: { name: string; dir: string; labels: string[]; variant?: string };
  executionProvider: ExecutionProviderName | null;
  /** ISO time the run finished. */
  finishedAt: string;
  result: EvaluationJobResult;
}

const reportFile = 'report.json';
export const predictionsFileName = 'predictions.jsonl';
const partialPrefix = '.partial-';

const digest = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

export class EvaluationStore {
  private readonly latest = new Map<string, EvaluationRecord | null>();

  constructor(readonly root: string) {
    fs.mkdirSync(root, { recursive: true });
    // Left by a window that closed mid-run.
    for (const name of fs.readdirSync(root)) {
      if (name.startsWith(partialPrefix)) fs.rmSync(path.join(root, name), { recursive: true, force: true });
    }
  }

  /** fp32 keeps the id it always had; another graph of the same directory is another evaluation (fp32 and int8 side by side). */
  static idFor(datasetPath: string, modelDir: string, variant?: string): string {
    return `${digest(datasetPath)}-${digest(variant && variant !== 'fp32' ? `${modelDir}#${variant}` : modelDir)}`;
  }

  folder(id: string): string {
    return path.join(this.root, id);
  }

  predictionsFile(record: Pick<EvaluationRecord, 'id'>): string {
    return path.join(this.folder(record.id), predictionsFileName);
  }

  /** A fresh folder for a run; pass it to commit() or discard(). */
  startRun(): string {
    const folder = path.join(this.root, `${partialPrefix}${randomUUID()}`);
    fs.mkdirSync(folder);
    return folder;
  }

  async commit(partial: string, record: EvaluationRecord): Promise<void> {
    await fs.promises.writeFile(path.join(partial, reportFile), JSON.stringify(record));
    const target = this.folder(record.id);
    const replaced = `${partial}-replaced`;
    await fs.promises.rename(target, replaced).catch(() => undefined); // no earlier result
    await fs.promises.rename(partial, target);
    await fs.promises.rm(replaced, { recursive: true, force: true });
    this.latest.set(record.datasetPath, record);
  }

  async discard(partial: string): Promise<void> {
    // The worker may still hold the predictions file for a moment after a cancel: retry on Windows' EBUSY.
    await fs.promises.rm(partial, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  }

  async get(datasetPath: string, modelDir: string, variant?: string): Promise<EvaluationRecord | undefined> {
    return this.read(EvaluationStore.idFor(datasetPath, modelDir, variant));
  }

  /** A stored evaluation by its id (as a page kept it); undefined for anything that is not an id. */
  async byId(id: string): Promise<EvaluationRecord | undefined> {
    return /^[0-9a-f]{16}-[0-9a-f]{16}$/.test(id) ? this.read(id) : undefined;
  }

  /** The most recent evaluation of a dataset file with any model. */
  async latestFor(datasetPath: string): Promise<EvaluationRecord | undefined> {
    if (this.latest.has(datasetPath)) return this.latest.get(datasetPath) ?? undefined;
    const newest = (await this.list(datasetPath))[0];
    this.latest.set(datasetPath, newest ?? null);
    return newest;
  }

  /** Every stored evaluation (of one dataset file when given), newest first. */
  async list(datasetPath?: string): Promise<EvaluationRecord[]> {
    const prefix = datasetPath === undefined ? '' : `${digest(datasetPath)}-`;
    const names = (await fs.promises.readdir(this.root)).filter((name) => !name.startsWith(partialPrefix) && name.startsWith(prefix));
    const records = (await Promise.all(names.map((name) => this.read(name)))).filter((record) => record !== undefined);
    return records.sort((a, b) => b.finishedAt.localeCompare(a.finishedAt));
  }

  /** The last accuracy already known without reading anything, for tree descriptions. */
  cachedLatest(datasetPath: string): EvaluationRecord | undefined | null {
    return this.latest.get(datasetPath);
  }

  private async read(id: string): Promise<EvaluationRecord | undefined> {
    try {
      return JSON.parse(await fs.promises.readFile(path.join(this.folder(id), reportFile), 'utf8')) as EvaluationRecord;
    } catch {
      return undefined;
    }
  }
}
