// One line of what `textclf models --check` found, for the places that have room for one line
// (Select Model…'s detail line, the download confirmation, the status bar): "bert · WordPiece ·
// 2 labels · fp32 · window 512", or the first problem of a model the engine cannot run.
import * as path from 'node:path';
import type { ModelCheck } from './types';

export function describeCheck(check: ModelCheck): string {
  // The problem's file paths, relative to the model directory: the line has room for the reason, not the path.
  if (!check.supported) return `not supported: ${(check.problems[0] ?? 'the engine could not load it').split(check.dir + path.sep).join('')}`;
  const labels = check.problem_type === 'regression'
    ? `regression (${check.labels.length === 1 ? 'a value' : `${check.labels.length} values`})`
    : `${check.labels.length} labels${check.problem_type === 'multi_label_classification' ? ', multi-label' : ''}`;
  return [
    check.family ?? 'unknown family',
    check.tokenizer?.split(' ')[0] ?? 'unknown tokenizer',
    labels,
    check.variant?.name ?? 'fp32',
    ...(check.window !== null ? [`window ${check.window}`] : []),
  ].join(' · ');
}
