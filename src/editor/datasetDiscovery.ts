// Which dataset files the explorer shows: the workspace files matching the glob setting (without
// node_modules and files over the size cap) plus the files added by hand; files named or suffixed
// train/dev/validation/test that sit together become the splits of one dataset.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

export interface DatasetFile {
  path: string;
  /** The split this file is (train, dev, …), when its name says so. */
  split?: string;
  sizeBytes: number;
  addedByHand: boolean;
}

export interface DatasetGroup {
  /** Directory name (dev.tsv, train.tsv) or shared prefix (news_train.csv, news_test.csv). */
  name: string;
  directory: string;
  splits: DatasetFile[];
}

export type DiscoveredDataset = { kind: 'file'; file: DatasetFile } | { kind: 'group'; group: DatasetGroup };

/** Files the glob may find; a workspace with more has a glob too wide to browse. */
const maxFound = 2000;

const splitNames = ['train', 'training', 'dev', 'development', 'val', 'valid', 'validation', 'eval', 'test'];
const splitOrder = (split: string | undefined) => (split === undefined ? splitNames.length : splitNames.indexOf(split));

/** The split a file name names, and the prefix before it: "news_test.csv" -> test, "news". */
export function splitOf(file: string): { split: string; prefix: string } | undefined {
  const base = path.basename(file).replace(/\.[^.]+$/, '').toLowerCase();
  if (splitNames.includes(base)) return { split: base, prefix: '' };
  const match = /^(.+?)[._-](train|training|dev|development|val|valid|validation|eval|test)$/.exec(base);
  return match ? { split: match[2], prefix: match[1] } : undefined;
}

export async function discoverDatasets(glob: string, maxSizeMB: number, added: string[]): Promise<DiscoveredDataset[]> {
  const found = await vscode.workspace.findFiles(glob, '**/node_modules/**', maxFound);
  const files = new Map<string, DatasetFile>();
  for (const uri of found) {
    const sizeBytes = await fileSize(uri.fsPath);
    if (sizeBytes !== undefined && sizeBytes <= maxSizeMB * 1024 * 1024) files.set(uri.fsPath, { path: uri.fsPath, sizeBytes, addedByHand: false });
  }
  for (const file of added) {
    const sizeBytes = await fileSize(file);
    if (sizeBytes !== undefined) files.set(file, { path: file, sizeBytes, addedByHand: true });
  }
  return groupSplits([...files.values()]);
}

async function fileSize(file: string): Promise<number | undefined> {
  try {
    const stat = await fs.promises.stat(file);
    return stat.isFile() ? stat.size : undefined;
  } catch {
    return undefined; // removed since it was found or added
  }
}

/** Files of one directory whose names share a prefix and name a split form one group (two files at least). */
export function groupSplits(files: DatasetFile[]): DiscoveredDataset[] {
  const groups = new Map<string, DatasetFile[]>();
  const single: DatasetFile[] = [];
  for (const file of files) {
    const split = splitOf(file.path);
    if (!split) {
      single.push(file);
      continue;
    }
    const key = `${path.dirname(file.path)}\u0000${split.prefix}`;
    groups.set(key, [...(groups.get(key) ?? []), { ...file, split: split.split }]);
  }
  const result: DiscoveredDataset[] = single.map((file) => ({ kind: 'file', file }));
  for (const [key, splits] of groups) {
    if (splits.length === 1) {
      result.push({ kind: 'file', file: splits[0] });
      continue;
    }
    const [directory, prefix] = key.split('\u0000');
    splits.sort((a, b) => splitOrder(a.split) - splitOrder(b.split) || a.path.localeCompare(b.path));
    result.push({ kind: 'group', group: { name: prefix || path.basename(directory), directory, splits } });
  }
  const sortName = (entry: DiscoveredDataset) => (entry.kind === 'file' ? path.basename(entry.file.path) : entry.group.name).toLowerCase();
  return result.sort((a, b) => sortName(a).localeCompare(sortName(b)));
}
