// Classification of editor text: whole documents (the command), the units around each edit (live
// mode), selections, and the single unit under the mouse. All model work goes to the worker through
// ClassifierClient.
import * as vscode from 'vscode';
import type { ClassifierClient } from '../classifier/client';
import type { Classification, ClassifiedSegment, Unit } from '../classifier/types';
import type { Config } from '../config';
import type { ModelManager } from './models';
import type { DocumentResults, ResultsStore } from './results';
import { binaryReason } from '../classifier/binaryText';
import { unitsAroundIn, type Block } from './blocks';
import { errorMessage } from '../classifier/errors';

/** Pause after the last edit before live mode re-classifies what changed: short enough that lenses follow
 *  typing within 100 ms, long enough to merge the keystrokes of one burst. */
export const liveDebounceMs = 60;

interface Span {
  start: number;
  end: number;
}

export interface Activity {
  /** Runs `work`, showing the busy state meanwhile. */
  track<T>(work: Promise<T>): Promise<T>;
}

export class DocumentClassifier implements vscode.Disposable {
  private readonly liveTimers = new Map<string, NodeJS.Timeout>();
  private readonly liveRequests = new Map<string, AbortController>();
  /** Per document: the span edited since its last live classification, in current offsets. */
  private readonly dirty = new Map<string, Span>();
  private readonly subscriptions: vscode.Disposable[];
  private readonly liveUpdated = new vscode.EventEmitter<{ uri: vscode.Uri; elapsedMs: number }>();
  /** Fires after live mode re-classified a document, with the time from the classification request to the stored results. */
  readonly onDidLiveUpdate = this.liveUpdated.event;

  constructor(
    private readonly client: ClassifierClient,
    private readonly models: ModelManager,
    private readonly results: ResultsStore,
    private readonly config: Config,
    private readonly activity: Activity,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscriptions = [vscode.workspace.onDidChangeTextDocument((event) => this.scheduleLive(event))];
  }

  /** Classifies a document unit by unit (textClassifier.unit) and stores the results. */
  async classifyDocument(document: vscode.TextDocument, opts: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {}): Promise<DocumentResults> {
    const started = Date.now();
    const text = document.getText();
    const binary = binaryReason(text);
    if (binary) throw new Error(`${vscode.workspace.asRelativePath(document.uri)} looks like a binary file (${binary}); only text can be classified.`);
    const model = await this.activity.track(this.models.ensureLoaded());
    const unit = this.config.unit;
    const version = document.version;
    const units = await this.activity.track(this.client.classifyDocument(text, unit, { ...opts, prose: this.proseOnly(document) }));
    const results: DocumentResults = {
      uri: document.uri, unit, modelName: model.name, modelLabels: model.labels, problemType: model.problemType, executionProvider: this.models.executionProvider,
      units, selections: this.results.get(document.uri)?.selections ?? [],
    };
    if (document.version === version) {
      this.results.set(results);
    } else {
      this.log.info(`${document.uri.fsPath}: changed while it was classified; results not shown`);
    }
    this.log.info(`classified ${vscode.workspace.asRelativePath(document.uri)}: ${units.length} ${unit} units in ${Date.now() - started} ms`);
    return results;
  }

  /** Classifies each selection as one text and adds it to the document's selection results; unit results stay. */
  async classifySelections(editor: vscode.TextEditor): Promise<ClassifiedSegment[]> {
    const document = editor.document;
    const selections = editor.selections
      .map((selection) => ({ start: document.offsetAt(selection.start), end: document.offsetAt(selection.end) }))
      .map((range) => ({ ...range, text: document.getText().slice(range.start, range.end) }))
      .filter((range) => range.text.trim() !== '');
    if (selections.length === 0) throw new Error('Select some text to classify.');
    const model = await this.activity.track(this.models.ensureLoaded());
    const scores = await this.activity.track(this.client.classify(selections.map((selection) => selection.text)));
    const classified = selections.map((selection, i) => ({ ...selection, ...scores[i] }));
    this.results.addSelections({
      uri: document.uri, unit: this.config.unit, modelName: model.name, modelLabels: model.labels, problemType: model.problemType, executionProvider: this.models.executionProvider,
    }, classified);
    return classified;
  }

  /** Classifies the unit (textClassifier.unit) at `position`; the engine caches it for the next hover. */
  async classifyUnitAt(document: vscode.TextDocument, position: vscode.Position, signal?: AbortSignal): Promise<ClassifiedSegment | undefined> {
    const offset = document.offsetAt(position);
    const unit = blockAround(document, offset, offset, this.config.unit, this.proseOnly(document)).units.find((found) => found.start <= offset && offset <= found.end);
    if (!unit) return undefined;
    await this.models.ensureLoaded();
    const [scores]: Classification[] = await this.activity.track(this.client.classify([unit.text], { signal }));
    return { ...unit, ...scores };
  }

  /** Markdown with textClassifier.skipNonProse: only its prose is classified. */
  private proseOnly(document: vscode.TextDocument): boolean {
    return document.languageId === 'markdown' && this.config.skipNonProse;
  }

  private scheduleLive(event: vscode.TextDocumentChangeEvent): void {
    if (!this.config.liveClassification || event.contentChanges.length === 0 || !this.results.get(event.document.uri)) return;
    const key = event.document.uri.toString();
    const span = event.contentChanges.reduce<Span | undefined>(widenByEdit, this.dirty.get(key));
    if (span) this.dirty.set(key, span);
    clearTimeout(this.liveTimers.get(key));
    this.liveRequests.get(key)?.abort();
    this.liveTimers.set(key, setTimeout(() => void this.runLive(event.document), liveDebounceMs));
  }

  /**
   * Re-classifies the units an edit touched: for paragraph, sentence and line units only the text
   * between the blank lines around the edits is segmented and sent (unchanged units in it come from
   * the engine's cache); other units re-classify the document.
   */
  private async runLive(document: vscode.TextDocument): Promise<void> {
    const key = document.uri.toString();
    this.liveTimers.delete(key);
    const previous = this.results.get(document.uri);
    const span = this.dirty.get(key);
    if (document.isClosed || !previous || !span) return;
    const request = new AbortController();
    this.liveRequests.set(key, request);
    const started = performance.now();
    const version = document.version;
    try {
      if (previous.unit !== this.config.unit) {
        await this.classifyDocument(document, { signal: request.signal });
      } else {
        const block = blockAround(document, span.start, span.end, previous.unit, this.proseOnly(document));
        const scores = await this.activity.track(this.client.classify(block.units.map((unit) => unit.text), { signal: request.signal }));
        if (document.version !== version) return; // edited meanwhile: the next run covers it
        this.results.replaceRange(document.uri, block.from, block.to, block.units.map((unit, i) => ({ ...unit, ...scores[i] })));
      }
      if (document.version === version) this.dirty.delete(key);
      this.liveUpdated.fire({ uri: document.uri, elapsedMs: performance.now() - started });
    } catch (error) {
      if (!request.signal.aborted) this.log.error(`live classification of ${document.uri.fsPath} failed: ${errorMessage(error)}`);
    } finally {
      if (this.liveRequests.get(key) === request) this.liveRequests.delete(key);
    }
  }

  dispose(): void {
    this.dirty.clear();
    this.liveTimers.forEach((timer) => clearTimeout(timer));
    this.liveRequests.forEach((request) => request.abort());
    this.subscriptions.forEach((subscription) => subscription.dispose());
    this.liveUpdated.dispose();
  }
}

/** The units between the blank lines around [start, end], reading only that part of a large document. */
function blockAround(document: vscode.TextDocument, start: number, end: number, unit: Unit, prose: boolean): Block {
  const length = document.offsetAt(document.lineAt(document.lineCount - 1).range.end);
  const read = (from: number, to: number) => document.getText(new vscode.Range(document.positionAt(from), document.positionAt(to)));
  return unitsAroundIn(read, length, start, end, unit, prose);
}

/** The span that covers `span` (moved by the edit) and the text the edit inserted. */
function widenByEdit(span: Span | undefined, change: vscode.TextDocumentContentChangeEvent): Span {
  const editStart = change.rangeOffset;
  const editEnd = change.rangeOffset + change.rangeLength;
  const insertedEnd = editStart + change.text.length;
  if (!span) return { start: editStart, end: insertedEnd };
  const move = (offset: number, insideTo: number) => (offset <= editStart ? offset : offset >= editEnd ? offset + insertedEnd - editEnd : insideTo);
  return { start: Math.min(move(span.start, editStart), editStart), end: Math.max(move(span.end, insertedEnd), insertedEnd) };
}
