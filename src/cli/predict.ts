// textclf predict <dataset> --out FILE: a prediction for every row of an unlabeled dataset, streamed
// to a CSV or JSONL file that keeps the input's columns.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Engine } from '../engine/engine';
import { MODEL_VARIANTS, type Classification, type ModelVariant } from '../classifier/types';
import { predictDataset, type PredictedRow, type PredictSummary } from '../datasets/predict';
import type { UnlabeledSchema } from '../datasets/schema';
import type { DatasetFormat } from '../datasets/types';
import { AtomicFile } from './atomicFile';
import { Command, exitCodes, oneOf, parseCommandLine, positiveInteger, UsageError } from './command';
import { defaultModelDir } from '../classifier/packagePaths';
import { formatCount, formatSeconds, ProgressLine } from './progress';
import { remoteEngineOptions, remoteHelp, remoteOptions, remoteSummary } from './remote';
import { escapeControls } from './terminalText';

const outputFormats = ['csv', 'jsonl'] as const;
type OutputFormat = (typeof outputFormats)[number];
const datasetFormats: readonly DatasetFormat[] = ['csv', 'tsv', 'jsonl'];

export const predictCommand: Command = {
  name: 'predict',
  summary: 'label every row of an unlabeled dataset (CSV, TSV, JSONL) into a CSV or JSONL file',
  help: `Usage: textclf predict [options] <dataset> --out FILE

Classifies the text of every row of a dataset and writes each row with its prediction: the input's
columns plus label and score (CSV), and also scores, every label's score (JSONL). Rows are read,
classified and written a chunk at a time, so a file of any size runs in bounded memory. A row that
cannot be classified (malformed, invalid UTF-8, empty text) is left out of the output and counted,
with its reason, in the summary on stderr. The output file appears only when the run succeeds.

The text column is found by name (text, sentence, review, …), else every free-text column (AG
News' title and description) is joined; --text-column names it. When the input already has a
label, score or scores column, the new ones are called predicted_label, predicted_score and
predicted_scores.

Options:
  -o, --out FILE           where to write the predictions (required)
  -f, --format FORMAT      csv | jsonl (default: from --out's extension, .jsonl/.ndjson: jsonl, else csv)
  -m, --model DIR          model directory (default: the bundled sentiment-sst2)
      --variant NAME       which graph of the model directory: auto (fp32 when present), fp32, fp16,
                           quantized, int8, uint8, q4, q4f16, bnb4
      --text-column COL    column name or 1-based position; several (a,b) are joined with a space
      --dataset-format F   csv | tsv | jsonl (default: from the extension or content)
      --header, --no-header  whether the first CSV/TSV row names the columns (default: detected)
      --batch-size N       texts per classify call (default 256)
${remoteHelp}
  -h, --help               show this help

Exit codes: 0 ok, 1 runtime error, 2 usage error.`,

  async run(args) {
    const { values, positionals } = parseCommandLine(args, {
      out: { type: 'string', short: 'o' },
      format: { type: 'string', short: 'f' },
      model: { type: 'string', short: 'm' },
      variant: { type: 'string' },
      'text-column': { type: 'string' },
      'dataset-format': { type: 'string' },
      header: { type: 'boolean' },
      'no-header': { type: 'boolean' },
      'batch-size': { type: 'string' },
      ...remoteOptions,
    });
    if (positionals.length !== 1) throw new UsageError(`name exactly one dataset file (got ${positionals.length})`);
    if (!values.out) throw new UsageError('--out FILE is required');
    if (values.header && values['no-header']) throw new UsageError('--header and --no-header contradict each other');
    const dataset = positionals[0];
    const out = values.out;
    const format = oneOf<OutputFormat>('--format', values.format, outputFormats, /\.(jsonl|ndjson)$/i.test(out) ? 'jsonl' : 'csv');
    const datasetFormat = values['dataset-format'] === undefined ? undefined : oneOf('--dataset-format', values['dataset-format'], datasetFormats, 'csv');
    const chunkSize = positiveInteger('--batch-size', values['batch-size']);
    const modelDir = values.model ?? defaultModelDir();
    const engineOptions = { ...remoteEngineOptions(values, modelDir), modelVariant: oneOf<ModelVariant>('--variant', values.variant, MODEL_VARIANTS, 'auto') };
    if (!fs.existsSync(dataset) || !fs.statSync(dataset).isFile()) throw new Error(`dataset ${dataset} not found`);
    if (path.resolve(out) === path.resolve(dataset)) throw new UsageError('--out must not be the dataset itself');

    // The output is opened before the model loads: a target that cannot be written fails at once.
    const file = new AtomicFile(out);
    let engine: Engine;
    try {
      engine = await Engine.load(modelDir, engineOptions);
    } catch (error) {
      file.discard();
      throw error;
    }
    const started = performance.now();
    const cancel = new AbortController();
    const onInterrupt = (signal: NodeJS.Signals) => cancel.abort(new Error(`cancelled (${signal}); ${out} was not written`));
    process.once('SIGINT', onInterrupt);
    process.once('SIGTERM', onInterrupt);
    const progress = new ProgressLine();
    try {
      let writer: RowWriter | undefined;
      const summary = await predictDataset(
        dataset,
        {
          textColumn: values['text-column'],
          format: datasetFormat,
          hasHeader: values.header ? true : values['no-header'] ? false : undefined,
          chunkSize,
          signal: cancel.signal,
          onSchema: (schema) => {
            writer = new RowWriter(schema, engine.model.labels, format);
            file.write(writer.header());
          },
          onRows: (rows) => file.write(rows.map((row) => writer!.row(row)).join('')),
          onProgress: (state) => {
            const rate = state.predicted / Math.max((performance.now() - started) / 1000, 1e-3);
            progress.update(`predicting: ${formatCount(state.rows)} rows (${Math.floor((state.bytesRead / Math.max(state.totalBytes, 1)) * 100)} % of the file), ${formatCount(rate)} rows/s${state.skipped > 0 ? `, ${formatCount(state.skipped)} skipped` : ''}`);
          },
        },
        (texts, signal) => engine.classify(texts, { signal }),
      );
      file.commit();
      progress.done(summaryText(summary, out, engine.model.name, remoteSummary(engine.status()), writer!.renamed));
      return exitCodes.ok;
    } finally {
      progress.done();
      file.discard();
      process.removeListener('SIGINT', onInterrupt);
      process.removeListener('SIGTERM', onInterrupt);
      await engine.dispose();
    }
  },
};

/** Formats the output: the input's cells, then the prediction, under names that do not clash with the input's. */
class RowWriter {
  private readonly names: { label: string; score: string; scores: string };
  /** The input already had a label, score or scores column. */
  readonly renamed: boolean;

  constructor(
    private readonly schema: UnlabeledSchema,
    private readonly labels: string[],
    private readonly format: OutputFormat,
  ) {
    const taken = new Set(schema.columns);
    this.renamed = ['label', 'score', 'scores'].some((name) => taken.has(name));
    const prefix = this.renamed ? 'predicted_' : '';
    this.names = { label: `${prefix}label`, score: `${prefix}score`, scores: `${prefix}scores` };
  }

  header(): string {
    return this.format === 'csv' ? csvLine([...this.schema.columns, this.names.label, this.names.score]) : '';
  }

  row(row: PredictedRow): string {
    const best = row.result.labels[0];
    if (this.format === 'csv') {
      const cells = row.fields ?? this.schema.columns.map((column) => cellText(row.object![column]));
      return csvLine([...cells, best.label, String(best.score)]);
    }
    const input = row.object ?? Object.fromEntries(this.schema.columns.map((column, index) => [column, row.fields![index]]));
    return `${JSON.stringify({ ...input, [this.names.label]: best.label, [this.names.score]: best.score, [this.names.scores]: scoresByLabel(row.result, this.labels) })}\n`;
  }
}

function scoresByLabel(result: Classification, labels: string[]): Record<string, number> {
  return Object.fromEntries(labels.map((label) => [label, result.labels.find((entry) => entry.label === label)?.score ?? 0]));
}

/** A JSONL value in a CSV cell: strings as they are, other values as JSON, a missing key empty. */
function cellText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled. */
function csvLine(fields: string[]): string {
  return `${fields.map((field) => (/[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field)).join(',')}\n`;
}

function summaryText(summary: PredictSummary, out: string, modelName: string, remote: string, renamed: boolean): string {
  const { schema } = summary;
  const lines = [
    `predicted ${formatCount(summary.predicted)} of ${formatCount(summary.total)} rows (${formatCount(summary.skipped)} skipped) in ${formatSeconds(summary.seconds)} with ${modelName}, text: ${escapeControls(schema.textColumns.join(' + '))}; wrote ${out}${remote}`,
  ];
  if (renamed) lines.push('  the input has a label, score or scores column: the predictions are in predicted_label, predicted_score(s)');
  for (const [reason, count] of Object.entries(summary.skippedByReason)) {
    lines.push(`  skipped, ${reason}: ${formatCount(count!)}`);
    const examples = summary.skippedExamples.filter((row) => row.reason === reason);
    lines.push(...examples.map((row) => `    line ${row.line}: ${escapeControls(row.detail)}`));
    if (count! > examples.length) lines.push(`    … and ${formatCount(count! - examples.length)} more`);
  }
  return lines.join('\n');
}
