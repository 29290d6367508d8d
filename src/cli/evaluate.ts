// textclf evaluate <dataset>: run a model over a labeled dataset and print its metrics.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Engine } from '../engine/engine';
import { MODEL_VARIANTS, type ModelVariant } from '../classifier/types';
import { evaluate, EvaluationReport, Prediction } from '../datasets/evaluate';
import { formatLabelMap, LabelMappingError, parseLabelMap } from '../datasets/labels';
import { readTrainingManifest } from '../datasets/trainingManifest';
import type { DatasetFormat } from '../datasets/types';
import { Command, exitCodes, oneOf, parseCommandLine, positiveInteger, UsageError } from './command';
import { defaultModelDir } from '../classifier/packagePaths';
import { formatCount, formatSeconds, ProgressLine } from './progress';
import { remoteEngineOptions, remoteHelp, remoteOptions } from './remote';
import { formatTable, percent } from './table';
import { escapeControls } from './terminalText';
import { errorMessage } from '../classifier/errors';

const formats = ['table', 'json'] as const;
const datasetFormats: readonly DatasetFormat[] = ['csv', 'tsv', 'jsonl'];

export const evaluateCommand: Command = {
  name: 'evaluate',
  summary: 'measure a model on a labeled dataset (CSV, TSV, JSONL)',
  help: `Usage: textclf evaluate [options] <dataset>

Runs a model over every row of a labeled dataset and prints accuracy, macro-F1, the per-class
table, the confusion matrix, skipped rows by reason and throughput.

The format comes from the file extension (.csv, .tsv, .jsonl), else from the first line. The text
and label columns are found by name (text, sentence, …; label, class, …) or from the values.
Gold labels map to the model's labels by name (case-insensitive), by index (0-based like SST-2's
0/1, or 1-based like AG News' 1-4), or through --label-map. Rows with a label the model does not
know are skipped and listed; when most rows have such labels the run stops with an error.

When the model directory has a training manifest (training-manifest.json) and the dataset holds
rows the model was trained on (the same file: the listed rows; another file: rows with the same
text), the output says so and shows the held-out metrics first; --held-out leaves those rows out.

Options:
  -m, --model DIR          model directory (default: the bundled sentiment-sst2)
      --variant NAME       which graph of the model directory: auto (fp32 when present), fp32, fp16,
                           quantized, int8, uint8, q4, q4f16, bnb4
      --text-column COL    column name or 1-based position; several (a,b) are joined with a space
      --label-column COL   column name or 1-based position
      --label-map MAP      gold=model pairs ("0=negative,1=positive") or a JSON file {"gold": "model"}
      --dataset-format F   csv | tsv | jsonl (default: from the extension or content)
      --header, --no-header  whether the first CSV/TSV row names the columns (default: detected)
  -f, --format FORMAT      table | json (default: table)
      --predictions FILE   write every evaluated row (line, text, gold, predicted, scores) as JSONL
      --batch-size N       texts per classify call (default 256)
      --held-out           evaluate only the rows the model was not trained on
${remoteHelp}
  -h, --help               show this help

JSON keys: accuracy, macro_f1, weighted_f1, per_class, confusion_matrix (rows gold, columns
predicted), labels, total, evaluated, skipped, skipped_by_reason, skipped_rows, expected_calibration_error,
calibration_bins, rows_per_second, seconds, model, dataset, label_mapping, training_overlap (null, or
{rows, match, training_file, excluded, held_out: {accuracy, macro_f1, evaluated}}).

Exit codes: 0 ok, 1 runtime error (including a dataset that does not fit the model), 2 usage error,
130 interrupted (Ctrl-C; no predictions file is left).`,

  async run(args) {
    const { values, positionals } = parseCommandLine(args, {
      model: { type: 'string', short: 'm' },
      variant: { type: 'string' },
      'text-column': { type: 'string' },
      'label-column': { type: 'string' },
      'label-map': { type: 'string' },
      'dataset-format': { type: 'string' },
      header: { type: 'boolean' },
      'no-header': { type: 'boolean' },
      format: { type: 'string', short: 'f' },
      predictions: { type: 'string' },
      'batch-size': { type: 'string' },
      'held-out': { type: 'boolean' },
      ...remoteOptions,
    });
    if (positionals.length !== 1) throw new UsageError(`name exactly one dataset file (got ${positionals.length})`);
    if (values.header && values['no-header']) throw new UsageError('--header and --no-header contradict each other');
    const dataset = positionals[0];
    const format = oneOf('--format', values.format, formats, 'table');
    const datasetFormat = values['dataset-format'] === undefined ? undefined : oneOf('--dataset-format', values['dataset-format'], datasetFormats, 'csv');
    const batchSize = positiveInteger('--batch-size', values['batch-size']);
    checkDatasetFile(dataset);
    const labelMap = values['label-map'] === undefined ? undefined : parseLabelMap(values['label-map']);

    const modelDir = values.model ?? defaultModelDir();
    // The output target is opened before the model loads: a bad one fails at once, with nothing left behind.
    const predictions = values.predictions ? new PredictionsFile(values.predictions) : undefined;
    const cancel = new AbortController();
    const onInterrupt = () => cancel.abort(new Error('cancelled (interrupted)'));
    process.once('SIGINT', onInterrupt);
    const progress = new ProgressLine();
    let engine: Engine | undefined;
    try {
      engine = await Engine.load(modelDir, { ...remoteEngineOptions(values, modelDir), modelVariant: oneOf<ModelVariant>('--variant', values.variant, MODEL_VARIANTS, 'auto') });
      cancel.signal.throwIfAborted();
      const { labels } = engine.model;
      const loaded = engine;
      const report = await evaluate(
        dataset,
        {
          labels,
          labelMap,
          textColumn: values['text-column'],
          labelColumn: values['label-column'],
          format: datasetFormat,
          hasHeader: values.header ? true : values['no-header'] ? false : undefined,
          batchSize,
          trainingManifest: readTrainingManifest(engine.model.dir),
          heldOutOnly: values['held-out'] ?? false,
          signal: cancel.signal,
          keepPredictions: false,
          onPredictions: predictions && ((rows) => predictions.write(rows, labels)),
          onProgress: (state) =>
            progress.update(
              `evaluating: ${formatCount(state.rows)} rows (${Math.floor((state.bytesRead / Math.max(state.totalBytes, 1)) * 100)} %), ${formatCount(state.rowsPerSecond)} rows/s${state.skipped > 0 ? `, ${formatCount(state.skipped)} skipped` : ''}`,
            ),
        },
        (texts, signal) => loaded.classify(texts, { signal }),
      ).catch((error) => {
        throw error instanceof LabelMappingError ? new LabelMappingError(`${error.message} (${cliWayOut(error)})`, error.mismatch) : error;
      });
      predictions?.commit();
      progress.done(`evaluated ${formatCount(report.evaluated)} of ${formatCount(report.total)} rows (${formatCount(report.skipped)} skipped) in ${formatSeconds(report.seconds)}, ${formatCount(report.rowsPerSecond)} rows/s`);
      if (report.evaluated === 0) throw new Error(`no row of ${dataset} could be evaluated: ${describeSkipped(report)}`);
      const model = { name: engine.model.name, dir: engine.model.dir };
      process.stdout.write(format === 'json' ? `${JSON.stringify(toJson(report, model), null, 2)}\n` : renderTable(report, model));
      return exitCodes.ok;
    } catch (error) {
      if (!cancel.signal.aborted) throw error;
      progress.done();
      process.stderr.write('textclf evaluate: cancelled (interrupted)\n');
      return exitCodes.interrupted;
    } finally {
      progress.done();
      predictions?.discard();
      process.removeListener('SIGINT', onInterrupt);
      await engine?.dispose();
    }
  },
};

function checkDatasetFile(dataset: string): void {
  const stat = fs.statSync(dataset, { throwIfNoEntry: false });
  if (!stat) throw new Error(`dataset ${dataset} not found`);
  if (stat.isDirectory()) throw new Error(`dataset ${dataset} is a directory; name a CSV, TSV or JSONL file`);
  if (!stat.isFile()) throw new Error(`dataset ${dataset} is not a regular file`);
}

/**
 * Predictions go to a temporary file beside the target, renamed into place at the end, so a failed
 * or cancelled run leaves nothing half-written. The target is checked when this is made: its
 * directory must exist and be writable, and it must not be a directory itself.
 */
class PredictionsFile {
  private readonly temporary: string;
  private fd: number | undefined;

  constructor(private readonly target: string) {
    const fail = (why: string) => new Error(`cannot write predictions to ${target}: ${why}`);
    if (fs.statSync(target, { throwIfNoEntry: false })?.isDirectory()) throw fail('it is a directory');
    this.temporary = path.join(path.dirname(path.resolve(target)), `.${path.basename(target)}.${process.pid}.partial`);
    try {
      this.fd = fs.openSync(this.temporary, 'wx');
    } catch (error) {
      throw fail((error as NodeJS.ErrnoException).code ?? errorMessage(error));
    }
  }

  write(rows: Prediction[], labels: string[]): void {
    const lines = rows.map((row) =>
      JSON.stringify({ line: row.line, text: row.text, gold: row.gold, gold_label: row.goldLabel, predicted: row.predicted, confidence: row.confidence, scores: Object.fromEntries(labels.map((label, index) => [label, row.scores[index]])) }),
    );
    try {
      fs.writeSync(this.fd!, `${lines.join('\n')}\n`);
    } catch (error) {
      throw new Error(`cannot write predictions to ${this.target}: ${(error as NodeJS.ErrnoException).code ?? errorMessage(error)}`, { cause: error });
    }
  }

  commit(): void {
    try {
      fs.fsyncSync(this.fd!);
      fs.renameSync(this.temporary, this.target);
    } catch (error) {
      throw new Error(`cannot write predictions to ${this.target}: ${(error as NodeJS.ErrnoException).code ?? errorMessage(error)}`, { cause: error });
    }
    fs.closeSync(this.fd!);
    this.fd = undefined;
  }

  /** Removes the temporary file unless it was committed. */
  discard(): void {
    if (this.fd === undefined) return;
    fs.closeSync(this.fd);
    this.fd = undefined;
    fs.rmSync(this.temporary, { force: true });
  }
}

function describeSkipped(report: EvaluationReport): string {
  const reasons = Object.entries(report.skippedByReason).map(([reason, count]) => `${count} ${reason}`);
  if (report.trainingOverlap?.excluded) reasons.push(`${report.trainingOverlap.rows} training rows left out (--held-out)`);
  return `${report.total} rows, ${reasons.length > 0 ? reasons.join(', ') : 'none readable'}`;
}

function toJson(report: EvaluationReport, model: { name: string; dir: string }) {
  return {
    accuracy: report.accuracy,
    macro_f1: report.macroF1,
    weighted_f1: report.weightedF1,
    macro_precision: report.macroPrecision,
    macro_recall: report.macroRecall,
    labels: report.labels,
    per_class: report.perClass,
    confusion_matrix: report.confusionMatrix,
    total: report.total,
    evaluated: report.evaluated,
    skipped: report.skipped,
    skipped_by_reason: report.skippedByReason,
    skipped_rows: report.skippedRows,
    expected_calibration_error: report.expectedCalibrationError,
    calibration_bins: report.calibrationBins,
    rows_per_second: report.rowsPerSecond,
    seconds: report.seconds,
    model,
    dataset: { path: report.dataset.path, format: report.dataset.format, has_header: report.dataset.hasHeader, text_columns: report.dataset.textColumns, label_column: report.dataset.labelColumn },
    label_mapping: report.labelMapping,
    training_overlap: report.trainingOverlap && {
      rows: report.trainingOverlap.rows,
      match: report.trainingOverlap.match,
      training_file: report.trainingOverlap.trainingFile,
      excluded: report.trainingOverlap.excluded,
      held_out: { accuracy: report.trainingOverlap.heldOut.accuracy, macro_f1: report.trainingOverlap.heldOut.macroF1, evaluated: report.trainingOverlap.heldOut.evaluated },
    },
  };
}

/** The options that get a dataset whose labels do not fit the model evaluated. */
function cliWayOut(error: LabelMappingError): string {
  if (!error.mismatch) return '--label-map';
  if (error.mismatch.suggestedMap) return `--label-map ${formatLabelMap(error.mismatch.suggestedMap)}`;
  return '--model DIR for a model trained on these labels, textclf train to train one, or --label-column';
}

/** The training-overlap warning and the held-out metrics, before the all-rows metrics. */
function overlapLines(report: EvaluationReport, modelName: string): string[] {
  const overlap = report.trainingOverlap;
  if (!overlap) return [];
  const how = overlap.match === 'same file' ? `rows listed in its training manifest for ${overlap.trainingFile}` : `same text as rows of its training file ${overlap.trainingFile}`;
  if (overlap.excluded) return [`held out    ${formatCount(overlap.rows)} rows ${modelName} was trained on were left out (${how})`];
  return [
    `WARNING     ${formatCount(overlap.rows)} of these rows were used to train ${modelName} (${how}); the all-rows metrics are optimistic`,
    overlap.heldOut.evaluated === 0
      ? 'held-out    none: every evaluated row was a training row; evaluate a dataset the model has not seen'
      : `held-out    accuracy ${percent(overlap.heldOut.accuracy)}, macro-F1 ${percent(overlap.heldOut.macroF1)} on the ${formatCount(overlap.heldOut.evaluated)} other rows (--held-out evaluates only those)`,
  ];
}

function renderTable(report: EvaluationReport, model: { name: string; dir: string }): string {
  const { dataset } = report;
  const lines = [
    `dataset     ${dataset.path} (${dataset.format}${dataset.hasHeader ? ', header' : ''}; text: ${dataset.textColumns.join(' + ')}, label: ${dataset.labelColumn}; labels by ${report.labelMapping})`,
    `model       ${model.name} (${report.labels.join(', ')})`,
    `rows        ${formatCount(report.total)} total, ${formatCount(report.evaluated)} evaluated, ${formatCount(report.skipped)} skipped`,
    ...overlapLines(report, model.name),
    `accuracy    ${percent(report.accuracy)}${report.trainingOverlap && !report.trainingOverlap.excluded ? ' (all rows, training rows included)' : ''}`,
    `macro-F1    ${percent(report.macroF1)}    weighted-F1 ${percent(report.weightedF1)}    ECE ${report.expectedCalibrationError.toFixed(4)}`,
    `throughput  ${formatCount(report.rowsPerSecond)} rows/s (${formatSeconds(report.seconds)})`,
    '',
    formatTable(
      ['label', 'precision', 'recall', 'F1', 'support'],
      [
        ...report.perClass.map((row) => [row.label, percent(row.precision), percent(row.recall), percent(row.f1), formatCount(row.support)]),
        ['macro avg', percent(report.macroPrecision), percent(report.macroRecall), percent(report.macroF1), formatCount(report.evaluated)],
      ],
      [1, 2, 3, 4],
    ),
    '',
    'confusion matrix (rows: gold, columns: predicted)',
    formatTable(
      ['', ...report.labels],
      report.confusionMatrix.map((row, gold) => [report.labels[gold], ...row.map(formatCount)]),
      report.labels.map((_, index) => index + 1),
    ),
  ];
  if (report.skipped > 0) {
    lines.push('', 'skipped rows by reason');
    for (const [reason, count] of Object.entries(report.skippedByReason)) {
      const rows = report.skippedRows.filter((row) => row.reason === reason);
      const shown = rows.slice(0, 5).map((row) => `line ${row.line}: ${row.detail}`);
      lines.push(`  ${reason}: ${formatCount(count!)}`, ...shown.map((text) => `    ${text}`), ...(rows.length > shown.length ? [`    … and ${formatCount(rows.length - shown.length)} more (--format json lists all)`] : []));
    }
  }
  return `${lines.map(escapeControls).join('\n')}\n`;
}
