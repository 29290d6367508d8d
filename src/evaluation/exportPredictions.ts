// Export Predictions: the stored predictions.jsonl of an evaluation rewritten as CSV (one column per
// label score) or JSONL (scores by label name), streamed line by line (written in 1 MB pieces) into
// a temporary file that is renamed into place at the end.
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import type { Prediction } from '../datasets/evaluate';

export type ExportFormat = 'csv' | 'jsonl';

export async function exportPredictions(source: string, labels: string[], target: string, format: ExportFormat): Promise<number> {
  const input = fs.createReadStream(source, 'utf8');
  await once(input, 'open'); // a missing source fails here, before anything is written
  const partial = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.partial`);
  const output = await fs.promises.open(partial, 'w');
  let rows = 0;
  try {
    let pending = format === 'csv' ? `${['line', 'text', 'gold', 'predicted', 'confidence', ...labels.map((label) => `score_${label}`)].map(csvField).join(',')}\n` : '';
    for await (const line of readline.createInterface({ input, crlfDelay: Infinity })) {
      if (line === '') continue;
      const row = JSON.parse(line) as Prediction;
      pending += format === 'csv' ? csvLine(row) : jsonLine(row, labels);
      rows++;
      if (pending.length >= 1 << 20) {
        await output.write(pending);
        pending = '';
      }
    }
    await output.write(pending);
    await output.close();
    await fs.promises.rename(partial, target);
    return rows;
  } catch (error) {
    input.destroy();
    await output.close().catch(() => undefined);
    await fs.promises.rm(partial, { force: true });
    throw error;
  }
}

function csvLine(row: Prediction): string {
  return `${[row.line, row.text, row.gold, row.predicted, row.confidence, ...row.scores].map(csvField).join(',')}\n`;
}

function jsonLine(row: Prediction, labels: string[]): string {
  const scores = Object.fromEntries(labels.map((label, index) => [label, row.scores[index]]));
  return `${JSON.stringify({ line: row.line, text: row.text, gold: row.gold, predicted: row.predicted, confidence: row.confidence, scores })}\n`;
}

/** RFC 4180: quote a field holding a comma, quote or line break, doubling its quotes. */
function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
