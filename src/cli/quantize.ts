// textclf quantize <model-dir> --out DIR: write an int8 copy of a model directory, and with --dataset
// compare the two models' accuracy on it.
import { MODEL_VARIANTS, type ModelVariant } from '../classifier/types';
import { parseLabelMap } from '../datasets/labels';
import type { DatasetFormat } from '../datasets/types';
import { runQuantizeJob } from '../engine/quantizeJob';
import { OutputExistsError } from '../quantize/directory';
import { DEFAULT_GRAPH_FORM, GRAPH_FORMS } from '../quantize/graph';
import type { QuantizeJobProgress, QuantizeJobResult } from '../quantize/job';
import { Command, exitCodes, oneOf, parseCommandLine, UsageError } from './command';
import { formatCount, formatSeconds, ProgressLine } from './progress';
import { percent } from './table';
import { escapeControls } from './terminalText';

const formats = ['table', 'json'] as const;
const datasetFormats: readonly DatasetFormat[] = ['csv', 'tsv', 'jsonl'];

export const quantizeCommand: Command = {
  name: 'quantize',
  summary: 'write an int8 (dynamically quantized) copy of a model directory',
  help: `Usage: textclf quantize [options] --out DIR <model-dir>

Quantizes a model's graph to int8 and writes DIR/onnx/model_quantized.onnx next to copies of the
model directory's other files (config, tokenizer files, card, manifest), so DIR is a model directory
that this tool, the extension and Transformers.js (dtype "q8") load. No Python is needed.

Method: dynamic quantization. The weights of every MatMul and Gemm are stored as int8 with one scale
per output channel (symmetric), embedding tables with one scale per row; activations are quantized
while the model runs, so no calibration data is needed. DIR appears only when complete.

With --dataset, both models are evaluated on the dataset (as textclf evaluate does) and the accuracy
and macro-F1 before and after are printed, with how many rows changed their predicted label.

Options:
  -o, --out DIR            the new model directory (required; must not exist unless --overwrite)
      --overwrite          replace an existing DIR
      --variant NAME       which graph of the model directory to quantize: auto (fp32 when present),
                           fp32, fp16, … (default auto)
      --dataset FILE       a labeled dataset (CSV, TSV, JSONL) to compare the two models on
      --text-column COL    dataset column name or 1-based position
      --label-column COL   dataset column name or 1-based position
      --label-map MAP      gold=model pairs ("0=negative,1=positive") or a JSON file
      --dataset-format F   csv | tsv | jsonl (default: from the extension or content)
      --held-out           evaluate only the rows the model was not trained on (its training manifest)
      --form FORM          graph form: ${GRAPH_FORMS.join(' | ')} (default ${DEFAULT_GRAPH_FORM}: MatMulInteger, which
                           measured faster here than the QDQ form)
  -f, --format FORMAT      table | json (default: table)
  -h, --help               show this help

JSON keys: out_dir, quantized_file, source_file, source_bytes, quantized_bytes, size_ratio, seconds,
form, quantized_matmuls, quantized_embeddings, int8_parameters, float_parameters, copied, comparison
(null, or {dataset, total, evaluated, before: {accuracy, macro_f1, rows_per_second}, after: {…},
changed_labels}).

Exit codes: 0 ok, 1 runtime error (bad model, DIR exists), 2 usage error, 130 interrupted (Ctrl-C; no
partial DIR is left).`,

  async run(args) {
    const { values, positionals } = parseCommandLine(args, {
      out: { type: 'string', short: 'o' },
      overwrite: { type: 'boolean' },
      variant: { type: 'string' },
      dataset: { type: 'string' },
      'text-column': { type: 'string' },
      'label-column': { type: 'string' },
      'label-map': { type: 'string' },
      'dataset-format': { type: 'string' },
      'held-out': { type: 'boolean' },
      form: { type: 'string' },
      format: { type: 'string', short: 'f' },
    });
    if (positionals.length !== 1) throw new UsageError(`name exactly one model directory (got ${positionals.length})`);
    if (!values.out) throw new UsageError('--out DIR is required: the directory to write the quantized model to');
    const format = oneOf('--format', values.format, formats, 'table');
    const dataset = values.dataset && {
      path: values.dataset,
      textColumn: values['text-column'],
      labelColumn: values['label-column'],
      labelMap: values['label-map'] === undefined ? undefined : parseLabelMap(values['label-map']),
      heldOut: values['held-out'] ?? false,
      format: values['dataset-format'] === undefined ? undefined : oneOf('--dataset-format', values['dataset-format'], datasetFormats, 'csv'),
    };

    const cancel = new AbortController();
    const onInterrupt = () => cancel.abort(new Error('cancelled (interrupted)'));
    process.once('SIGINT', onInterrupt);
    const progress = new ProgressLine();
    try {
      const result = await runQuantizeJob(
        {
          modelDir: positionals[0],
          outDir: values.out,
          overwrite: values.overwrite ?? false,
          variant: oneOf<ModelVariant>('--variant', values.variant, MODEL_VARIANTS, 'auto'),
          form: oneOf('--form', values.form, GRAPH_FORMS, DEFAULT_GRAPH_FORM),
          dataset: dataset || undefined,
        },
        { signal: cancel.signal, onProgress: (state) => progress.update(describeProgress(state)) },
      ).catch((error) => {
        throw error instanceof OutputExistsError ? new Error(`${error.file}: already exists (pass --overwrite to replace it)`) : error;
      });
      progress.done(`quantized ${result.sourceFile} in ${formatSeconds(result.seconds)}`);
      process.stdout.write(format === 'json' ? `${JSON.stringify(toJson(result), null, 2)}\n` : renderTable(result));
      return exitCodes.ok;
    } catch (error) {
      if (!cancel.signal.aborted) throw error;
      progress.done();
      process.stderr.write('textclf quantize: cancelled (interrupted)\n');
      return exitCodes.interrupted;
    } finally {
      progress.done();
      process.removeListener('SIGINT', onInterrupt);
    }
  },
};

function describeProgress(state: QuantizeJobProgress): string {
  if (state.stage === 'evaluating') return `evaluating the ${state.model === 'before' ? 'source' : 'quantized'} model: ${formatCount(state.rows)} rows (${Math.floor(state.fraction * 100)} %)`;
  if (state.stage === 'quantizing') return `quantizing: ${state.done} of ${state.total} weights`;
  return state.stage === 'reading' ? 'reading the model…' : 'writing the quantized model…';
}

function toJson(result: QuantizeJobResult) {
  const score = (s: { accuracy: number; macroF1: number; evaluated: number; rowsPerSecond: number }) => ({ accuracy: s.accuracy, macro_f1: s.macroF1, evaluated: s.evaluated, rows_per_second: s.rowsPerSecond });
  const { comparison } = result;
  return {
    out_dir: result.outDir,
    quantized_file: result.quantizedFile,
    source_file: result.sourceFile,
    source_bytes: result.sourceBytes,
    quantized_bytes: result.quantizedBytes,
    size_ratio: result.quantizedBytes / result.sourceBytes,
    seconds: result.seconds,
    form: result.graph.form,
    quantized_matmuls: result.graph.matMuls,
    quantized_embeddings: result.graph.embeddings,
    int8_parameters: result.graph.int8Parameters,
    float_parameters: result.graph.floatParameters,
    copied: result.copied,
    comparison: comparison && {
      dataset: comparison.dataset,
      total: comparison.total,
      evaluated: comparison.evaluated,
      before: score(comparison.before),
      after: score(comparison.after),
      changed_labels: comparison.changedLabels,
    },
  };
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

function renderTable(result: QuantizeJobResult): string {
  const lines = [
    `model       ${result.outDir}`,
    `graph       ${result.quantizedFile} (${result.graph.form} form)`,
    `size        ${megabytes(result.quantizedBytes)} (${percent(result.quantizedBytes / result.sourceBytes)} of ${megabytes(result.sourceBytes)})`,
    `quantized   ${result.graph.matMuls} matrix products, ${result.graph.embeddings} embedding tables: ${formatCount(result.graph.int8Parameters)} int8 parameters, ${formatCount(result.graph.floatParameters)} still float`,
    `copied      ${result.copied.join(', ') || 'nothing'}`,
  ];
  const { comparison } = result;
  if (comparison) {
    const row = (name: string, s: { accuracy: number; macroF1: number; rowsPerSecond: number }) =>
      `${name.padEnd(10)}  ${percent(s.accuracy).padStart(8)}  ${percent(s.macroF1).padStart(8)}  ${formatCount(s.rowsPerSecond).padStart(6)}`;
    lines.push(
      '',
      `dataset     ${comparison.dataset} (${formatCount(comparison.evaluated)} of ${formatCount(comparison.total)} rows evaluated)`,
      `${''.padEnd(10)}  ${'accuracy'.padStart(8)}  ${'macro-F1'.padStart(8)}  ${'rows/s'.padStart(6)}`,
      row('before', comparison.before),
      row('after', comparison.after),
      `changed     ${formatCount(comparison.changedLabels)} of ${formatCount(comparison.evaluated)} rows have another predicted label`,
    );
  }
  return `${lines.map(escapeControls).join('\n')}\n`;
}
