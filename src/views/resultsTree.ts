// The Results view: documents → classified units (first words, top label and score) → every label
// with its score. Clicking a unit selects its text in the editor.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ClassifiedSegment } from '../classifier/types';
import { formatScore, labelIcon, preview, topLabelText } from './labels';
import type { DocumentResults, ResultsStore } from './results';

/** A document with more units starts collapsed: listing ten thousand rows is work nobody asked for yet. */
const expandUpTo = 500;

export type ResultNode =
  | { kind: 'document'; results: DocumentResults }
  | { kind: 'unit'; results: DocumentResults; unit: ClassifiedSegment; index: number }
  | { kind: 'label'; results: DocumentResults; unit: ClassifiedSegment; label: string; score: number };

export class ResultsTreeProvider implements vscode.TreeDataProvider<ResultNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ResultNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly results: ResultsStore) {
    this.subscription = results.onDidChange(() => this.changed.fire(undefined));
  }

  getChildren(node?: ResultNode): ResultNode[] {
    if (!node) return this.results.all().map((results) => ({ kind: 'document', results }));
    if (node.kind === 'document') return node.results.units.map((unit, index) => ({ kind: 'unit', results: node.results, unit, index }));
    if (node.kind === 'unit') return node.unit.labels.map(({ label, score }) => ({ kind: 'label', results: node.results, unit: node.unit, label, score }));
    return [];
  }

  getParent(node: ResultNode): ResultNode | undefined {
    if (node.kind === 'document') return undefined;
    if (node.kind === 'unit') return { kind: 'document', results: node.results };
    const index = node.results.units.indexOf(node.unit);
    return { kind: 'unit', results: node.results, unit: node.unit, index };
  }

  getTreeItem(node: ResultNode): vscode.TreeItem {
    const labels = node.kind === 'document' ? [] : node.unit.labels.map((score) => score.label);
    switch (node.kind) {
      case 'document': {
        const expanded = node.results.units.length <= expandUpTo ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed;
        const item = new vscode.TreeItem(path.basename(node.results.uri.path), expanded);
        item.id = node.results.uri.toString();
        item.resourceUri = node.results.uri;
        item.description = `${node.results.units.length} ${node.results.unit} units · ${node.results.modelName}`;
        item.iconPath = vscode.ThemeIcon.File;
        item.contextValue = 'document';
        return item;
      }
      case 'unit': {
        const item = new vscode.TreeItem(preview(node.unit.text), vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `${node.results.uri.toString()}#${node.unit.start}`;
        item.description = topLabelText(node.unit.labels) + (node.unit.windows > 1 ? ` · ${node.unit.windows} windows` : '');
        item.tooltip = node.unit.text.length > 500 ? `${node.unit.text.slice(0, 500)}…` : node.unit.text;
        item.iconPath = labelIcon(node.unit.labels[0]?.label ?? '', labels);
        item.contextValue = 'unit';
        item.command = { command: 'textClassifier.revealUnit', title: 'Reveal', arguments: [node.results.uri, node.unit.start, node.unit.end] };
        return item;
      }
      case 'label': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.id = `${node.results.uri.toString()}#${node.unit.start}/${node.label}`;
        item.description = formatScore(node.score);
        item.iconPath = labelIcon(node.label, labels);
        item.contextValue = 'label';
        return item;
      }
    }
  }

  /** The tree node of the unit starting at `start` in `uri`, for revealing it. */
  unitNode(uri: vscode.Uri, start: number): ResultNode | undefined {
    const results = this.results.get(uri);
    const index = results?.units.findIndex((unit) => unit.start === start) ?? -1;
    return results && index >= 0 ? { kind: 'unit', results, unit: results.units[index], index } : undefined;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
