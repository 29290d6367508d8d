// Compare Evaluations… (palette, a dataset's context menu, a report's "Compare with…" button, code such
// as Quantize Model…): two stored evaluations of the same dataset side by side. What is not given is
// asked with quick picks of the stored runs: first any run (of the dataset, from its menu), then another
// model's run of the same dataset.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Comparison } from '../../evaluation/compare';
import type { EvaluationRecord, EvaluationStore } from '../../evaluation/store';
import type { DatasetNode } from '../datasets/tree';
import type { ComparisonPanels } from './comparePanel';

export interface ComparisonContext {
  readonly evaluations: { readonly store: EvaluationStore };
  readonly comparisons: ComparisonPanels;
}

type Command = (...args: any[]) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any

export const comparisonCommands: Record<string, (ctx: ComparisonContext) => Command> = {
  /** (A, B) records, or A alone (B is asked), or a dataset node or nothing (both are asked); resolves with what the page shows. */
  compareEvaluations: (ctx) => async (a?: EvaluationRecord | DatasetNode, b?: EvaluationRecord): Promise<Comparison | undefined> => {
    const dataset = a && 'kind' in a && a.kind === 'dataset' ? a.file.path : undefined;
    const first = a && 'datasetPath' in a ? a : await pickEvaluation(comparable(await ctx.evaluations.store.list(dataset)), 'Compare which evaluation (A)?');
    if (!first) return undefined;
    const second = b ?? (await pickOther(ctx.evaluations.store, first));
    if (!second) return undefined;
    return ctx.comparisons.show(first, second);
  },
};

/** The evaluations of datasets that more than one model was evaluated on: those that have something to compare with. */
function comparable(records: EvaluationRecord[]): EvaluationRecord[] {
  const perDataset = new Map<string, number>();
  for (const record of records) perDataset.set(record.datasetPath, (perDataset.get(record.datasetPath) ?? 0) + 1);
  const result = records.filter((record) => perDataset.get(record.datasetPath)! > 1);
  if (records.length > 0 && result.length === 0) {
    throw new Error('No dataset has been evaluated with two models yet: evaluate one with another model ("Select Model…", then "Evaluate Model on Dataset…") to compare.');
  }
  return result;
}

async function pickOther(store: EvaluationStore, first: EvaluationRecord): Promise<EvaluationRecord | undefined> {
  const others = (await store.list(first.datasetPath)).filter((record) => record.id !== first.id);
  if (others.length === 0) {
    throw new Error(`${first.model.name} is the only model evaluated on ${path.basename(first.datasetPath)}: evaluate another model on it ("Evaluate Model on Dataset…" after "Select Model…") to compare.`);
  }
  return pickEvaluation(others, `Compare ${first.model.name} (A) with which model's evaluation of ${path.basename(first.datasetPath)} (B)?`);
}

async function pickEvaluation(records: EvaluationRecord[], placeHolder: string): Promise<EvaluationRecord | undefined> {
  if (records.length === 0) throw new Error('No evaluation is stored yet: run "Text Classifier: Evaluate Model on Dataset…" with two models first.');
  const percent = (value: number) => `${(value * 100).toFixed(2)} %`;
  const picked = await vscode.window.showQuickPick(
    records.map((record) => ({
      label: record.model.name,
      description: `${path.basename(record.datasetPath)} · accuracy ${percent(record.result.accuracy)} · macro F1 ${percent(record.result.macroF1)}`,
      detail: `${record.result.evaluated.toLocaleString('en-US')} rows${record.result.trainingOverlap?.excluded ? ' (held-out only)' : ''} · ${new Date(record.finishedAt).toLocaleString()} · ${vscode.workspace.asRelativePath(record.datasetPath)} · ${record.model.dir}`,
      record,
    })),
    { placeHolder, matchOnDescription: true, matchOnDetail: true },
  );
  return picked?.record;
}
