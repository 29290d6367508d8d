// textclf models [DIR...]: the bundled models and any given model directories, with labels and sizes.
// textclf models --check DIR: what the directory holds and whether the engine runs it (src/engine/inspect.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readBundle } from '../engine/bundle';
import { directoryBytes, megabytes } from '../classifier/fileSizes';
import { MODEL_VARIANTS, type ModelVariant } from '../classifier/types';
import type { ModelCheck } from '../classifier/types';
import { checkModel } from '../engine/inspect';
import { Command, exitCodes, oneOf, parseCommandLine, UsageError } from './command';
import { bundledModelsDir } from '../classifier/packagePaths';
import { formatTable } from './table';
import { errorMessage } from '../classifier/errors';

const formats = ['table', 'json'] as const;

export interface ModelListing {
  name: string;
  dir: string;
  bundled: boolean;
  labels: string[];
  problemType: string;
  modelType: string;
  onnxFile: string;
  onnxBytes: number;
  /** All files of the directory, recursively. */
  totalBytes: number;
}

export const modelsCommand: Command = {
  name: 'models',
  summary: 'list the bundled models and given model directories',
  help: `Usage: textclf models [options] [DIR...]
       textclf models --check DIR [--variant VARIANT] [--format json]

Lists the models bundled with textclf and every model directory given, with their labels, problem
type and sizes. A directory that is not a valid model is reported with the reason (exit code 1).

--check loads DIR as the engine would and prints what it found: family, tokenizer model, graph
inputs with their types, outputs, problem type, labels, variant, window length, external data, and
whether all of it is supported, with one sentence per problem (exit code 1 when unsupported) and
per note (e.g. a dynamically quantized graph's batch-dependent scores).

Options:
  -f, --format FORMAT  table | json (default: table)
      --check DIR      check one model directory
      --variant NAME   ${MODEL_VARIANTS.join(' | ')} (default: auto, fp32 when present)
  -h, --help           show this help`,

  async run(args) {
    const { values, positionals } = parseCommandLine(args, { format: { type: 'string', short: 'f' }, check: { type: 'string' }, variant: { type: 'string' } });
    const format = oneOf('--format', values.format, formats, 'table');
    const variant = oneOf<ModelVariant>('--variant', values.variant, MODEL_VARIANTS, 'auto');
    if (values.check !== undefined) {
      if (positionals.length > 0) throw new UsageError('--check takes one directory; list several without --check');
      const check = await checkModel(values.check, { variant });
      process.stdout.write(format === 'json' ? `${JSON.stringify(check, null, 2)}\n` : renderCheck(check));
      return check.supported ? exitCodes.ok : exitCodes.runtimeError;
    }
    const bundledRoot = bundledModelsDir();
    const bundled = fs.existsSync(bundledRoot)
      ? fs.readdirSync(bundledRoot, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => path.join(bundledRoot, entry.name)).sort()
      : [];
    const listings: ModelListing[] = [];
    const problems: string[] = [];
    for (const [dir, isBundled] of [...bundled.map((dir) => [dir, true] as const), ...positionals.map((dir) => [dir, false] as const)]) {
      try {
        listings.push(describe(dir, isBundled));
      } catch (error) {
        problems.push(errorMessage(error));
      }
    }
    process.stdout.write(format === 'json' ? `${JSON.stringify(listings, null, 2)}\n` : renderTable(listings));
    for (const problem of problems) process.stderr.write(`textclf models: ${problem}\n`);
    return problems.length > 0 ? exitCodes.runtimeError : exitCodes.ok;
  },
};

function describe(dir: string, bundled: boolean): ModelListing {
  const bundle = readBundle(dir);
  return {
    name: bundle.name,
    dir: bundle.dir,
    bundled,
    labels: bundle.labels,
    problemType: bundle.problemType,
    modelType: bundle.modelType,
    onnxFile: path.relative(bundle.dir, bundle.onnxFile),
    onnxBytes: fs.statSync(bundle.onnxFile).size,
    totalBytes: directoryBytes(bundle.dir),
  };
}

function renderTable(listings: ModelListing[]): string {
  if (listings.length === 0) return 'no models found\n';
  const rows = listings.map((model) => [model.name + (model.bundled ? ' (bundled)' : ''), model.labels.join(', '), model.problemType.replace('_classification', ''), `${model.onnxFile} ${megabytes(model.onnxBytes)}`, megabytes(model.totalBytes), model.dir]);
  return `${formatTable(['model', 'labels', 'problem', 'onnx', 'total', 'directory'], rows, [4])}\n`;
}

function renderCheck(check: ModelCheck): string {
  const tensors = (list: ModelCheck['inputs']) => list.map((t) => `${t.name} ${t.dtype} [${t.shape.join(', ')}]`).join('; ') || '-';
  const rows: [string, string][] = [
    ['directory', check.dir],
    ['family', check.family ?? '-'],
    ['tokenizer', check.tokenizer ?? '-'],
    ['inputs', tensors(check.inputs)],
    ['outputs', tensors(check.outputs)],
    ['problem type', check.problem_type ?? '-'],
    ['labels', check.labels.join(', ') || '-'],
    ['variant', check.variant ? `${check.variant.name} (${check.variant.file}; present: ${check.variant.available.join(', ')})` : '-'],
    ['window', check.window === null ? '-' : `${check.window} tokens`],
    ['external data', check.external_data.join(', ') || 'none'],
    ['supported', check.supported ? 'yes' : 'no'],
    ...check.problems.map((problem): [string, string] => ['problem', problem]),
    ...check.notes.map((note): [string, string] => ['note', note]),
  ];
  const width = Math.max(...rows.map(([key]) => key.length));
  return rows.map(([key, value]) => `${key.padEnd(width)}  ${value}`).join('\n') + '\n';
}
