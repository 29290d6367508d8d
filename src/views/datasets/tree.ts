// The `textClassifier.datasets` tree: datasets (or a dataset's splits) -> labels with counts and
// shares -> the first examples of each label, paged; skipped rows with their line and reason.
// Clicking an example or a skipped row opens the file at its line.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeColumns, labelNames, labelWithName } from '../../datasets/labelNames';
import { previewRows } from '../../datasets/scan';
import type { LabeledRow, SkippedRow } from '../../datasets/types';
import type { EvaluationService } from '../../editor/evaluation';
import { DatasetFile, DatasetGroup, DiscoveredDataset, discoverDatasets } from '../../editor/datasetDiscovery';
import type { DatasetSettings } from '../../editor/datasetSettings';
import { DatasetSummaries, SummaryState, yieldEveryMs } from '../../editor/datasetSummaries';
import { escapeMarkdown, inlineCode } from '../markdownText';

export type DatasetNode =
  | { kind: 'group'; group: DatasetGroup }
  | { kind: 'dataset'; file: DatasetFile; inGroup: boolean }
  | { kind: 'label'; file: DatasetFile; label: string; count: number; share: number; /** "1 · World" */ display: string }
  | { kind: 'example'; file: DatasetFile; row: LabeledRow }
  | { kind: 'more'; file: DatasetFile; label: string }
  | { kind: 'skipped'; file: DatasetFile; count: number; listed: SkippedRow[] }
  | { kind: 'skippedRow'; file: DatasetFile; row: SkippedRow };

export interface DatasetsSource {
  glob: string;
  maxSizeMB: number;
}

/** Examples shown per label at first and added by each "Show more". */
export const examplesPageSize = 10;

export class DatasetsTreeProvider implements vscode.TreeDataProvider<DatasetNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<DatasetNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private roots: Promise<DiscoveredDataset[]> | undefined;
  private readonly nodes = new Map<string, DatasetNode>();
  /** Examples shown per file and label. */
  private readonly shown = new Map<string, number>();
  private showingProgress = false;
  private readonly subscriptions: vscode.Disposable[];
  private watcher: vscode.FileSystemWatcher | undefined;

  constructor(
    readonly summaries: DatasetSummaries,
    private readonly settings: DatasetSettings,
    private readonly evaluations: EvaluationService,
    private readonly source: () => DatasetsSource,
    /** The editor's model labels, to name a dataset's label ids (when the dataset does not name them). */
    private readonly modelLabels: () => string[] | undefined = () => undefined,
  ) {
    this.subscriptions = [
      settings.onDidChange(() => this.refresh()),
      summaries.onDidChange((file) => this.fireFile(file)),
      evaluations.onDidChange((record) => this.fireFile(record.datasetPath)),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (!event.affectsConfiguration('textClassifier.datasets')) return;
        this.watch();
        this.refresh();
      }),
    ];
    this.watch();
  }

  /** Watches the files the glob setting matches: new and deleted ones change the list, edited ones are counted again. */
  private watch(): void {
    this.watcher?.dispose();
    const watcher = vscode.workspace.createFileSystemWatcher(this.source().glob);
    watcher.onDidChange((uri) => this.summaries.invalidate(uri.fsPath));
    watcher.onDidCreate(() => this.refresh());
    watcher.onDidDelete(() => this.refresh());
    this.watcher = watcher;
  }

  /** Looks for dataset files again. */
  refresh(): void {
    this.roots = undefined;
    this.changed.fire(undefined);
  }

  /** The datasets found: single files and groups of splits. */
  datasets(): Promise<DiscoveredDataset[]> {
    const { glob, maxSizeMB } = this.source();
    this.roots ??= discoverDatasets(glob, maxSizeMB, this.settings.added);
    return this.roots;
  }

  /** Every dataset file (splits included). */
  async files(): Promise<DatasetFile[]> {
    return (await this.datasets()).flatMap((entry) => (entry.kind === 'file' ? [entry.file] : entry.group.splits));
  }

  summary(file: string): SummaryState {
    return this.summaries.get(file, this.settings.columns(file));
  }

  /** Shows `examplesPageSize` more examples of a label. */
  showMore(node: Extract<DatasetNode, { kind: 'more' | 'label' }>): void {
    const key = shownKey(node.file.path, node.label);
    this.shown.set(key, (this.shown.get(key) ?? examplesPageSize) + examplesPageSize);
    const labelNode = this.nodes.get(`label:${key}`);
    this.changed.fire(labelNode);
  }

  async getChildren(node?: DatasetNode): Promise<DatasetNode[]> {
    if (!node) {
      return (await this.datasets()).map((entry) => (entry.kind === 'file' ? this.remember({ kind: 'dataset', file: entry.file, inGroup: false }) : { kind: 'group', group: entry.group }));
    }
    switch (node.kind) {
      case 'group':
        return node.group.splits.map((file) => this.remember({ kind: 'dataset', file, inGroup: true }));
      case 'dataset':
        return this.datasetChildren(node.file);
      case 'label': {
        const limit = this.shown.get(shownKey(node.file.path, node.label)) ?? examplesPageSize;
        const state = this.summary(node.file.path);
        if (state.status !== 'ready') return [];
        const rows = await previewRows(state.schema, { limit, label: node.label }, { yieldEveryMs });
        const examples: DatasetNode[] = rows.map((row) => ({ kind: 'example', file: node.file, row }));
        return rows.length < node.count ? [...examples, { kind: 'more', file: node.file, label: node.label }] : examples;
      }
      case 'skipped':
        return node.listed.map((row) => ({ kind: 'skippedRow', file: node.file, row }));
      default:
        return [];
    }
  }

  private datasetChildren(file: DatasetFile): DatasetNode[] {
    const state = this.summary(file.path);
    if (state.status !== 'ready') return [];
    const { summary } = state;
    const names = labelNames(file.path, summary.labelCounts, this.namingModel(file.path));
    const labels: DatasetNode[] = [...summary.labelCounts].map(([label, count]) =>
      this.remember({ kind: 'label', file, label, count, share: count / Math.max(summary.usable, 1), display: labelWithName(label, names) }),
    );
    const skipped = summary.total - summary.usable;
    return skipped > 0 ? [...labels, { kind: 'skipped', file, count: skipped, listed: summary.skippedRows }] : labels;
  }

  /** The model whose labels name this dataset's label ids: the last one evaluated on it, else the editor's. */
  private namingModel(file: string): { labels: string[]; labelMap?: Record<string, string> } | undefined {
    const latest = this.evaluations.store.cachedLatest(file);
    if (latest) return { labels: latest.model.labels, labelMap: latest.columns.labelMap };
    const labels = this.modelLabels();
    return labels && { labels, labelMap: this.settings.columns(file).labelMap };
  }

  getTreeItem(node: DatasetNode): vscode.TreeItem {
    switch (node.kind) {
      case 'group': {
        const item = new vscode.TreeItem(node.group.name, vscode.TreeItemCollapsibleState.Expanded);
        item.description = node.group.splits.map((file) => file.split).join(' · ');
        item.tooltip = node.group.directory;
        item.iconPath = new vscode.ThemeIcon('folder-library');
        item.contextValue = 'datasetGroup';
        return item;
      }
      case 'dataset':
        return this.datasetItem(node.file, node.inGroup);
      case 'label': {
        const item = new vscode.TreeItem(node.display, vscode.TreeItemCollapsibleState.Collapsed);
        item.description = `${node.count.toLocaleString('en-US')} · ${(node.share * 100).toFixed(1)} % ${bar(node.share)}`;
        item.iconPath = new vscode.ThemeIcon('tag');
        item.contextValue = 'datasetLabel';
        item.id = `label:${shownKey(node.file.path, node.label)}`;
        return item;
      }
      case 'example': {
        const item = new vscode.TreeItem(firstWords(node.row.text), vscode.TreeItemCollapsibleState.None);
        item.description = `line ${node.row.line}`;
        item.tooltip = new vscode.MarkdownString().appendText(node.row.text);
        item.command = { command: 'textClassifier.openDatasetLine', title: 'Open at Line', arguments: [node.file.path, node.row.line] };
        item.contextValue = 'datasetExample';
        return item;
      }
      case 'more': {
        const item = new vscode.TreeItem('Show more…', vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.command = { command: 'textClassifier.showMoreExamples', title: 'Show More Examples', arguments: [node] };
        return item;
      }
      case 'skipped': {
        const item = new vscode.TreeItem('skipped rows', vscode.TreeItemCollapsibleState.Collapsed);
        item.description = node.count.toLocaleString('en-US') + (node.listed.length < node.count ? ` (first ${node.listed.length} listed)` : '');
        item.iconPath = new vscode.ThemeIcon('warning');
        return item;
      }
      case 'skippedRow': {
        const item = new vscode.TreeItem(`line ${node.row.line}: ${node.row.reason}`, vscode.TreeItemCollapsibleState.None);
        item.description = node.row.detail;
        item.command = { command: 'textClassifier.openDatasetLine', title: 'Open at Line', arguments: [node.file.path, node.row.line] };
        return item;
      }
    }
  }

  private datasetItem(file: DatasetFile, inGroup: boolean): vscode.TreeItem {
    const name = path.basename(file.path);
    const state = this.summary(file.path);
    const item = new vscode.TreeItem(inGroup && file.split ? file.split : name, vscode.TreeItemCollapsibleState.Collapsed);
    item.resourceUri = vscode.Uri.file(file.path);
    item.iconPath = new vscode.ThemeIcon(state.status === 'error' ? 'error' : 'table');
    const latest = this.evaluations.store.cachedLatest(file.path);
    if (latest === undefined) void this.evaluations.store.latestFor(file.path).then((record) => record && this.fireFile(file.path));
    const accuracy = latest ? ` · acc ${(latest.result.accuracy * 100).toFixed(1)} %` : '';
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown(`**${escapeMarkdown(name)}**  \n`).appendText(`${file.path}\n`);
    if (state.status === 'counting') {
      item.description = `counting… ${Math.floor(state.fraction * 100)} %`;
      this.showProgress();
    } else if (state.status === 'error') {
      item.description = state.message.replace(`${file.path}: `, '');
      tooltip.appendText(state.message);
    } else {
      const { schema, summary } = state;
      item.description = `${summary.total.toLocaleString('en-US')} rows${accuracy} · ${describeColumns(schema.textColumns, schema.labelColumn, schema.hasHeader)}`;
      tooltip.appendMarkdown(`\n\n${schema.format.toUpperCase()}${schema.hasHeader ? ' with header' : ''}; text: ${inlineCode(schema.textColumns.join(' + '))}, label: ${inlineCode(schema.labelColumn)}  \n`);
      tooltip.appendMarkdown(`${summary.total} rows: ${summary.usable} usable, ${summary.total - summary.usable} skipped; ${summary.labelCounts.size} labels`);
    }
    if (latest) {
      tooltip.appendMarkdown(`\n\nLast evaluation: **${(latest.result.accuracy * 100).toFixed(2)} %** accuracy with ${escapeMarkdown(latest.model.name)} (${new Date(latest.finishedAt).toLocaleString()})`);
    }
    item.tooltip = tooltip;
    item.contextValue = ['dataset', latest ? 'evaluated' : '', file.addedByHand ? 'added' : ''].filter(Boolean).join('.');
    item.id = `dataset:${file.path}`;
    return item;
  }

  private remember<T extends DatasetNode>(node: T): T {
    if (node.kind === 'dataset') this.nodes.set(`dataset:${node.file.path}`, node);
    if (node.kind === 'label') this.nodes.set(`label:${shownKey(node.file.path, node.label)}`, node);
    return node;
  }

  private fireFile(file: string): void {
    const node = this.nodes.get(`dataset:${file}`);
    if (node) this.changed.fire(node);
  }

  /** A progress bar in the view while files are being counted. */
  private showProgress(): void {
    if (this.showingProgress) return;
    this.showingProgress = true;
    void vscode.window.withProgress({ location: { viewId: 'textClassifier.datasets' } }, () => this.summaries.whenIdle()).then(() => {
      this.showingProgress = false;
    });
  }

  dispose(): void {
    this.subscriptions.forEach((subscription) => subscription.dispose());
    this.watcher?.dispose();
    this.changed.dispose();
  }
}

function shownKey(file: string, label: string): string {
  return `${file}\u0000${label}`;
}

function firstWords(text: string, length = 60): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length <= length ? flat : `${flat.slice(0, length - 1)}…`;
}

function bar(share: number, width = 10): string {
  const filled = Math.round(share * width);
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}
