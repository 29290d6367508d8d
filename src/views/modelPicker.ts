// Select Model…: the bundled models, model directories in the workspace, recent and downloaded
// ones, Browse… and Download from Hugging Face…. Returns the chosen model directory.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readTrainingMetadata } from '../training/modelDirectory';
import type { ModelManager } from '../editor/models';
import { describeTrainedModel } from './training/describe';

type Choice = vscode.QuickPickItem & { dir?: string; action?: 'browse' | 'download' };

const onnxFiles = ['onnx/model_quantized.onnx', 'onnx/model.onnx', 'model_quantized.onnx', 'model.onnx'];

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

/** The chosen model directory, 'download' for a Hugging Face download, or undefined when dismissed. */
export async function pickModel(models: ModelManager, downloadedRoot: string, trained: string[] = []): Promise<string | 'download' | undefined> {
  const current = models.model?.dir;
  const item = (dir: string, detail: string): Choice => {
    // Models trained here say on what, when and how well.
    const training = readTrainingMetadata(dir);
    return { label: `${dir === current ? '$(check) ' : ''}${path.basename(dir)}`, description: training ? describeTrainedModel(training) : detail, detail: dir, dir };
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
  const picked = await vscode.window.showQuickPick(choices, {
    title: trusted ? 'Text Classifier: Select Model' : 'Text Classifier: Select Model (untrusted workspace: bundled models only)',
    placeHolder: 'A model directory with config.json, tokenizer.json and an ONNX file',
    matchOnDescription: true, matchOnDetail: true,
  });
  if (!picked) return undefined;
  if (picked.action === 'browse') {
    const folders = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Use Model', title: 'Model directory' });
    return folders?.[0]?.fsPath;
  }
  return picked.action === 'download' ? 'download' : picked.dir;
}
