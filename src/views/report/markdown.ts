// The metrics of an evaluation as a Markdown table, for "Copy Metrics as Markdown".
import * as path from 'node:path';
import type { EvaluationRecord } from '../../evaluation/store';

const percent = (value: number) => `${(value * 100).toFixed(2)} %`;

export function metricsMarkdown(record: EvaluationRecord): string {
  const { result } = record;
  const lines = [
    `**${record.model.name}** on \`${path.basename(record.datasetPath)}\`: ${result.evaluated} of ${result.total} rows evaluated` +
      (result.skipped > 0 ? ` (${result.skipped} skipped)` : '') +
      `, accuracy **${percent(result.accuracy)}**, macro-F1 ${percent(result.macroF1)}, weighted-F1 ${percent(result.weightedF1)}, ECE ${result.expectedCalibrationError.toFixed(4)}`,
    ...overlapLines(record),
    '',
    '| label | precision | recall | F1 | support |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...result.perClass.map((row) => `| ${escapeCell(row.label)} | ${percent(row.precision)} | ${percent(row.recall)} | ${percent(row.f1)} | ${row.support} |`),
    `| macro avg | ${percent(result.macroPrecision)} | ${percent(result.macroRecall)} | ${percent(result.macroF1)} | ${result.evaluated} |`,
    `| weighted avg | | | ${percent(result.weightedF1)} | ${result.evaluated} |`,
  ];
  return `${lines.join('\n')}\n`;
}

/** Copied metrics must not hide that the model was trained on some of the rows. */
function overlapLines(record: EvaluationRecord): string[] {
  const overlap = record.result.trainingOverlap; // absent in evaluations stored before training manifests
  if (!overlap) return [];
  if (overlap.excluded) return ['', `Held-out rows only: the ${overlap.rows} rows ${record.model.name} was trained on were left out.`];
  return ['', `**Warning:** ${overlap.rows} of these rows were used to train ${record.model.name}; on the ${overlap.heldOut.evaluated} other rows: accuracy **${percent(overlap.heldOut.accuracy)}**, macro-F1 ${percent(overlap.heldOut.macroF1)}.`];
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
