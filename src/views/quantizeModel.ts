// Quantize Model… (palette): asks for the model (default: the one in use), the output folder and
// optionally a dataset to compare the two models on (or takes them from an options object: tests and
// other extensions), quantizes in its own process, then shows the accuracy before and after and offers
// "Use This Model", which switches the editor through Select Model…'s own command.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DatasetSettings } from '../editor/datasetSettings';
import type { ModelManager } from '../editor/models';
import type { QuantizeService } from '../editor/quantize';
import type { QuantizeJobResult } from '../quantize/job';
import type { DatasetsTreeProvider } from './datasets/tree';

export interface QuantizeContext {
  readonly quantize: QuantizeService;
  readonly models: ModelManager;
  readonly datasets: DatasetsTreeProvider;
  readonly datasetSettings: DatasetSettings;
  /** Where new models go when there is no workspace folder. */
  readonly globalModelsRoot: string;
}

/** Everything Quantize Model… would ask; what is missing is asked. `dataset: null` compares on none. */
export interface QuantizeCommandOptions {
  model?: string;
  output?: string;
  dataset?: string | null;
  overwrite?: boolean;
  /** Cancels like the notification's Cancel button. */
  signal?: AbortSignal;
}

export const useThisModel = 'Use This Model';

export async function quantizeModel(ctx: QuantizeContext, options: QuantizeCommandOptions = {}): Promise<QuantizeJobResult | undefined> {
  const modelDir = options.model ?? (await askModel(ctx.models));
  if (!modelDir) return undefined;
  const output = options.output ?? (await askOutput(defaultOutput(modelDir, ctx.globalModelsRoot)));
  if (!output) return undefined;
  const dataset = options.dataset !== undefined ? options.dataset : await askDataset(ctx.datasets);
  if (dataset === undefined) return undefined;
  let overwrite = options.overwrite ?? false;
  if (!overwrite && fs.existsSync(output)) {
    if ((await vscode.window.showWarningMessage(`${output} already exists. Replace it?`, { modal: true }, 'Replace')) !== 'Replace') return undefined;
    overwrite = true;
  }
  const columns = dataset ? ctx.datasetSettings.columns(dataset) : undefined;
  const result = await ctx.quantize.quantizeWithProgress({ modelDir, outDir: output, overwrite, dataset: dataset && columns ? { path: dataset, ...columns } : undefined }, options.signal);
  if (result) void announce(result);
  return result;
}

/** The end: size, accuracy before and after, and the button. */
async function announce(result: QuantizeJobResult): Promise<void> {
  const percent = (value: number) => `${(value * 100).toFixed(2)} %`;
  const size = `${(result.quantizedBytes / 1e6).toFixed(1)} MB, ${percent(result.quantizedBytes / result.sourceBytes)} of the original`;
  const { comparison } = result;
  const accuracy = comparison
    ? ` Accuracy on ${path.basename(comparison.dataset)}: ${percent(comparison.before.accuracy)} before, ${percent(comparison.after.accuracy)} after (macro-F1 ${percent(comparison.before.macroF1)} → ${percent(comparison.after.macroF1)}); ${comparison.changedLabels} of ${comparison.evaluated} rows changed label.`
    : '';
  const choice = await vscode.window.showInformationMessage(`Text Classifier: quantized ${path.basename(result.outDir)} (${size}).${accuracy}`, useThisModel);
  if (choice === useThisModel) await vscode.commands.executeCommand('textClassifier.selectModel', result.outDir);
}

type ModelChoice = vscode.QuickPickItem & { dir?: string; browse?: true };

async function askModel(models: ModelManager): Promise<string | undefined> {
  const current = models.model?.dir;
  const choices: ModelChoice[] = [];
  if (current) choices.push({ label: path.basename(current), description: 'the model in use', detail: current, dir: current });
  for (const dir of models.bundledModels().filter((dir) => dir !== current)) choices.push({ label: path.basename(dir), description: 'bundled', detail: dir, dir });
  for (const dir of models.recentModels().filter((dir) => !choices.some((choice) => choice.dir === dir))) choices.push({ label: path.basename(dir), description: 'recently used', detail: dir, dir });
  choices.push({ label: '$(folder-opened) Browse…', description: 'a model directory (config.json, tokenizer.json, ONNX file)', browse: true });
  const picked = await vscode.window.showQuickPick(choices, { title: 'Quantize Model (1/3): model', placeHolder: 'The model to quantize to int8' });
  if (!picked) return undefined;
  if (!picked.browse) return picked.dir;
  const folders = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Quantize This Model', title: 'Model directory' });
  return folders?.[0]?.fsPath;
}

/** `<name>-int8` under the workspace's models/ folder, else in extension storage; a name not taken yet. */
function defaultOutput(modelDir: string, globalRoot: string): string {
  const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const root = workspace ? path.join(workspace, 'models') : globalRoot;
  const name = `${path.basename(modelDir)}-int8`;
  let candidate = path.join(root, name);
  for (let n = 2; fs.existsSync(candidate); n++) candidate = path.join(root, `${name}-${n}`);
  return candidate;
}

async function askOutput(suggested: string): Promise<string | undefined> {
  const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const resolve = (value: string) => (path.isAbsolute(value.trim()) || !workspace ? path.resolve(value.trim()) : path.resolve(workspace, value.trim()));
  const answer = await vscode.window.showInputBox({
    title: 'Quantize Model (2/3): new model folder',
    prompt: 'The folder for the int8 model (onnx/model_quantized.onnx and copies of the other files)',
    value: suggested,
    valueSelection: [suggested.length - path.basename(suggested).length, suggested.length],
    validateInput: (value) => (value.trim() === '' ? 'Name a folder for the quantized model' : undefined),
  });
  return answer === undefined ? undefined : resolve(answer);
}

type DatasetChoice = vscode.QuickPickItem & { file?: string | null; browse?: true };

/** A dataset file, null for none, undefined when dismissed. */
async function askDataset(datasets: DatasetsTreeProvider): Promise<string | null | undefined> {
  const choices: DatasetChoice[] = [{ label: 'No dataset', description: 'quantize only', file: null }];
  for (const entry of await datasets.datasets()) {
    for (const file of entry.kind === 'file' ? [entry.file] : entry.group.splits) {
      choices.push({ label: path.basename(file.path), description: 'compare accuracy before and after', detail: vscode.workspace.asRelativePath(file.path), file: file.path });
    }
  }
  choices.push({ label: '$(folder-opened) Browse…', description: 'a CSV, TSV or JSONL file with a text and a label column', browse: true });
  const picked = await vscode.window.showQuickPick(choices, { title: 'Quantize Model (3/3): dataset to compare on (optional)', placeHolder: 'Evaluate both models on a labeled dataset?', matchOnDetail: true });
  if (!picked) return undefined;
  if (!picked.browse) return picked.file;
  const files = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Compare on This Dataset', filters: { Datasets: ['csv', 'tsv', 'tab', 'jsonl', 'ndjson', 'txt'], 'All files': ['*'] } });
  return files?.[0]?.fsPath;
}
