// The Results view: documents (with a summary: counts per label, mean confidence) → classified units,
// each row "label score" with the text as its description → every label with its score. Units can be
// sorted by position or score, grouped by label and filtered to low confidence; long lists come a page
// at a time behind a "Show more…" row. Classified selections sit under their own "Selections" row.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Config } from '../config';
import { formatScore, isUncertain, labelColour, labelIcon, preview, scoresAreValues, scoreText, staleText, topLabelText } from './labels';
import type { DocumentResults, ResultsStore, ResultUnit } from '../editor/results';

/** Rows built per "Show more…" click: a page costs little, ten thousand rows at once would not. */
export const pageSize = 200;

export interface Arrangement {
  sortBy: 'position' | 'score';
  groupByLabel: boolean;
  lowConfidenceOnly: boolean;
}

export type ResultNode =
  | { kind: 'document'; results: DocumentResults }
  | { kind: 'selections'; results: DocumentResults }
  | { kind: 'group'; results: DocumentResults; label: string }
  | { kind: 'unit'; results: DocumentResults; unit: ResultUnit; parent: ResultNode }
  | { kind: 'label'; results: DocumentResults; unit: ResultUnit; label: string; score: number; parent: ResultNode }
  | { kind: 'more'; results: DocumentResults; parent: ResultNode; shown: number; total: number };

type Container = Extract<ResultNode, { kind: 'document' | 'selections' | 'group' }>;

export class ResultsTreeProvider implements vscode.TreeDataProvider<ResultNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ResultNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];
  /** Pages shown per container (by its id); one when absent. */
  private readonly pages = new Map<string, number>();
  private view?: vscode.TreeView<ResultNode>;
  arrangement: Arrangement = { sortBy: 'position', groupByLabel: false, lowConfidenceOnly: false };

  constructor(private readonly results: ResultsStore, private readonly config: Config) {
    this.subscriptions = [
      results.onDidChange(() => this.changed.fire(undefined)),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('textClassifier.lowConfidenceThreshold')) this.refresh();
      }),
    ];
    void this.publishArrangement();
  }

  /** Shows the arrangement in `view`'s title bar. */
  showArrangementIn(view: vscode.TreeView<ResultNode>): void {
    this.view = view;
    void this.publishArrangement();
  }

  async arrange(change: Partial<Arrangement>): Promise<Arrangement> {
    this.arrangement = { ...this.arrangement, ...change };
    this.pages.clear();
    await this.publishArrangement();
    this.changed.fire(undefined);
    return this.arrangement;
  }

  /** Adds a page to the list behind a "Show more…" row. */
  showMore(node: Extract<ResultNode, { kind: 'more' }>): void {
    const key = nodeId(node.parent);
    this.pages.set(key, (this.pages.get(key) ?? 1) + 1);
    this.changed.fire(node.parent);
  }

  getChildren(node?: ResultNode): ResultNode[] {
    if (!node) return this.results.all().map((results) => ({ kind: 'document', results }));
    switch (node.kind) {
      case 'document': {
        const selections: ResultNode[] = node.results.selections.length > 0 ? [{ kind: 'selections', results: node.results }] : [];
        if (!this.arrangement.groupByLabel) return [...selections, ...this.page(node, this.unitsOf(node))];
        const present = new Set(this.unitsOf(node).map((unit) => unit.labels[0]?.label));
        const groups = [...node.results.modelLabels, ...[...present].filter((label) => !node.results.modelLabels.includes(label))]
          .filter((label) => present.has(label))
          .map((label): ResultNode => ({ kind: 'group', results: node.results, label }));
        return [...selections, ...groups];
      }
      case 'selections':
      case 'group':
        return this.page(node, this.unitsOf(node));
      case 'unit':
        return node.unit.labels.map(({ label, score }) => ({ kind: 'label', results: node.results, unit: node.unit, label, score, parent: node }));
      default:
        return [];
    }
  }

  getParent(node: ResultNode): ResultNode | undefined {
    if (node.kind === 'document') return undefined;
    if (node.kind === 'selections' || node.kind === 'group') return { kind: 'document', results: node.results };
    return node.parent;
  }

  getTreeItem(node: ResultNode): vscode.TreeItem {
    const threshold = this.config.lowConfidenceThreshold;
    const modelLabels = node.results.modelLabels;
    // A regression model's scores are values: "mean value", no uncertainty.
    const values = scoresAreValues(node.results);
    const mean = values ? 'mean value' : 'mean';
    switch (node.kind) {
      case 'document': {
        const { units, selections } = node.results;
        const empty = units.length === 0 && selections.length === 0;
        const item = new vscode.TreeItem(path.basename(node.results.uri.path), empty ? vscode.TreeItemCollapsibleState.None : vscode.TreeItemCollapsibleState.Expanded);
        item.id = nodeId(node);
        item.resourceUri = node.results.uri;
        item.iconPath = vscode.ThemeIcon.File;
        item.contextValue = 'document';
        const summary = summarize(units, modelLabels, values ? -Infinity : threshold);
        item.description = empty ? 'nothing to classify'
          : units.length === 0 ? `${count(selections.length, 'selection')} · ${node.results.modelName}`
            // Every unit of a regression model has the same one label: how many there are says more.
            : [...(values ? [count(units.length, 'unit')] : summary.counts.map(([label, n]) => `${label} ${n}`)), `${mean} ${formatScore(summary.meanScore)}`].join(' · ');
        item.tooltip = new vscode.MarkdownString([
          `**${path.basename(node.results.uri.path)}**: ${empty ? 'nothing to classify' : `${count(units.length, `${node.results.unit} unit`)} classified by ${node.results.modelName}`}`,
          ...summary.counts.map(([label, n]) => `- ${label}: ${n}`),
          ...(units.length > 0 ? [`\n${values ? 'Mean value (regression: values, not probabilities)' : 'Mean confidence'} ${formatScore(summary.meanScore)}${values ? '' : `; ${summary.uncertain} below ${formatScore(threshold)}`}${summary.stale ? `; ${summary.stale} edited since` : ''}`] : []),
          ...(selections.length > 0 ? [`\n${count(selections.length, 'classified selection')}`] : []),
        ].join('\n'));
        return item;
      }
      case 'selections': {
        const item = new vscode.TreeItem('Selections', vscode.TreeItemCollapsibleState.Expanded);
        item.id = nodeId(node);
        item.description = String(node.results.selections.length);
        item.iconPath = new vscode.ThemeIcon('selection');
        item.contextValue = 'selections';
        return item;
      }
      case 'group': {
        const units = this.unitsOf(node);
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
        item.id = nodeId(node);
        item.description = `${units.length} · ${mean} ${formatScore(summarize(units, modelLabels).meanScore)}`;
        item.iconPath = new vscode.ThemeIcon('circle-filled', labelColour(node.label, modelLabels));
        item.contextValue = 'labelGroup';
        return item;
      }
      case 'unit': {
        const { unit } = node;
        const uncertain = isUncertain(unit.labels, threshold, values);
        // A stale row leads with the mark, not with a score that no longer describes its text.
        const label = unit.stale ? staleText : topLabelText(unit.labels, values) + (uncertain ? ' ?' : '');
        const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = nodeId(node);
        item.description = unit.stale ? `was ${topLabelText(unit.labels, values)} · ${preview(unit.text)}` : preview(unit.text);
        const excerpt = unit.text.length > 500 ? `${unit.text.slice(0, 500)}…` : unit.text;
        item.tooltip = [
          unit.stale ? `Edited since it was classified: re-classify for a current score. Classified text:\n${excerpt}` : excerpt,
          unit.windows > 1 ? `(${unit.windows} windows)` : '',
          uncertain ? `Uncertain: top score below ${formatScore(threshold)}` : '',
        ].filter(Boolean).join('\n\n');
        item.iconPath = labelIcon(unit.labels[0]?.label ?? '', modelLabels, unit.stale ? 'stale' : uncertain ? 'uncertain' : 'confident');
        item.contextValue = 'unit';
        item.command = { command: 'textClassifier.revealUnit', title: 'Reveal', arguments: [node.results.uri, unit.start, unit.end] };
        return item;
      }
      case 'label': {
        const item = new vscode.TreeItem(scoreText(node, values), vscode.TreeItemCollapsibleState.None);
        item.id = `${nodeId(node.parent)}/${node.label}`;
        item.iconPath = labelIcon(node.label, modelLabels);
        item.contextValue = 'label';
        return item;
      }
      case 'more': {
        const item = new vscode.TreeItem('Show more…', vscode.TreeItemCollapsibleState.None);
        item.id = `${nodeId(node.parent)}/more`;
        item.description = `${node.shown.toLocaleString('en-US')} of ${node.total.toLocaleString('en-US')} shown`;
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.contextValue = 'more';
        item.command = { command: 'textClassifier.showMoreResults', title: 'Show more', arguments: [node] };
        return item;
      }
    }
  }

  /** The tree node of the unit (or selection) starting at `start` in `uri`, its page shown, for revealing it. */
  unitNode(uri: vscode.Uri, start: number): ResultNode | undefined {
    const results = this.results.get(uri);
    if (!results) return undefined;
    const document: ResultNode = { kind: 'document', results };
    const containers: Container[] = [
      { kind: 'selections', results },
      ...(this.arrangement.groupByLabel ? results.modelLabels.map((label): Container => ({ kind: 'group', results, label })) : [document as Container]),
    ];
    for (const container of containers) {
      const units = this.unitsOf(container);
      const index = units.findIndex((unit) => unit.start === start);
      if (index < 0) continue;
      const key = nodeId(container);
      this.pages.set(key, Math.max(this.pages.get(key) ?? 1, Math.ceil((index + 1) / pageSize)));
      return { kind: 'unit', results, unit: units[index], parent: container };
    }
    return undefined;
  }

  /** The units a container lists, filtered and sorted by the arrangement. */
  private unitsOf(container: Container): ResultUnit[] {
    const { results } = container;
    let units: ResultUnit[] = container.kind === 'selections' ? results.selections : results.units;
    if (container.kind === 'group') units = units.filter((unit) => unit.labels[0]?.label === container.label);
    if (this.arrangement.lowConfidenceOnly && container.kind !== 'selections') {
      const threshold = this.config.lowConfidenceThreshold;
      units = units.filter((unit) => isUncertain(unit.labels, threshold, scoresAreValues(results)));
    }
    if (this.arrangement.sortBy === 'score') units = [...units].sort((a, b) => (b.labels[0]?.score ?? 0) - (a.labels[0]?.score ?? 0));
    return units;
  }

  /** The shown pages of `units` as rows, and a "Show more…" row when some are left. */
  private page(parent: Container, units: ResultUnit[]): ResultNode[] {
    const shown = Math.min(units.length, pageSize * (this.pages.get(nodeId(parent)) ?? 1));
    const rows: ResultNode[] = units.slice(0, shown).map((unit) => ({ kind: 'unit', results: parent.results, unit, parent }));
    if (shown < units.length) rows.push({ kind: 'more', results: parent.results, parent, shown, total: units.length });
    return rows;
  }

  private refresh(): void {
    void this.publishArrangement();
    this.changed.fire(undefined);
  }

  private async publishArrangement(): Promise<void> {
    const { sortBy, groupByLabel, lowConfidenceOnly } = this.arrangement;
    if (this.view) {
      this.view.description = [sortBy === 'score' ? 'by score' : 'by position', groupByLabel ? 'grouped by label' : '',
        lowConfidenceOnly ? `below ${formatScore(this.config.lowConfidenceThreshold)} only` : ''].filter(Boolean).join(' · ');
    }
    await vscode.commands.executeCommand('setContext', 'textClassifier.results.sortBy', sortBy);
    await vscode.commands.executeCommand('setContext', 'textClassifier.results.groupByLabel', groupByLabel);
    await vscode.commands.executeCommand('setContext', 'textClassifier.results.lowConfidenceOnly', lowConfidenceOnly);
  }

  dispose(): void {
    this.subscriptions.forEach((subscription) => subscription.dispose());
    this.changed.dispose();
  }
}

/** A stable id per row: the same unit keeps its id (and its expanded state) across refreshes. */
function nodeId(node: ResultNode): string {
  switch (node.kind) {
    case 'document': return node.results.uri.toString();
    case 'selections': return `${node.results.uri.toString()}/selections`;
    case 'group': return `${node.results.uri.toString()}/label:${node.label}`;
    case 'unit': return `${nodeId(node.parent)}#${node.unit.start}-${node.unit.end}`;
    case 'label': return `${nodeId(node.parent)}/${node.label}`;
    case 'more': return `${nodeId(node.parent)}/more`;
  }
}

interface Summary {
  /** [label, units with it on top], in the model's label order, labels with no unit left out. */
  counts: [string, number][];
  meanScore: number;
  uncertain: number;
  stale: number;
}

function summarize(units: readonly ResultUnit[], modelLabels: readonly string[], threshold = 0): Summary {
  const byLabel = new Map<string, number>();
  let total = 0;
  let stale = 0;
  let uncertain = 0;
  for (const unit of units) {
    const top = unit.labels[0];
    if (!top) continue;
    byLabel.set(top.label, (byLabel.get(top.label) ?? 0) + 1);
    total += top.score;
    if (unit.stale) stale++;
    if (top.score < threshold) uncertain++;
  }
  const order = (label: string) => { const index = modelLabels.indexOf(label); return index < 0 ? modelLabels.length : index; };
  return { counts: [...byLabel].sort((a, b) => order(a[0]) - order(b[0])), meanScore: units.length ? total / units.length : 0, uncertain, stale };
}

function count(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}
