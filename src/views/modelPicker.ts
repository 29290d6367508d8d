// Select Model…: the bundled models, model directories in the workspace, recent and downloaded
// ones, Browse… and Download from Hugging Face…. Each model's detail line says what `textclf models
// --check` finds (family, tokenizer, labels, variant, window), filled in as the worker checks them one
// by one (a model checked before and unchanged since shows it at once); a model the engine cannot run
// says why and is not loaded when picked. Returns the choice.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeCheck } from '../classifier/checkSummary';
import type { ModelCheck } from '../classifier/types';
import { variantFiles, variantPreference } from '../classifier/variants';
import { readTrainingMetadata } from '../training/modelDirectory';
import type { ModelManager } from '../editor/models';
import { describeTrainedModel } from './training/describe';

type Choice = vscode.QuickPickItem & { dir?: string; action?: 'browse' | 'download' };

/** A picked model directory and, when it was checked before it was picked, what the check found. */
export interface PickedModel {
  dir: string;
  check?: ModelCheck;
}

/** `textclf models --check` of a directory, run by the worker (ClassifierClient.checkModel), and what is known already. */
export interface CheckModel {
  check(dir: string): Promise<ModelCheck>;
  /** A check remembered from an earlier one while the directory is unchanged (editor/modelChecks.ts). */
  known(dir: string): ModelCheck | undefined;
}

const onnxFiles = variantPreference('auto').flatMap(variantFiles);

/** A folder with config.json, tokenizer.json and an ONNX file. */
export function looksLikeModel(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'config.json')) && fs.existsSync(path.join(dir, 'tokenizer.json')) &&
    onnxFiles.some((file) => fs.existsSync(path.join(dir, file)));
}

async function workspaceModels(): Promise<string[]> {
  if (!vscode.workspace.isTrusted) return [];
  const configs = await vscode.workspace.findFiles('**/config.json', '**/node_modules/**', 200);
  return configs.map((uri) => path.dirname(uri.fsPath)).filter(looksLikeModel);
}

function downloadedModels(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root).filter((name) => !name.startsWith('.')).map((name) => path.join(root, name)).filter(looksLikeModel);
}

/** The chosen model, 'download' for a Hugging Face download, or undefined when dismissed (or the model picked cannot run). */
export async function pickModel(models: ModelManager, downloadedRoot: string, trained: string[], checkModel: CheckModel): Promise<PickedModel | 'download' | undefined> {
  const current = models.model?.dir;
  // Each listed model's check: remembered ones at once, the others as the worker answers (checkEach).
  const checks = new Map<string, Promise<ModelCheck | undefined>>();
  const item = (dir: string, detail: string): Choice => {
    // Models trained here say on what, when and how well.
    const training = readTrainingMetadata(dir);
    const known = checkModel.known(dir);
    if (known) checks.set(dir, Promise.resolve(known));
    return { label: `${dir === current ? '$(check) ' : ''}${path.basename(dir)}`, description: training ? describeTrainedModel(training) : detail, detail: known ? checkDetail(known, dir) : `$(loading~spin) checking… · ${dir}`, dir };
  };
  const seen = new Set<string>();
  const section = (label: string, dirs: string[], detail: string): Choice[] => {
    const fresh = dirs.filter((dir) => !seen.has(dir));
    fresh.forEach((dir) => seen.add(dir));
    return fresh.length ? [{ label, kind: vscode.QuickPickItemKind.Separator }, ...fresh.map((dir) => item(dir, detail))] : [];
  };
  const trusted = vscode.workspace.isTrusted;
  const choices: Choice[] = [
    ...section('Bundled', models.bundledModels(), 'bundled'),
    ...(trusted ? [
      ...section('Trained', trained, 'trained here'),
      ...section('Workspace', await workspaceModels(), 'in this workspace'),
      ...section('Recent', models.recentModels(), 'recently used'),
      ...section('Downloaded', downloadedModels(downloadedRoot), 'downloaded from Hugging Face'),
    ] : []),
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    ...(trusted ? [
      { label: '$(folder-opened) Browse…', action: 'browse' as const },
      { label: '$(cloud-download) Download from Hugging Face…', action: 'download' as const },
    ] : []),
  ];
  const picker = vscode.window.createQuickPick<Choice>();
  picker.title = trusted ? 'Text Classifier: Select Model' : 'Text Classifier: Select Model (untrusted workspace: bundled models only)';
  picker.placeholder = 'A model directory with config.json, tokenizer.json and an ONNX file';
  picker.matchOnDescription = true;
  picker.matchOnDetail = true;
  picker.items = choices;
  let open = true;
  const picked = await new Promise<Choice | undefined>((resolve) => {
    picker.onDidAccept(() => resolve(picker.selectedItems[0]));
    picker.onDidHide(() => resolve(undefined));
    picker.show();
    void checkEach(choices, picker, checkModel, checks, () => open);
  });
  open = false;
  picker.dispose();
  if (!picked) return undefined;
  if (picked.action === 'browse') {
    const folders = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Use Model', title: 'Model directory' });
    return folders?.[0] ? { dir: folders[0].fsPath } : undefined;
  }
  if (picked.action === 'download') return 'download';
  if (!picked.dir) return undefined;
  const check = await (checks.get(picked.dir) ?? checkOrUndefined(checkModel, picked.dir));
  if (check && !check.supported) {
    void vscode.window.showErrorMessage(`Text Classifier: ${path.basename(picked.dir)} cannot be used (${describeCheck(check)}); the model in use stays.`);
    return undefined;
  }
  return { dir: picked.dir, check };
}

/** Checks the listed models one after another (not all at once: the same worker classifies), writing each result into its detail line; stops when the picker closes. */
async function checkEach(choices: Choice[], picker: vscode.QuickPick<Choice>, checkModel: CheckModel, checks: Map<string, Promise<ModelCheck | undefined>>,
  isOpen: () => boolean): Promise<void> {
  const firstModel = choices.find((choice) => choice.dir);
  for (const choice of choices) {
    const dir = choice.dir;
    if (!dir) continue;
    if (!isOpen()) return;
    if (checks.has(dir)) continue; // remembered: its line already says it
    const check = checkOrUndefined(checkModel, dir);
    checks.set(dir, check);
    const found = await check;
    if (!isOpen()) return;
    choice.detail = found ? checkDetail(found, dir) : dir;
    // The picker redraws when given its items again, and then focuses the first item the filter shows.
    // Put back only a row the user moved to: while a filter is typed, or before any move, the extension
    // host's copy of the active row lags the window's, and restoring it would focus a row filtered out.
    const active = picker.activeItems;
    picker.items = choices;
    if (!picker.value && active.length && active[0] !== firstModel) picker.activeItems = active;
  }
}

function checkDetail(check: ModelCheck, dir: string): string {
  return `${check.supported ? '' : '$(error) '}${describeCheck(check)} · ${dir}`;
}

/** A check that could not run (the worker restarting) leaves the detail line bare rather than failing the picker. */
async function checkOrUndefined(checkModel: CheckModel, dir: string): Promise<ModelCheck | undefined> {
  try {
    return await checkModel.check(dir);
  } catch {
    return undefined;
  }
}
