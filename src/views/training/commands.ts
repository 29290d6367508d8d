// Train Classifier… (palette and the Datasets view): asks for the dataset, base model, method and output
// folder (or takes them from an options object: tests and other extensions), trains, opens the report of
// the new model on the test split beside the base model's, and offers "Use This Model", which switches the
// editor through Select Model…'s own command, and "Compare with Base Model" (Compare Evaluations…).
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LinearHeadSettings } from '../../training/linearHead';
import { formatPercent } from '../../training/progress';
import type { PytorchSettings } from '../../training/pytorch';
import type { TrainingMethod } from '../../training/train';
import type { DatasetSettings } from '../../editor/datasetSettings';
import type { DatasetsTreeProvider } from '../datasets/tree';
import type { ModelManager } from '../../editor/models';
import type { ReportPanels } from '../report/panel';
import { askBaseModel, askDataset, askMethod, askOutput, defaultOutput, describeSplit, trainingDataOf, type DatasetTarget } from './ask';
import type { TrainingData, TrainingResult, TrainingService } from '../../editor/training';
import type { Command } from '../command';

export interface TrainingContext {
  readonly training: TrainingService;
  readonly datasets: DatasetsTreeProvider;
  readonly datasetSettings: DatasetSettings;
  readonly models: ModelManager;
  readonly reports: ReportPanels;
}

/** Everything Train Classifier… would ask; what is missing is asked. */
export interface TrainCommandOptions {
  /** A dataset file (split here 80/10/10), or its three split files. */
  dataset?: string | { train: string; validation: string; test: string };
  method?: TrainingMethod;
  baseModel?: string;
  output?: string;
  overwrite?: boolean;
  seed?: number;
  linearHead?: LinearHeadSettings;
  pytorch?: PytorchSettings;
  /** Open the report panels at the end (default true). */
  openReport?: boolean;
  /** Cancels like the notification's Cancel button. */
  signal?: AbortSignal;
}

export const useThisModel = 'Use This Model';
const compareWithBase = 'Compare with Base Model';

export const trainingCommands: Record<string, (ctx: TrainingContext) => Command> = {
  /** From the Datasets view: (node, selected nodes); from code: (options) or (dataset, options). */
  trainClassifier: (ctx) => async (target?: DatasetTarget | TrainCommandOptions, more?: unknown): Promise<TrainingResult | undefined> => {
    const options: TrainCommandOptions = isOptions(target) ? target : isOptions(more) ? more : {};
    const data = options.dataset !== undefined ? dataOfOption(options.dataset, ctx.datasetSettings)
      : target !== undefined && !isOptions(target) ? trainingDataOf(target, ctx.datasetSettings)
      : await askDataset(ctx.datasets, ctx.datasetSettings);
    if (!data) return undefined;
    const baseModel = options.baseModel ?? (await askBaseModel(ctx.models));
    if (!baseModel) return undefined;
    const method = options.method ?? (await askMethod(ctx.training.python));
    if (!method) return undefined;
    const output = options.output ?? (await askOutput(defaultOutput(data, method, ctx.training.globalModelsRoot)));
    if (!output) return undefined;

    const result = await ctx.training.trainWithProgress({
      data, method, baseModel, output,
      overwrite: options.overwrite, seed: options.seed, linearHead: options.linearHead, pytorch: options.pytorch,
    }, options.signal);
    if (!result) return undefined;
    if (options.openReport ?? true) {
      ctx.reports.show(result.trained, vscode.ViewColumn.Active);
      if (result.base) ctx.reports.show(result.base, vscode.ViewColumn.Beside);
    }
    void announce(result, describeSplit(data));
    return result;
  },
};

/** The end of a training: the numbers and the buttons. */
async function announce(result: TrainingResult, split: string): Promise<void> {
  const name = path.basename(result.modelDir);
  const accuracy = formatPercent(result.trained.result.accuracy);
  const base = result.base ? ` (base model ${result.base.model.name}: ${formatPercent(result.base.result.accuracy)})` : '';
  const skipped = result.report.skipped.length;
  const skippedNote = skipped > 0 ? ` ${skipped} unusable rows were skipped (see the output channel).` : '';
  const choice = await vscode.window.showInformationMessage(
    `Text Classifier: trained ${name}: test accuracy ${accuracy}${base}, on ${split}.${skippedNote}`,
    useThisModel,
    ...(result.base ? [compareWithBase] : []),
    'Show Model Card',
  );
  if (choice === useThisModel) await vscode.commands.executeCommand('textClassifier.selectModel', result.modelDir);
  // The two reports side by side in one page: the differences, and the rows whose label changed.
  else if (choice === compareWithBase) await vscode.commands.executeCommand('textClassifier.compareEvaluations', result.base, result.trained);
  else if (choice) await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(path.join(result.modelDir, 'MODEL_CARD.md')));
}

function isOptions(target: unknown): target is TrainCommandOptions {
  return typeof target === 'object' && target !== null && !Array.isArray(target) && !(target instanceof vscode.Uri) && !('kind' in target);
}

function dataOfOption(dataset: NonNullable<TrainCommandOptions['dataset']>, settings: DatasetSettings): TrainingData {
  if (typeof dataset === 'string') return trainingDataOf(dataset, settings);
  return { name: path.basename(dataset.train), ...dataset, columns: settings.columns(dataset.train) };
}
