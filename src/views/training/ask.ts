// The questions of Train Classifier…: which dataset (and which of its files are the splits), which base
// model, which method (PyTorch shown as unavailable, with the reason, where it cannot run), and where
// the new model goes. Each returns undefined when the user dismisses it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { checkPytorch, type PytorchAvailability } from '../../training/pytorchCheck';
import type { TrainingMethod } from '../../training/train';
import type { DatasetGroup } from '../../editor/datasetDiscovery';
import type { DatasetSettings } from '../../editor/datasetSettings';
import type { DatasetNode, DatasetsTreeProvider } from '../datasets/tree';
import type { ModelManager } from '../../editor/models';
import { defaultModelFolderName } from './describe';
import type { TrainingData } from '../../editor/training';
import { errorMessage } from '../../classifier/errors';

const trainSplits = ['train', 'training'];
const validationSplits = ['validation', 'valid', 'val', 'dev', 'development', 'eval'];

/** A dataset as the command receives it: a tree node, a file URI or path. */
export type DatasetTarget = DatasetNode | vscode.Uri | string;

/** The training data of a target; a group of splits uses its train, validation and test files when it has all three. */
export function trainingDataOf(target: DatasetTarget, settings: DatasetSettings): TrainingData {
  if (typeof target === 'string' || target instanceof vscode.Uri) {
    const file = typeof target === 'string' ? target : target.fsPath;
    return { name: path.basename(file), train: file, columns: settings.columns(file) };
  }
  return target.kind === 'group' ? groupData(target.group, settings) : trainingDataOf(target.file.path, settings);
}

function groupData(group: DatasetGroup, settings: DatasetSettings): TrainingData {
  const find = (names: string[]) => group.splits.find((file) => file.split !== undefined && names.includes(file.split))?.path;
  const train = find(trainSplits);
  if (!train) throw new Error(`the dataset ${group.name} has no train split (${group.splits.map((file) => path.basename(file.path)).join(', ')}); train on one of its files instead`);
  const validation = find(validationSplits);
  const test = find(['test']);
  // The training reads every split with the train file's columns.
  const columns = settings.columns(train);
  if (validation && test) return { name: group.name, train, validation, test, columns };
  return { name: group.name, train, columns };
}

/** How the data will be split, in words. */
export function describeSplit(data: TrainingData): string {
  return data.test
    ? `splits: ${path.basename(data.train)} / ${path.basename(data.validation!)} / ${path.basename(data.test)}`
    : `a seeded stratified 80/10/10 train/validation/test split of ${path.basename(data.train)}`;
}

type DatasetChoice = vscode.QuickPickItem & { data?: TrainingData; browse?: true };

export async function askDataset(datasets: DatasetsTreeProvider, settings: DatasetSettings): Promise<TrainingData | undefined> {
  const choices: DatasetChoice[] = [];
  for (const entry of await datasets.datasets()) {
    try {
      const data = entry.kind === 'file' ? trainingDataOf(entry.file.path, settings) : groupData(entry.group, settings);
      choices.push({ label: data.name, description: describeSplit(data), detail: vscode.workspace.asRelativePath(data.train), data });
    } catch (error) {
      choices.push({ label: entry.kind === 'group' ? entry.group.name : path.basename(entry.file.path), description: `cannot train: ${errorMessage(error)}` });
    }
  }
  choices.push({ label: '$(folder-opened) Browse…', description: 'a CSV, TSV or JSONL file with a text and a label column', browse: true });
  const picked = await vscode.window.showQuickPick(choices, { title: 'Train Classifier (1/4): dataset', placeHolder: 'The labeled dataset to learn from', matchOnDetail: true });
  if (!picked) return undefined;
  if (picked.browse) {
    const files = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Train on This Dataset', filters: { Datasets: ['csv', 'tsv', 'tab', 'jsonl', 'ndjson', 'txt'], 'All files': ['*'] } });
    return files?.[0] ? trainingDataOf(files[0].fsPath, settings) : undefined;
  }
  if (!picked.data) throw new Error(`${picked.label}: ${picked.description}`);
  return picked.data;
}

type ModelChoice = vscode.QuickPickItem & { dir?: string; browse?: true };

export async function askBaseModel(models: ModelManager): Promise<string | undefined> {
  const current = models.model?.dir;
  const choices: ModelChoice[] = [];
  if (current) choices.push({ label: path.basename(current), description: 'the model in use', detail: current, dir: current });
  for (const dir of models.bundledModels().filter((dir) => dir !== current)) choices.push({ label: path.basename(dir), description: 'bundled', detail: dir, dir });
  for (const dir of models.recentModels().filter((dir) => !choices.some((choice) => choice.dir === dir))) choices.push({ label: path.basename(dir), description: 'recently used', detail: dir, dir });
  choices.push({ label: '$(folder-opened) Browse…', description: 'a model directory (config.json, tokenizer.json, ONNX file)', browse: true });
  const picked = await vscode.window.showQuickPick(choices, { title: 'Train Classifier (2/4): base model', placeHolder: 'The encoder (and tokenizer) the new model starts from' });
  if (!picked) return undefined;
  if (!picked.browse) return picked.dir;
  const folders = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Use as Base Model', title: 'Base model directory' });
  return folders?.[0]?.fsPath;
}

type MethodChoice = vscode.QuickPickItem & { method: TrainingMethod; unavailable?: string };

/** The method; PyTorch is checked while the list is open and marked unavailable, with the reason, when it cannot run. */
export async function askMethod(python: string | undefined): Promise<TrainingMethod | undefined> {
  const linear: MethodChoice = {
    label: '$(zap) Linear head on the frozen encoder',
    description: 'no Python needed · about a minute',
    detail: 'Trains a new classification layer on the base model\'s sentence features, in the editor.',
    method: 'linear-head',
  };
  const pytorch = (availability?: PytorchAvailability): MethodChoice => ({
    label: availability?.available === false ? '$(circle-slash) Fine-tune the whole model with PyTorch (unavailable)' : '$(flame) Fine-tune the whole model with PyTorch',
    description: availability === undefined ? 'checking for Python and torch…' : availability.available ? `torch ${availability.torchVersion} · several minutes` : 'unavailable',
    detail: availability?.available === false ? availability.reason : 'Trains every weight with the project\'s PyTorch pipeline; usually the most accurate.',
    method: 'pytorch',
    unavailable: availability?.available === false ? availability.reason : availability === undefined ? 'still checking for Python and torch; pick it again in a moment' : undefined,
  });
  const quickPick = vscode.window.createQuickPick<MethodChoice>();
  quickPick.title = 'Train Classifier (3/4): method';
  quickPick.items = [linear, pytorch()];
  quickPick.busy = true;
  let disposed = false;
  void checkPytorch({ python }).then((availability) => {
    if (disposed) return;
    quickPick.items = [linear, pytorch(availability)];
    quickPick.busy = false;
  });
  try {
    return await new Promise<TrainingMethod | undefined>((resolve) => {
      quickPick.onDidAccept(() => {
        const picked = quickPick.selectedItems[0];
        if (picked?.unavailable) {
          void vscode.window.showWarningMessage(`Text Classifier: PyTorch fine-tuning is unavailable: ${picked.unavailable}`);
          return;
        }
        resolve(picked?.method);
      });
      quickPick.onDidHide(() => resolve(undefined));
      quickPick.show();
    });
  } finally {
    disposed = true;
    quickPick.dispose();
  }
}

/** A folder that does not exist yet: under the workspace's models/ folder, else in extension storage. */
export function defaultOutput(data: TrainingData, method: TrainingMethod, globalRoot: string): string {
  const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const root = workspace ? path.join(workspace, 'models') : globalRoot;
  const name = defaultModelFolderName(data.name, method);
  let candidate = path.join(root, name);
  for (let n = 2; fs.existsSync(candidate); n++) candidate = path.join(root, `${name}-${n}`);
  return candidate;
}

export async function askOutput(suggested: string): Promise<string | undefined> {
  const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const answer = await vscode.window.showInputBox({
    title: 'Train Classifier (4/4): new model folder',
    prompt: workspace ? 'A new folder (relative paths are under the workspace folder)' : 'A new folder for the model',
    value: suggested,
    valueSelection: [suggested.length - path.basename(suggested).length, suggested.length],
    validateInput: (value) => {
      if (value.trim() === '') return 'Name a folder for the new model';
      const resolved = resolveOutput(value);
      return fs.existsSync(resolved) ? `${resolved} already exists; choose a new folder` : undefined;
    },
  });
  return answer === undefined ? undefined : resolveOutput(answer);
}

function resolveOutput(value: string): string {
  const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const trimmed = value.trim();
  return path.isAbsolute(trimmed) || !workspace ? path.resolve(trimmed) : path.resolve(workspace, trimmed);
}
