// A dataset whose labels do not fit the model: the error message offers the ways out as buttons
// (another model, a model trained on this dataset, other columns, and a mapping only where the label
// names correspond), and the command returns what it offered, so callers and tests can see it.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatLabelMap, type LabelMappingError, type LabelMismatch } from '../../datasets/labels';
import type { DatasetColumns } from '../../datasets/types';

export const mismatchActions = {
  selectModel: 'Select Model…',
  train: 'Train on This Dataset…',
  chooseColumns: 'Choose Columns…',
} as const;

/** What evaluateDataset returns instead of a record when the labels do not fit. */
export interface LabelMismatchOutcome {
  datasetPath: string;
  labelMismatch: LabelMismatch;
  message: string;
  /** The buttons offered, in order. */
  actions: string[];
}

/** Shows the error with its buttons (without waiting for a choice) and runs the one chosen. */
export function offerWaysOut(datasetPath: string, columns: DatasetColumns, error: LabelMappingError & { mismatch: LabelMismatch }): LabelMismatchOutcome {
  const { mismatch } = error;
  const useMapping = mismatch.suggestedMap && `Use Mapping ${formatLabelMap(mismatch.suggestedMap)}`;
  const actions = [...(useMapping ? [useMapping] : []), mismatchActions.selectModel, mismatchActions.train, mismatchActions.chooseColumns];
  const message = `Text Classifier: ${path.basename(datasetPath)}: ${error.message}`;
  void vscode.window.showErrorMessage(message, ...actions).then(async (choice) => {
    switch (choice) {
      case undefined:
        return;
      case mismatchActions.selectModel:
        return vscode.commands.executeCommand('textClassifier.selectModel');
      case mismatchActions.train:
        return vscode.commands.executeCommand('textClassifier.trainClassifier', datasetPath);
      case mismatchActions.chooseColumns:
        return vscode.commands.executeCommand('textClassifier.configureColumns', datasetPath);
      default:
        await vscode.commands.executeCommand('textClassifier.configureColumns', datasetPath, { ...columns, labelMap: mismatch.suggestedMap });
        return vscode.commands.executeCommand('textClassifier.evaluateDataset', datasetPath);
    }
  });
  return { datasetPath, labelMismatch: mismatch, message, actions };
}
