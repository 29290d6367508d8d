// Which of the editor's result views a document gets (textClassifier.display): code lenses above
// units, decorations (gutter and overview-ruler marks, end-of-line text), or both. `auto` keeps a
// long document at its height: lenses add a line above every unit, so over 50 units only decorations.
import type { Config } from '../config';
import type { DocumentResults } from '../editor/results';

export const autoLensesUpTo = 50;

export function showsLenses(config: Config, results: DocumentResults): boolean {
  const display = config.display;
  return config.codeLensEnabled && (display === 'lens' || display === 'both' || (display === 'auto' && results.units.length <= autoLensesUpTo));
}

export function showsDecorations(config: Config): boolean {
  return config.display !== 'lens';
}
