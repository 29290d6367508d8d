// Maps a dataset's gold labels to the model's labels.
//
// The mode is decided once, from the labels of the first rows (the schema sample):
// - an explicit mapping (gold -> model label) when given; labels it does not list still match by name;
// - by name, case-insensitively, when any sampled label is a model label;
// - by position when every sampled label is an integer: zero-based ("0"/"1" for SST-2), or
//   one-based when no 0 occurs and the largest label equals the number of model labels ("1".."4"
//   for AG News' four classes).
// Rule for labels that do not map: when more than half of the sampled rows have such labels, the
// dataset does not fit the model and mapping fails with an error listing both label sets. Otherwise
// (a few stray labels, or a class the model lacks) those rows are skipped with the reason
// "label not known to the model", and the report lists them.
import * as fs from 'node:fs';

export type LabelMappingMode = 'explicit' | 'name' | 'zero-based index' | 'one-based index';

export interface LabelMapping {
  mode: LabelMappingMode;
  /** Index of the model label for a gold label, or undefined when it does not map. */
  resolve(gold: string): number | undefined;
}

export class LabelMappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabelMappingError';
  }
}

export function createLabelMapping(modelLabels: string[], sampleLabels: Map<string, number>, explicit?: Record<string, string>): LabelMapping {
  const byName = new Map(modelLabels.map((label, index) => [label.toLowerCase(), index]));
  const listed = `the model's labels are: ${modelLabels.join(', ')}`;
  let mapping: LabelMapping;
  if (explicit) {
    const table = new Map<string, number>();
    for (const [gold, target] of Object.entries(explicit)) {
      const index = byName.get(target.trim().toLowerCase());
      if (index === undefined) throw new LabelMappingError(`label mapping "${gold}=${target}": "${target}" is not a model label; ${listed}`);
      table.set(gold.trim().toLowerCase(), index);
    }
    mapping = { mode: 'explicit', resolve: (gold) => table.get(gold.toLowerCase()) ?? byName.get(gold.toLowerCase()) };
  } else {
    mapping = inferMapping(modelLabels, byName, [...sampleLabels.keys()]);
  }
  const sampled = [...sampleLabels.values()].reduce((sum, count) => sum + count, 0);
  const unknown = [...sampleLabels].filter(([gold]) => mapping.resolve(gold) === undefined);
  const unknownRows = unknown.reduce((sum, [, count]) => sum + count, 0);
  if (sampled > 0 && unknownRows * 2 > sampled) {
    const seen = [...sampleLabels].map(([gold, count]) => `${gold} (${count})`).join(', ');
    throw new LabelMappingError(
      `the dataset's labels do not match the model: ${unknownRows} of the first ${sampled} rows have labels the model does not know. ` +
        `Dataset labels: ${seen}; ${listed}. Give a label mapping such as ${unknown.slice(0, 2).map(([gold], index) => `${gold}=${modelLabels[index % modelLabels.length]}`).join(',')}`,
    );
  }
  return mapping;
}

function inferMapping(modelLabels: string[], byName: Map<string, number>, golds: string[]): LabelMapping {
  const resolveName = (gold: string) => byName.get(gold.toLowerCase());
  if (golds.length === 0 || golds.some((gold) => resolveName(gold) !== undefined) || !golds.every((gold) => /^\d+$/.test(gold))) {
    return { mode: 'name', resolve: resolveName };
  }
  const numbers = golds.map(Number);
  const oneBased = !numbers.includes(0) && Math.max(...numbers) === modelLabels.length;
  const offset = oneBased ? 1 : 0;
  return {
    mode: oneBased ? 'one-based index' : 'zero-based index',
    resolve: (gold) => {
      if (!/^\d+$/.test(gold)) return resolveName(gold);
      const index = Number(gold) - offset;
      return index >= 0 && index < modelLabels.length ? index : undefined;
    },
  };
}

/**
 * A mapping given on the command line or in settings: `gold=model,gold=model`, or the path of a
 * JSON file holding an object {"gold": "model"}.
 */
export function parseLabelMap(spec: string): Record<string, string> {
  if (fs.existsSync(spec) && fs.statSync(spec).isFile()) {
    let value: unknown;
    try {
      value = JSON.parse(fs.readFileSync(spec, 'utf8'));
    } catch (error) {
      throw new LabelMappingError(`label map ${spec}: not valid JSON (${(error as Error).message})`);
    }
    if (!value || typeof value !== 'object' || Array.isArray(value) || !Object.values(value).every((target) => typeof target === 'string')) {
      throw new LabelMappingError(`label map ${spec}: expected a JSON object of gold label -> model label strings`);
    }
    return value as Record<string, string>;
  }
  const map: Record<string, string> = {};
  for (const pair of spec.split(',').filter((part) => part.trim() !== '')) {
    const at = pair.lastIndexOf('=');
    if (at <= 0 || at === pair.length - 1) throw new LabelMappingError(`label map "${spec}": "${pair}" is not of the form gold=model`);
    map[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  if (Object.keys(map).length === 0) throw new LabelMappingError(`label map "${spec}" is empty`);
  return map;
}
