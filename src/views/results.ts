// The classification results of open documents: one entry per document, its units with their
// character ranges and scores. Views (tree, code lenses, hover) read from here and redraw on change.
import * as vscode from 'vscode';
import type { ClassifiedSegment, Unit } from '../classifier/types';

export interface DocumentResults {
  uri: vscode.Uri;
  unit: Unit;
  modelName: string;
  executionProvider: string | null;
  /** Sorted by start offset; ranges are kept in step with edits made after the classification. */
  units: ClassifiedSegment[];
}

export class ResultsStore implements vscode.Disposable {
  private readonly byUri = new Map<string, DocumentResults>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri | undefined>();
  /** Fires with the document whose results changed, or undefined when all were cleared. */
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    this.subscriptions = [
      vscode.workspace.onDidChangeTextDocument((event) => this.followEdits(event)),
      vscode.workspace.onDidCloseTextDocument((document) => this.delete(document.uri)),
      // VS Code keeps a document open for a while after its last editor tab closed; the user closed it then.
      vscode.window.tabGroups.onDidChangeTabs((event) => {
        for (const tab of event.closed) {
          if (tab.input instanceof vscode.TabInputText && !isInATab(tab.input.uri)) this.delete(tab.input.uri);
        }
      }),
    ];
  }

  get(uri: vscode.Uri): DocumentResults | undefined {
    return this.byUri.get(uri.toString());
  }

  all(): DocumentResults[] {
    return [...this.byUri.values()];
  }

  set(results: DocumentResults): void {
    this.byUri.set(results.uri.toString(), { ...results, units: sortedByStart(results.units) });
    this.changed.fire(results.uri);
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
    if (this.byUri.delete(uri.toString())) this.changed.fire(uri);
  }

  clear(): void {
    this.byUri.clear();
    this.changed.fire(undefined);
  }

  /** The classified unit that contains `offset`, if any. */
  unitAt(uri: vscode.Uri, offset: number): ClassifiedSegment | undefined {
    return this.get(uri)?.units.find((unit) => unit.start <= offset && offset <= unit.end);
  }

  /**
   * Keeps results valid while the document is edited: units after an edit move with it, units the
   * edit touched are dropped (their scores no longer describe their text) until re-classified.
   */
  private followEdits(event: vscode.TextDocumentChangeEvent): void {
    const results = this.get(event.document.uri);
    if (!results || event.contentChanges.length === 0) return;
    let units = results.units;
    for (const change of event.contentChanges) {
      const editStart = change.rangeOffset;
      const editEnd = change.rangeOffset + change.rangeLength;
      const delta = change.text.length - change.rangeLength;
      units = units.flatMap((unit) => {
        if (unit.end < editStart) return [unit];
        if (unit.start > editEnd) return [{ ...unit, start: unit.start + delta, end: unit.end + delta }];
        return [];
      });
    }
    results.units = units;
    this.changed.fire(results.uri);
  }

  dispose(): void {
    this.subscriptions.forEach((subscription) => subscription.dispose());
    this.changed.dispose();
  }
}

/** A sorted copy (the common case, units straight from segmentation, costs one pass). */
function sortedByStart(units: readonly ClassifiedSegment[]): ClassifiedSegment[] {
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

function isInATab(uri: vscode.Uri): boolean {
  return vscode.window.tabGroups.all.some((group) =>
    group.tabs.some((tab) => tab.input instanceof vscode.TabInputText && tab.input.uri.toString() === uri.toString()));
}
