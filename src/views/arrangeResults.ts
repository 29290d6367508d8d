// "Arrange Results…": a quick pick to sort the Results view by position or score, group it by label
// and filter it to low-confidence units; the current choices are marked.
import * as vscode from 'vscode';
import type { Config } from '../config';
import type { Arrangement, ResultsTreeProvider } from './resultsTree';

export async function arrangeResults(tree: ResultsTreeProvider, config: Config): Promise<Arrangement | undefined> {
  const now = tree.arrangement;
  const mark = (on: boolean) => (on ? '$(check) ' : '$(blank) ');
  const choices: (vscode.QuickPickItem & { change: Partial<Arrangement> })[] = [
    { label: `${mark(now.sortBy === 'position')}Sort by position`, description: 'document order', change: { sortBy: 'position' } },
    { label: `${mark(now.sortBy === 'score')}Sort by score`, description: 'most confident first', change: { sortBy: 'score' } },
    { label: `${mark(now.groupByLabel)}Group by label`, description: now.groupByLabel ? 'on: click to turn off' : 'off', change: { groupByLabel: !now.groupByLabel } },
    {
      label: `${mark(now.lowConfidenceOnly)}Low confidence only`,
      description: `top score below ${config.lowConfidenceThreshold.toFixed(2)} (textClassifier.lowConfidenceThreshold)${now.lowConfidenceOnly ? ': click to show all' : ''}`,
      change: { lowConfidenceOnly: !now.lowConfidenceOnly },
    },
  ];
  const choice = await vscode.window.showQuickPick(choices, { title: 'Arrange Results', placeHolder: 'Sort, group or filter the Results view' });
  return choice ? tree.arrange(choice.change) : undefined;
}
