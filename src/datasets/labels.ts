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
import { errorMessage } from '../classifier/errors';

export type LabelMappingMode = 'explicit' | 'name' | 'zero-based index' | 'one-based index';

export interface LabelMapping {
  mode: LabelMappingMode;
  /** Index of the model label for a gold label, or undefined when it does not map. */
  resolve(gold: string): number | undefined;
}

/** Why a dataset's labels do not fit a model, for a message with ways out. */
export interface LabelMismatch {
  /** Gold labels of the sampled rows, with their counts. */
  datasetLabels: [string, number][];
  modelLabels: string[];
  /** Gold -> model label, only where the names correspond (see suggestLabelMap); else undefined. */
  suggestedMap?: Record<string, string>;
}

export class LabelMappingError extends Error {
  constructor(
    message: string,
    /** Set when the dataset's labels do not match the model's (not for a bad explicit mapping). */
    readonly mismatch?: LabelMismatch,
  ) {
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
    const suggestedMap = suggestLabelMap(modelLabels, unknown.map(([gold]) => gold));
    const wayOut = suggestedMap
      ? `The names correspond; give the label mapping ${formatLabelMap(suggestedMap)}`
      : 'The names do not correspond, so no mapping fits: use a model trained on these labels, train one on this dataset, or choose another label column';
    throw new LabelMappingError(
      `the dataset's labels do not match the model: ${unknownRows} of the first ${sampled} rows have labels the model does not know. ` +
        `Dataset labels: ${seen}; ${listed}. ${wayOut}`,
      { datasetLabels: [...sampleLabels], modelLabels: [...modelLabels], suggestedMap },
    );
  }
  return mapping;
}

export function formatLabelMap(map: Record<string, string>): string {
  return Object.entries(map).map(([gold, model]) => `${gold}=${model}`).join(',');
}

/**
 * A mapping for gold labels the model does not know, only where each name plainly names one model
 * label: the same letters and digits ("Sci-Tech" ~ "Sci/Tech"), a prefix of at least 3 letters either
 * way ("pos" ~ "positive"), or the same trailing number ("1" ~ "LABEL_1"). Undefined unless every
 * label finds exactly one model label, each a different one: a half-right mapping is worse than none.
 */
export function suggestLabelMap(modelLabels: string[], golds: string[]): Record<string, string> | undefined {
  const letters = (label: string) => label.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
  const trailingNumber = (label: string) => /(?:^|\D)(\d+)$/.exec(label.trim())?.[1];
  const corresponds = (gold: string, model: string) => {
    const [g, m] = [letters(gold), letters(model)];
    if (g === '' || m === '') return false;
    if (g === m) return true;
    if (/^\p{L}/u.test(g) && Math.min(g.length, m.length) >= 3 && (m.startsWith(g) || g.startsWith(m))) return true;
    const number = trailingNumber(gold);
    return number !== undefined && number === trailingNumber(model) && (/^\d+$/.test(gold.trim()) || /^\d+$/.test(model.trim()) || g.replace(/\d+$/, '') === m.replace(/\d+$/, ''));
  };
  if (golds.length === 0) return undefined;
  const map: Record<string, string> = {};
  const taken = new Set<string>();
  for (const gold of golds) {
    const matches = modelLabels.filter((model) => corresponds(gold, model));
    if (matches.length !== 1 || taken.has(matches[0])) return undefined;
    taken.add(matches[0]);
    map[gold] = matches[0];
  }
  return map;
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
      throw new LabelMappingError(`label map ${spec}: not valid JSON (${errorMessage(error)})`);
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
