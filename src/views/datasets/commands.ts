// The dataset explorer's and the report's commands, as a table of small functions of the services
// they use (extension.ts registers them next to its own).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LabelMappingError, parseLabelMap, type LabelMismatch } from '../../datasets/labels';
import { readRecords } from '../../datasets/records';
import { detectFormat, inspectDataset } from '../../datasets/schema';
import type { EvaluationService } from '../../editor/evaluation';
import type { EvaluationRecord } from '../../evaluation/store';
import { exportPredictions, ExportFormat } from '../../evaluation/exportPredictions';
import { metricsMarkdown } from '../report/markdown';
import type { ReportPanels } from '../report/panel';
import { offerWaysOut } from './labelMismatch';
import type { DatasetSettings } from '../../editor/datasetSettings';
import type { DatasetColumns } from '../../datasets/types';
import type { DatasetNode, DatasetsTreeProvider } from './tree';
import type { Command } from '../command';
import { errorMessage } from '../../classifier/errors';

export interface DatasetsContext {
  readonly datasets: DatasetsTreeProvider;
  readonly datasetSettings: DatasetSettings;
  readonly evaluations: EvaluationService;
  readonly reports: ReportPanels;
}

/** A dataset as commands receive it: a tree node, a file URI or path, or an evaluation record. */
type DatasetTarget = DatasetNode | vscode.Uri | string | EvaluationRecord | undefined;

export const datasetCommands: Record<string, (ctx: DatasetsContext) => Command> = {
  /** The evaluation record; a LabelMismatchOutcome when the dataset's labels do not fit the model. */
  evaluateDataset: (ctx) => async (target?: DatasetTarget, options: { openReport?: boolean; heldOutOnly?: boolean } = {}) => {
    const file = await datasetFile(ctx, target, 'Evaluate the model on which dataset?');
    if (!file) return undefined;
    const columns = ctx.datasetSettings.columns(file);
    let record: EvaluationRecord;
    try {
      record = await ctx.evaluations.runWithProgress(file, columns, { heldOutOnly: options.heldOutOnly });
    } catch (error) {
      if (error instanceof LabelMappingError && error.mismatch) return offerWaysOut(file, columns, error as LabelMappingError & { mismatch: LabelMismatch });
      throw error;
    }
    if (options.openReport ?? true) ctx.reports.show(record);
    return record;
  },
  openReport: (ctx) => async (target?: DatasetTarget) => {
    const record = await recordOf(ctx, target);
    if (!record) return undefined;
    ctx.reports.show(record);
    return record;
  },
  addDataset: (ctx) => async (uri?: vscode.Uri) => {
    const file = uri?.fsPath ?? (await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Add Dataset', filters: { Datasets: ['csv', 'tsv', 'tab', 'jsonl', 'ndjson', 'txt'], 'All files': ['*'] } }))?.[0]?.fsPath;
    if (!file) return undefined;
    await ctx.datasetSettings.add(file);
    return file;
  },
  removeDataset: (ctx) => async (target?: DatasetTarget) => {
    const file = await datasetFile(ctx, target, 'Remove which added dataset?');
    if (file) await ctx.datasetSettings.remove(file);
  },
  refreshDatasets: (ctx) => () => ctx.datasets.refresh(),
  configureColumns: (ctx) => async (target?: DatasetTarget, columns?: DatasetColumns) => {
    const file = await datasetFile(ctx, target, 'Configure the columns of which dataset?');
    if (!file) return undefined;
    const chosen = columns ?? (await askColumns(file, ctx.datasetSettings.columns(file)));
    if (!chosen) return undefined;
    await ctx.datasetSettings.setColumns(file, chosen);
    return chosen;
  },
  showMoreExamples: (ctx) => (node: Extract<DatasetNode, { kind: 'more' | 'label' }>) => ctx.datasets.showMore(node),
  openDatasetLine: () => async (file: string, line: number) => {
    // vscode.open rather than openTextDocument: the editor opens files over 50 MB that extensions cannot load.
    const position = new vscode.Position(Math.max(0, line - 1), 0);
    const options: vscode.TextDocumentShowOptions = { selection: new vscode.Range(position, position), preview: true };
    await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(file), options);
  },
  exportPredictions: (ctx) => async (target?: DatasetTarget, format?: ExportFormat, destination?: vscode.Uri) => {
    const record = await recordOf(ctx, target);
    if (!record) return undefined;
    const base = path.join(path.dirname(record.datasetPath), `${path.basename(record.datasetPath).replace(/\.[^.]+$/, '')}.${record.model.name}.predictions`);
    const uri = destination ?? (await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.file(`${base}.${format ?? 'csv'}`),
      filters: format ? { [format.toUpperCase()]: [format] } : { CSV: ['csv'], JSONL: ['jsonl'] },
      saveLabel: 'Export Predictions',
    }));
    if (!uri) return undefined;
    const chosen: ExportFormat = format ?? (uri.fsPath.toLowerCase().endsWith('.jsonl') ? 'jsonl' : 'csv');
    const rows = await exportPredictions(ctx.evaluations.store.predictionsFile(record), record.model.labels, uri.fsPath, chosen);
    void vscode.window.showInformationMessage(`Text Classifier: exported ${rows.toLocaleString('en-US')} predictions to ${uri.fsPath}`);
    return uri;
  },
  copyMetrics: (ctx) => async (target?: DatasetTarget) => {
    const record = await recordOf(ctx, target);
    if (!record) return undefined;
    const markdown = metricsMarkdown(record);
    await vscode.env.clipboard.writeText(markdown);
    void vscode.window.setStatusBarMessage('Text Classifier: metrics copied as Markdown', 3000);
    return markdown;
  },
};

/** The dataset file a command is about; asks with a quick pick when there is no target. */
async function datasetFile(ctx: DatasetsContext, target: DatasetTarget, question: string): Promise<string | undefined> {
  if (typeof target === 'string') return target;
  if (target instanceof vscode.Uri) return target.fsPath;
  if (target && 'datasetPath' in target) return target.datasetPath;
  if (target?.kind === 'dataset' || target?.kind === 'label' || target?.kind === 'more') return target.file.path;
  const files = target?.kind === 'group' ? target.group.splits : await ctx.datasets.files();
  if (files.length === 0) throw new Error('No datasets found: add one with "Text Classifier: Add Dataset…" or check the textClassifier.datasets.glob setting.');
  const picked = await vscode.window.showQuickPick(
    files.map((file) => ({ label: path.basename(file.path), description: file.split, detail: vscode.workspace.asRelativePath(file.path), file: file.path })),
    { placeHolder: question, matchOnDetail: true },
  );
  return picked?.file;
}

/** The stored evaluation a report command is about: the target's latest, else the report in front. */
async function recordOf(ctx: DatasetsContext, target: DatasetTarget): Promise<EvaluationRecord | undefined> {
  if (target && typeof target === 'object' && 'datasetPath' in target) return target;
  if (!target && ctx.reports.activeRecord) return ctx.reports.activeRecord;
  const file = await datasetFile(ctx, target, 'Which dataset?');
  if (!file) return undefined;
  const record = await ctx.evaluations.store.latestFor(file);
  if (!record) throw new Error(`${path.basename(file)} has not been evaluated yet: run "Text Classifier: Evaluate Model on Dataset" first.`);
  return record;
}

/** Quick picks for the text and label columns, then the label mapping. */
async function askColumns(file: string, current: DatasetColumns): Promise<DatasetColumns | undefined> {
  const hasHeader = await askHeader(file, current);
  if (hasHeader === null) return undefined;
  const columns = await columnNames(file, { ...current, hasHeader });
  // The current choice when it still applies, else what would be detected with this header setting.
  const detected = await inspectDataset(file, { ...current, hasHeader })
    .catch(() => inspectDataset(file, { format: current.format, hasHeader }))
    .catch(() => undefined);
  const textPicks = columns.map((column) => ({ label: column, picked: detected?.textColumns.includes(column) ?? false }));
  const text = await vscode.window.showQuickPick(textPicks, { canPickMany: true, title: `${path.basename(file)}: text column(s)`, placeHolder: 'Several are joined with a space' });
  if (!text || text.length === 0) return undefined;
  const labelPicks = columns.filter((column) => !text.some((pick) => pick.label === column)).map((column) => ({ label: column, description: column === detected?.labelColumn ? 'detected' : undefined }));
  const label = await vscode.window.showQuickPick(labelPicks, { title: `${path.basename(file)}: label column` });
  if (!label) return undefined;
  const mapping = await vscode.window.showInputBox({
    title: `${path.basename(file)}: label mapping (optional)`,
    prompt: 'Gold label = model label pairs, e.g. "0=negative,1=positive"; empty: by name or index',
    value: current.labelMap ? Object.entries(current.labelMap).map(([gold, model]) => `${gold}=${model}`).join(',') : '',
    validateInput: (value) => {
      if (value.trim() === '') return undefined;
      try {
        parseLabelMap(value);
        return undefined;
      } catch (error) {
        return errorMessage(error);
      }
    },
  });
  if (mapping === undefined) return undefined;
  return { ...current, hasHeader, textColumn: text.map((pick) => pick.label).join(','), labelColumn: label.label, labelMap: mapping.trim() ? parseLabelMap(mapping) : undefined };
}

/** CSV/TSV: whether the first row names the columns (the detected answer is marked); null when dismissed. */
async function askHeader(file: string, current: DatasetColumns): Promise<boolean | undefined | null> {
  const format = current.format ?? (await detectFormat(file));
  if (format === 'jsonl') return undefined;
  const detected = (await inspectDataset(file, { format }).catch(() => undefined))?.hasHeader;
  const mark = (value: boolean) => (detected === value ? 'detected' : undefined);
  const picks = [
    { label: 'The first row names the columns', value: true, description: mark(true) },
    { label: 'The first row is data', value: false, description: mark(false) },
  ];
  const choice = await vscode.window.showQuickPick(current.hasHeader === false || (current.hasHeader === undefined && detected === false) ? picks.reverse() : picks, {
    title: `${path.basename(file)}: header`,
  });
  return choice ? choice.value : null;
}

/** Column names from the detected schema, else from the first record (when detection fails). */
async function columnNames(file: string, current: DatasetColumns): Promise<string[]> {
  const schema = await inspectDataset(file, { format: current.format, hasHeader: current.hasHeader }).catch(() => undefined);
  if (schema) return schema.columns;
  const format = current.format ?? (await detectFormat(file));
  for await (const record of readRecords(file, format)) {
    if (record.object) return Object.keys(record.object);
    if (record.fields) return record.fields.map((_, index) => String(index + 1));
  }
  throw new Error(`${file}: no readable rows`);
}
