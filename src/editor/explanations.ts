// Explanations of editor units (which words pushed the score), computed on demand in the worker and
// kept with the unit: keyed by document, unit range and model, and checked against the unit's text, so
// that an edit or a model change never returns a stale one. Requests for one unit share a worker call,
// which is cancelled only when every caller has given up on it (a hover that closed, a cancelled command).
import * as vscode from 'vscode';
import { RequestCancelledError } from '../classifier/client';
import type { Explanation } from '../classifier/explanation';
import type { ModelInfo, Segment } from '../classifier/types';

/** What computes explanations: ClassifierClient. */
export interface Explainer {
  explain(texts: string[], opts?: { signal?: AbortSignal }): Promise<Explanation[]>;
}

/** What loads the model: ModelManager. */
export interface LoadedModel {
  readonly model: ModelInfo | undefined;
  ensureLoaded(): Promise<ModelInfo>;
  readonly onDidChange: vscode.Event<unknown>;
}

/** Explained units kept; the oldest used is dropped first. */
const maxEntries = 200;

interface Entry {
  text: string;
  explanation?: Explanation;
  pending?: SharedRequest;
}

interface SharedRequest {
  result: Promise<Explanation>;
  controller: AbortController;
  callers: number;
}

export class ExplanationService implements vscode.Disposable {
  private readonly entries = new Map<string, Entry>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly explainer: Explainer, private readonly models: LoadedModel) {
    this.subscriptions = [
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.contentChanges.length > 0) this.forget(event.document.uri);
      }),
      vscode.workspace.onDidCloseTextDocument((document) => this.forget(document.uri)),
      models.onDidChange(() => this.entries.clear()),
    ];
  }

  /** The unit's explanation if it is known already (for the loaded model and the unit's text as it is). */
  cached(uri: vscode.Uri, unit: Segment): Explanation | undefined {
    const model = this.models.model;
    const entry = model && this.entries.get(key(uri, unit, model));
    return entry?.text === unit.text ? entry.explanation : undefined;
  }

  /** The unit's explanation, computed by the worker unless it is known. */
  async explain(uri: vscode.Uri, unit: Segment, signal?: AbortSignal): Promise<Explanation> {
    const model = await this.models.ensureLoaded();
    const unitKey = key(uri, unit, model);
    let entry = this.entries.get(unitKey);
    if (entry?.text !== unit.text) {
      entry = { text: unit.text };
      this.entries.set(unitKey, entry);
    }
    this.touch(unitKey, entry);
    if (entry.explanation) return entry.explanation;
    if (!entry.pending || entry.pending.controller.signal.aborted) entry.pending = this.request(unitKey, entry);
    return join(entry.pending, signal, `explain ${vscode.workspace.asRelativePath(uri)}`);
  }

  /** Explains a text that is not in a document (a report row) with the loaded model; cached like a unit. */
  explainText(text: string, signal?: AbortSignal): Promise<Explanation> {
    return this.explain(vscode.Uri.from({ scheme: 'textclassifier-text', path: '/' }), { start: 0, end: text.length, text }, signal);
  }

  private request(unitKey: string, entry: Entry): SharedRequest {
    const controller = new AbortController();
    const settled = () => {
      if (entry.pending?.controller === controller) entry.pending = undefined;
    };
    const result = this.explainer.explain([entry.text], { signal: controller.signal }).then(
      ([explanation]) => {
        settled();
        if (this.entries.get(unitKey) === entry) entry.explanation = explanation;
        return explanation;
      },
      (error: unknown) => {
        settled();
        throw error;
      },
    );
    result.catch(() => undefined); // a request every caller left rejects with nobody waiting
    return { result, controller, callers: 0 };
  }

  /** Moves the entry to the end of the map (most recently used) and drops the oldest past the limit. */
  private touch(unitKey: string, entry: Entry): void {
    this.entries.delete(unitKey);
    this.entries.set(unitKey, entry);
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= maxEntries) break;
      this.entries.delete(oldest);
    }
  }

  private forget(uri: vscode.Uri): void {
    const prefix = `${uri.toString()}#`;
    for (const unitKey of [...this.entries.keys()]) if (unitKey.startsWith(prefix)) this.entries.delete(unitKey);
  }

  dispose(): void {
    this.subscriptions.forEach((subscription) => subscription.dispose());
    for (const entry of this.entries.values()) entry.pending?.controller.abort();
    this.entries.clear();
  }
}

function key(uri: vscode.Uri, unit: Segment, model: ModelInfo): string {
  return `${uri.toString()}#${unit.start}-${unit.end}@${model.fingerprint}`;
}

/** Waits for a shared request; a caller whose signal aborts stops waiting, and the last one to leave cancels it. */
function join(shared: SharedRequest, signal: AbortSignal | undefined, what: string): Promise<Explanation> {
  if (signal?.aborted) return Promise.reject(new RequestCancelledError(what));
  shared.callers++;
  return new Promise<Explanation>((resolve, reject) => {
    let waiting = true;
    const leave = () => {
      signal?.removeEventListener('abort', onAbort);
      if (waiting) shared.callers--;
      waiting = false;
    };
    const onAbort = () => {
      leave();
      if (shared.callers === 0) shared.controller.abort();
      reject(new RequestCancelledError(what));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    shared.result.then(
      (explanation) => {
        leave();
        resolve(explanation);
      },
      (error: unknown) => {
        leave();
        reject(error);
      },
    );
  });
}
