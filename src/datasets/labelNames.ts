// Names for a dataset's gold labels when they are ids: "1" is shown as "1 · World". The names come
// from the dataset itself (a classes.txt beside it, one name per line, as AG News ships), else from a
// model's labels through the same mapping an evaluation would use (by index, or an explicit mapping).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createLabelMapping } from './labels';

/** Gold label -> its name, for the labels that have one other than themselves. */
export function labelNames(datasetPath: string, labelCounts: Map<string, number>, model?: { labels: string[]; labelMap?: Record<string, string> }): Map<string, string> {
  return classesFileNames(datasetPath, [...labelCounts.keys()]) ?? modelNames(labelCounts, model) ?? new Map();
}

/** Labels 0..n-1 or 1..n named by the n lines of classes.txt in the dataset's folder. */
function classesFileNames(datasetPath: string, golds: string[]): Map<string, string> | undefined {
  let names: string[];
  try {
    names = fs.readFileSync(path.join(path.dirname(datasetPath), 'classes.txt'), 'utf8').split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '');
  } catch {
    return undefined;
  }
  if (names.length === 0 || !golds.every((gold) => /^\d+$/.test(gold))) return undefined;
  const numbers = golds.map(Number);
  const offset = numbers.includes(0) ? 0 : 1;
  if (numbers.some((number) => number - offset >= names.length)) return undefined;
  return new Map(golds.map((gold) => [gold, names[Number(gold) - offset]]));
}

function modelNames(labelCounts: Map<string, number>, model?: { labels: string[]; labelMap?: Record<string, string> }): Map<string, string> | undefined {
  if (!model) return undefined;
  try {
    const mapping = createLabelMapping(model.labels, labelCounts, model.labelMap);
    if (mapping.mode === 'name') return undefined;
    const names = new Map<string, string>();
    for (const gold of labelCounts.keys()) {
      const index = mapping.resolve(gold);
      if (index !== undefined && model.labels[index].toLowerCase() !== gold.toLowerCase()) names.set(gold, model.labels[index]);
    }
    return names;
  } catch {
    return undefined; // the labels do not fit this model: no names from it
  }
}

/** How a gold label is shown: "1 · World", or the label alone. */
export function labelWithName(label: string, names: Map<string, string>): string {
  const name = names.get(label);
  return name ? `${label} · ${name}` : label;
}

/** Plain column wording: "text from title and description, label from class". */
export function describeColumns(textColumns: string[], labelColumn: string, hasHeader: boolean): string {
  const name = (column: string) => (hasHeader || !/^\d+$/.test(column) ? column : `column ${column}`);
  const texts = textColumns.map(name);
  const joined = texts.length <= 1 ? texts.join('') : `${texts.slice(0, -1).join(', ')} and ${texts.at(-1)}`;
  return `text from ${joined}, label from ${name(labelColumn)}`;
}
