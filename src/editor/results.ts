// The classification results of documents: one entry per document, its units (and classified
// selections) with their character ranges and scores. Views (tree, code lenses, decorations, hover)
// read from here and redraw on change. Results outlive the editor tab; an edit marks the units it
// touched stale instead of dropping them, and a change on disk to a closed file drops its results.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ClassifiedSegment, ProblemType, Unit } from '../classifier/types';

/** A classified range; `stale` once an edit changed its text after the classification. */
export interface ResultUnit extends ClassifiedSegment {
  stale?: boolean;
}

export interface DocumentResults {
  uri: vscode.Uri;
  unit: Unit;
  modelName: string;
  /** The model's labels in its own order: a label's colour comes from its place here. */
  modelLabels: readonly string[];
  /** regression: the scores are values, not probabilities (views show them without bars or uncertainty marks). */
  problemType: ProblemType;
  executionProvider: string | null;
  /** Sorted by start offset, not overlapping; ranges are kept in step with edits made after the classification. */
  units: ResultUnit[];
  /** Classified selections (Classify Selection), kept apart from the units they may overlap. */
  selections: ResultUnit[];
}

export class ResultsStore implements vscode.Disposable {
  private readonly byUri = new Map<string, DocumentResults>();
  private readonly watchers = new Map<string, vscode.Disposable>();
  /** Per file: a hash of the text it has on disk as far as the editor knows (at classification or its last save). */
  private readonly knownDiskText = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri | undefined>();
  /** Fires with the document whose results changed, or undefined when all were cleared. */
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    this.subscriptions = [
      vscode.workspace.onDidChangeTextDocument((event) => this.followEdits(event)),
      // An untitled document cannot be opened again once closed; a file can, so its results stay.
      vscode.workspace.onDidCloseTextDocument((document) => {
        if (document.uri.scheme === 'untitled') this.delete(document.uri);
      }),
      vscode.workspace.onDidSaveTextDocument((document) => {
        if (this.watchers.has(document.uri.toString())) this.knownDiskText.set(document.uri.toString(), hash(document.getText()));
      }),
    ];
  }

  get(uri: vscode.Uri): DocumentResults | undefined {
    return this.byUri.get(uri.toString());
  }

  all(): DocumentResults[] {
    return [...this.byUri.values()];
  }

  /** Stores a document's classification; `selections` left out keeps the ones classified before. */
  set(results: Omit<DocumentResults, 'selections'> & { selections?: ResultUnit[] }): void {
    const key = results.uri.toString();
    const selections = results.selections ?? this.byUri.get(key)?.selections ?? [];
    this.byUri.set(key, { ...results, units: sortedByStart(results.units), selections });
    this.watchDisk(results.uri);
    this.changed.fire(results.uri);
  }

  /** Adds classified selections to a document's results (replacing an earlier result of the same range). */
  addSelections(base: Omit<DocumentResults, 'units' | 'selections'>, selections: ClassifiedSegment[]): void {
    const previous = this.get(base.uri);
    const kept = (previous?.selections ?? []).filter((old) => !selections.some((added) => added.start === old.start && added.end === old.end));
    this.set({ ...base, ...(previous ?? {}), units: previous?.units ?? [], selections: sortedByStart([...kept, ...selections]) });
  }

  /** Replaces the units inside [from, to] of a document's results with `units` (live mode). */
  replaceRange(uri: vscode.Uri, from: number, to: number, units: ClassifiedSegment[]): void {
    const results = this.get(uri);
    if (!results) return;
    // Units are sorted by start and do not overlap, so the ones inside [from, to] are one run of
    // them: splice that run instead of filtering and sorting ten thousand units on every edit.
    const old = results.units;
    const first = firstUnitEndingAtOrAfter(old, from);
    let last = first;
    while (last < old.length && old[last].start <= to) last++;
    results.units = [...old.slice(0, first), ...sortedByStart(units), ...old.slice(last)];
    this.changed.fire(uri);
  }

  delete(uri: vscode.Uri): void {
    const key = uri.toString();
    this.watchers.get(key)?.dispose();
    this.watchers.delete(key);
    this.knownDiskText.delete(key);
    if (this.byUri.delete(key)) this.changed.fire(uri);
  }

  clear(): void {
    this.watchers.forEach((watcher) => watcher.dispose());
    this.watchers.clear();
    this.knownDiskText.clear();
    this.byUri.clear();
    this.changed.fire(undefined);
  }

  /** The classified unit that contains `offset`, if any. */
  unitAt(uri: vscode.Uri, offset: number): ClassifiedSegment | undefined {
    return this.get(uri)?.units.find((unit) => unit.start <= offset && offset <= unit.end);
  }

  /**
   * A file whose results outlive its editor: when its text on disk changes to something the editor
   * did not write (another program, a checkout), the results describe text that is gone, so they go.
   * Saving the document also writes the file: that text is known and keeps them. While the document
   * has unsaved edits, VS Code does not reload it, and the results still describe the editor's text.
   */
  private watchDisk(uri: vscode.Uri): void {
    const key = uri.toString();
    const open = () => vscode.workspace.textDocuments.find((document) => document.uri.toString() === key);
    const document = open();
    if (document && !document.isDirty) this.knownDiskText.set(key, hash(document.getText()));
    if (uri.scheme !== 'file' || this.watchers.has(key)) return;
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(uri.fsPath)), path.basename(uri.fsPath)));
    const onDiskChange = async () => {
      if (open()?.isDirty) return;
      const onDisk = await fs.promises.readFile(uri.fsPath, 'utf8').then(hash, () => undefined);
      if (onDisk === undefined || onDisk !== this.knownDiskText.get(key)) this.delete(uri);
    };
    this.watchers.set(key, vscode.Disposable.from(watcher, watcher.onDidChange(onDiskChange), watcher.onDidDelete(onDiskChange)));
  }

  /**
   * Keeps results in step with edits: units after an edit move with it; units the edit touched stay,
   * stretched over the new text and marked stale (their scores describe the old text) until they are
   * classified again; units the edit removed entirely go.
   */
  private followEdits(event: vscode.TextDocumentChangeEvent): void {
    const results = this.get(event.document.uri);
    if (!results || event.contentChanges.length === 0) return;
    for (const change of event.contentChanges) {
      results.units = results.units.flatMap((unit) => followEdit(unit, change));
      results.selections = results.selections.flatMap((unit) => followEdit(unit, change));
    }
    this.changed.fire(results.uri);
  }

  dispose(): void {
    this.watchers.forEach((watcher) => watcher.dispose());
    this.subscriptions.forEach((subscription) => subscription.dispose());
    this.changed.dispose();
  }
}

/** `unit` after `change`: unchanged, moved, stretched and stale, or gone (as an empty list). */
function followEdit(unit: ResultUnit, change: vscode.TextDocumentContentChangeEvent): ResultUnit[] {
  const editStart = change.rangeOffset;
  const editEnd = change.rangeOffset + change.rangeLength;
  const delta = change.text.length - change.rangeLength;
  if (unit.end < editStart) return [unit];
  if (unit.start > editEnd) return [{ ...unit, start: unit.start + delta, end: unit.end + delta }];
  if (unit.start >= editStart && unit.end <= editEnd && change.rangeLength > 0) return [];
  const start = unit.start < editStart ? unit.start : editStart;
  const end = unit.end > editEnd ? unit.end + delta : editStart + change.text.length;
  return [{ ...unit, start, end, stale: true }];
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A sorted copy (the common case, units straight from segmentation, costs one pass). */
function sortedByStart<T extends ClassifiedSegment>(units: readonly T[]): T[] {
  const copy = [...units];
  for (let i = 1; i < copy.length; i++) if (copy[i - 1].start > copy[i].start) return copy.sort((a, b) => a.start - b.start);
  return copy;
}

/** Index of the first unit (sorted by start, not overlapping) that ends at or after `offset`; units.length when none. */
export function firstUnitEndingAtOrAfter(units: readonly ClassifiedSegment[], offset: number): number {
  let low = 0;
  let high = units.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (units[middle].end < offset) low = middle + 1;
    else high = middle;
  }
  return low;
}
