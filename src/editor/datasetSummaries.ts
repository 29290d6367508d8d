// Row counts, detected columns and label distributions of dataset files, computed by streaming each
// file (src/datasets readers: 64 KiB chunks, so the extension host gets the event loop back between
// chunks) one file at a time, with progress; cached until the file or its column settings change.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { DatasetSummary, summarizeDataset } from '../datasets/scan';
import { inspectDataset } from '../datasets/schema';
import type { DatasetSchema } from '../datasets/types';
import type { DatasetColumns } from '../datasets/types';
import { errorMessage } from '../classifier/errors';

export type SummaryState =
  | { status: 'counting'; fraction: number }
  | { status: 'ready'; schema: DatasetSchema; summary: DatasetSummary }
  | { status: 'error'; message: string };

interface Entry {
  key: string;
  state: SummaryState;
}

/** The longest stretch counting may hold the extension host's event loop. */
export const yieldEveryMs = 10;

/** Progress events per file are at most this often: enough for a moving percentage. */
const progressIntervalMs = 250;

export class DatasetSummaries implements vscode.Disposable {
  private readonly entries = new Map<string, Entry>();
  private queue: Promise<void> = Promise.resolve();
  private pending = 0;
  private readonly cancel = new AbortController();
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with the file whose state changed. */
  readonly onDidChange = this.changed.event;
  private idleWaiters: (() => void)[] = [];

  /** The file's summary state; starts counting it (queued behind other files) when not known yet. */
  get(file: string, columns: DatasetColumns): SummaryState {
    const key = entryKey(file, columns);
    const entry = this.entries.get(file);
    if (entry && entry.key === key) return entry.state;
    const fresh: Entry = { key, state: { status: 'counting', fraction: 0 } };
    this.entries.set(file, fresh);
    this.enqueue(file, columns, fresh);
    return fresh.state;
  }

  /** Forgets a file (it changed on disk); the next get() counts it again. */
  invalidate(file: string): void {
    if (this.entries.delete(file)) this.changed.fire(file);
  }

  /** Resolves when no file is being counted. */
  whenIdle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private enqueue(file: string, columns: DatasetColumns, entry: Entry): void {
    this.pending++;
    this.queue = this.queue
      .then(() => this.count(file, columns, entry))
      .finally(() => {
        if (--this.pending > 0) return;
        for (const resolve of this.idleWaiters.splice(0)) resolve();
      });
  }

  private async count(file: string, columns: DatasetColumns, entry: Entry): Promise<void> {
    if (this.entries.get(file) !== entry || this.cancel.signal.aborted) return; // superseded meanwhile
    const current = () => this.entries.get(file) === entry;
    const update = (state: SummaryState) => {
      entry.state = state;
      if (current()) this.changed.fire(file);
    };
    let lastProgress = 0;
    try {
      const schema = await inspectDataset(file, columns);
      const summary = await summarizeDataset(schema, {
        signal: this.cancel.signal,
        yieldEveryMs,
        onProgress: ({ bytesRead, totalBytes }) => {
          const now = Date.now();
          if (now - lastProgress < progressIntervalMs) return;
          lastProgress = now;
          update({ status: 'counting', fraction: bytesRead / Math.max(totalBytes, 1) });
        },
      });
      update({ status: 'ready', schema, summary });
    } catch (error) {
      if (this.cancel.signal.aborted) return;
      update({ status: 'error', message: errorMessage(error) });
    }
  }

  dispose(): void {
    this.cancel.abort();
    this.changed.dispose();
  }
}

function entryKey(file: string, columns: DatasetColumns): string {
  let stamp = 'missing';
  try {
    const stat = fs.statSync(file);
    stamp = `${stat.size}:${stat.mtimeMs}`;
  } catch {
    // counting reports the missing file
  }
  return `${stamp}:${JSON.stringify(columns)}`;
}
