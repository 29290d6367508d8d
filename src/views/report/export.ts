// Export Predictions: the stored predictions.jsonl of an evaluation rewritten as CSV (one column per
// label score) or JSONL (scores by label name), streamed line by line into a temporary file that is
// renamed into place at the end.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import type { Prediction } from '../../datasets/evaluate';

export type ExportFormat = 'csv' | 'jsonl';

export async function exportPredictions(source: string, labels: string[], target: string, format: ExportFormat): Promise<number> {
  const partial = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.partial`);
  const output = fs.createWriteStream(partial);
  let rows = 0;
  try {
    const write = (text: string) => (output.write(text) ? Promise.resolve() : new Promise<void>((resolve) => output.once('drain', resolve)));
    if (format === 'csv') await write(`${['line', 'text', 'gold', 'predicted', 'confidence', ...labels.map((label) => `score_${label}`)].map(csvField).join(',')}\n`);
    const lines = readline.createInterface({ input: fs.createReadStream(source, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      if (line === '') continue;
      const row = JSON.parse(line) as Prediction;
      await write(format === 'csv' ? csvLine(row) : jsonLine(row, labels));
      rows++;
    }
    await new Promise<void>((resolve, reject) => output.end((error?: Error | null) => (error ? reject(error) : resolve())));
    await fs.promises.rename(partial, target);
    return rows;
  } catch (error) {
    output.destroy();
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
