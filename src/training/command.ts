// textclf train <dataset>: train a classifier from a labeled dataset and write a new model directory.
// Wired into src/cli.ts's command table like every other subcommand.
import { Command, exitCodes, oneOf, parseCommandLine, positiveInteger, UsageError } from '../cli/command';
import { defaultModelDir } from '../classifier/packagePaths';
import { ProgressLine } from '../cli/progress';
import type { DatasetFormat } from '../datasets/types';
import { readTrainingDataset } from './datasetFiles';
import { POOLINGS } from './onnxHead';
import { formatDuration, formatPercent } from './progress';
import type { SplitFractions } from './split';
import { trainClassifier, type TrainingMethod } from './train';

const methods: readonly TrainingMethod[] = ['linear-head', 'pytorch'];
const datasetFormats: readonly DatasetFormat[] = ['csv', 'tsv', 'jsonl'];
const classWeightModes = ['auto', 'balanced', 'none'] as const;

export const trainCommand: Command = {
  name: 'train',
  summary: 'train a classifier from a labeled dataset into a new model directory',
  help: `Usage: textclf train [options] --output DIR <dataset>

Trains a classifier for the labels of a dataset (CSV, TSV, JSONL) and writes a standard model
directory (config.json, tokenizer.json, onnx/model.onnx, MODEL_CARD.md) that this tool, the
extension, Transformers.js and onnxruntime load unchanged. The directory appears only when complete.

Without --validation and --test, a seeded stratified split is made (80/10/10 by default): the head
is fitted on train, settings and early stopping use validation, and test is reported.

Method linear-head (default, no Python): the base model's encoder stays frozen; its sentence features
(the classifier's input, the mean and maximum of the token states, the mean of the word embeddings)
train a new linear classification head.
Method pytorch: every weight is trained with PyTorch (needs Python 3 with torch and onnx, e.g. Debian's
python3-torch python3-onnx), through the project's training pipeline in scripts/.

Options:
  -o, --output DIR         the new model directory (required; must not exist unless --overwrite)
  -m, --model DIR          base model (default: the bundled sentiment-sst2)
      --method M           linear-head | pytorch (default: linear-head)
      --validation FILE    validation split (with --test; the dataset is then the train split)
      --test FILE          test split
      --split T/V/T        split percentages (default 80/10/10)
      --seed N             seed of the split and the training (default 42)
      --text-column COL    column name or 1-based position; several (a,b) are joined with a space
      --label-column COL   column name or 1-based position
      --dataset-format F   csv | tsv | jsonl (default: from the extension or content)
      --header, --no-header  whether the first CSV/TSV row names the columns (default: detected)
      --l2 LIST            L2 strengths to choose from on validation (default 0.0001,0.001,0.01)
      --class-weights W    auto | balanced | none (default auto: both tried, better validation macro-F1 kept)
      --pooling P          linear-head sentence features (default: the first the base graph has):
                           ${POOLINGS.join('\n                           ')}
      --max-epochs N       per head (default 300; early stopping usually ends sooner)
      --init I             pytorch: base (default: start from the base model's weights) | scratch
      --epochs N           pytorch: training epochs (default 4 from base, 6 from scratch)
      --python FILE        pytorch: the Python with torch (default /usr/bin/python3, else python3)
      --overwrite          replace an existing model directory
  -f, --format FORMAT      table | json (default: table)
  -h, --help               show this help

Exit codes: 0 ok, 1 runtime error (bad data, bad base model, cancelled), 2 usage error.`,

  async run(args) {
    const { values, positionals } = parseCommandLine(args, {
      output: { type: 'string', short: 'o' },
      model: { type: 'string', short: 'm' },
      method: { type: 'string' },
      validation: { type: 'string' },
      test: { type: 'string' },
      split: { type: 'string' },
      seed: { type: 'string' },
      'text-column': { type: 'string' },
      'label-column': { type: 'string' },
      'dataset-format': { type: 'string' },
      header: { type: 'boolean' },
      'no-header': { type: 'boolean' },
      l2: { type: 'string' },
      'class-weights': { type: 'string' },
      pooling: { type: 'string' },
      'max-epochs': { type: 'string' },
      init: { type: 'string' },
      epochs: { type: 'string' },
      python: { type: 'string' },
      overwrite: { type: 'boolean' },
      format: { type: 'string', short: 'f' },
    });
    if (positionals.length !== 1) throw new UsageError(`name exactly one dataset file (got ${positionals.length})`);
    if (!values.output) throw new UsageError('--output DIR is required');
    if (values.header && values['no-header']) throw new UsageError('--header and --no-header contradict each other');
    if ((values.validation === undefined) !== (values.test === undefined)) throw new UsageError('give both --validation and --test, or neither');
    if (values.split !== undefined && values.validation !== undefined) throw new UsageError('--split makes a split; it cannot be used with --validation/--test');
    const format = oneOf('--format', values.format, ['table', 'json'] as const, 'table');
    const seed = values.seed === undefined ? 42 : nonNegativeInteger('--seed', values.seed);

    const cancel = new AbortController();
    const onInterrupt = () => cancel.abort();
    process.once('SIGINT', onInterrupt);
    const progress = new ProgressLine();
    try {
      const dataset = await readTrainingDataset({
        train: positionals[0],
        validation: values.validation,
        test: values.test,
        schema: {
          format: values['dataset-format'] === undefined ? undefined : oneOf('--dataset-format', values['dataset-format'], datasetFormats, 'csv'),
          textColumn: values['text-column'],
          labelColumn: values['label-column'],
          hasHeader: values.header ? true : values['no-header'] ? false : undefined,
        },
        signal: cancel.signal,
      });
      const report = await trainClassifier({
        method: oneOf('--method', values.method, methods, 'linear-head'),
        baseModel: values.model ?? defaultModelDir(),
        output: values.output,
        overwrite: values.overwrite,
        dataset,
        seed,
        fractions: values.split === undefined ? undefined : parseSplit(values.split),
        linearHead: {
          l2: values.l2 === undefined ? undefined : parseL2(values.l2),
          classWeights: oneOf('--class-weights', values['class-weights'], classWeightModes, 'auto'),
          pooling: values.pooling === undefined ? undefined : oneOf('--pooling', values.pooling, POOLINGS, POOLINGS[0]),
          maxEpochs: positiveInteger('--max-epochs', values['max-epochs']),
        },
        pytorch: {
          init: oneOf('--init', values.init, ['base', 'scratch'] as const, 'base'),
          overrides: values.epochs === undefined ? undefined : { epochs: positiveInteger('--epochs', values.epochs)! },
          python: values.python,
        },
        signal: cancel.signal,
        onProgress: (event) => {
          const remaining = event.remainingMs === undefined ? '' : ` (~${formatDuration(event.remainingMs)} left)`;
          // Feature batches and linear-head epochs (many, fast) redraw in place; the rest stays in the log.
          if ((event.phase === 'features' && event.total !== undefined) || event.epoch) progress.update(`${event.message}${remaining}`);
          else progress.done(event.message);
        },
      });
      progress.done();
      if (format === 'json') {
        const { testExamples: _examples, test, validation, ...rest } = report;
        process.stdout.write(`${JSON.stringify({ ...rest, test: { ...test, predictions: undefined }, validation: { ...validation, predictions: undefined } }, null, 2)}\n`);
      } else {
        process.stdout.write(
          [
            `model      ${report.outputDir}`,
            `split      ${report.split}`,
            `test       accuracy ${formatPercent(report.test.accuracy)}, macro-F1 ${formatPercent(report.test.macroF1)} (${report.test.rows} examples)`,
            ...report.test.perLabel.map((m) => `  ${m.label.padEnd(16)} precision ${formatPercent(m.precision)}  recall ${formatPercent(m.recall)}  F1 ${formatPercent(m.f1)}  (${m.support})`),
            `time       ${formatDuration(report.totalMs)} (${report.featuresMs > 0 ? `features ${formatDuration(report.featuresMs)}, ` : ""}training ${formatDuration(report.trainingMs)})`,
            '',
          ].join('\n'),
        );
      }
      return exitCodes.ok;
    } finally {
      progress.done();
      process.removeListener('SIGINT', onInterrupt);
    }
  },
};

function nonNegativeInteger(option: string, value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new UsageError(`${option} must be a non-negative integer, got "${value}"`);
  return number;
}

function parseSplit(value: string): SplitFractions {
  const parts = value.split('/').map(Number);
  if (parts.length !== 3 || parts.some((part) => !(part > 0)) || Math.abs(parts[0] + parts[1] + parts[2] - 100) > 1e-9) {
    throw new UsageError(`--split must be three positive percentages adding up to 100, e.g. 80/10/10, got "${value}"`);
  }
  return { train: parts[0] / 100, validation: parts[1] / 100, test: parts[2] / 100 };
}

function parseL2(value: string): number[] {
  const values = value.split(',').map(Number);
  if (values.some((l2) => !(l2 >= 0) || !Number.isFinite(l2))) throw new UsageError(`--l2 must be non-negative numbers separated by commas, got "${value}"`);
  return values;
}
