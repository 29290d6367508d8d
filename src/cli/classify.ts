// textclf classify <file...|->: cut each file into units and classify them with an in-process engine.
import * as fs from 'node:fs';
import { binaryReason } from '../classifier/binaryText';
import { Engine } from '../engine/engine';
import { isMarkdownPath } from '../classifier/prose';
import { segment, UNITS } from '../classifier/segment';
import { MODEL_VARIANTS, type LabelScore, type ModelVariant, type ProblemType, type Unit } from '../classifier/types';
import { Command, exitCodes, oneOf, parseCommandLine, UsageError } from './command';
import { defaultModelDir } from '../classifier/packagePaths';
import { formatCount, formatSeconds, ProgressLine } from './progress';
import { remoteEngineOptions, remoteHelp, remoteOptions, remoteSummary } from './remote';
import { formatTable, oneLine } from './table';
import { errorMessage } from '../classifier/errors';

const formats = ['table', 'json', 'jsonl'] as const;
/** Units per classify call: --format jsonl writes each call's units as soon as it finishes. */
const UNITS_PER_CALL = 512;

export interface ClassifiedUnit {
  file: string;
  /** 1-based line of the unit's first character. */
  line: number;
  start: number;
  end: number;
  text: string;
  labels: LabelScore[];
  windows: number;
  tokens: number;
}

export const classifyCommand: Command = {
  name: 'classify',
  summary: 'classify the paragraphs (or sentences, lines, …) of files or stdin',
  help: `Usage: textclf classify [options] <file...|->

Cuts each file (or stdin, "-") into units and classifies every unit with a model. In Markdown
files (.md, .markdown) only prose is classified: headings, code, front matter, tables, HTML and
link reference definitions are not units (--all-text classifies them too). Binary files are refused.

Options:
  -m, --model DIR          model directory (default: the bundled sentiment-sst2)
      --variant NAME       which graph of the model directory: auto (fp32 when present), fp32, fp16,
                           quantized, int8, uint8, q4, q4f16, bnb4
  -u, --unit UNIT          ${UNITS.join(' | ')} (default: paragraph)
  -f, --format FORMAT      table | json | jsonl (default: table); jsonl is written as units finish
      --top-k K            keep only the K best labels of each unit
      --all-text           in Markdown, classify every block, not only the prose
${remoteHelp}
  -h, --help               show this help

JSON: one object per unit with file, line, start, end (character offsets: text is the file's
content from start to end), text, labels ([{label, score}], best first), windows and tokens.

Exit codes: 0 ok, 1 runtime error, 2 usage error.`,

  async run(args) {
    const { values, positionals } = parseCommandLine(args, {
      model: { type: 'string', short: 'm' },
      variant: { type: 'string' },
      unit: { type: 'string', short: 'u' },
      format: { type: 'string', short: 'f' },
      'top-k': { type: 'string' },
      'all-text': { type: 'boolean' },
      ...remoteOptions,
    });
    if (positionals.length === 0) throw new UsageError('name at least one file, or "-" for stdin');
    const unit = oneOf<Unit>('--unit', values.unit, UNITS, 'paragraph');
    const format = oneOf('--format', values.format, formats, 'table');
    const topK = values['top-k'] === undefined ? undefined : Number(values['top-k']);
    if (topK !== undefined && !(Number.isInteger(topK) && topK >= 1)) throw new UsageError(`--top-k must be a positive integer, got "${values['top-k']}"`);

    const modelDir = values.model ?? defaultModelDir();
    const engineOptions = { ...remoteEngineOptions(values, modelDir), modelVariant: oneOf<ModelVariant>('--variant', values.variant, MODEL_VARIANTS, 'auto') };
    const documents = positionals.map((file) => ({ file, text: readInput(file) }));
    const units = documents.flatMap(({ file, text }) => {
      const lineAt = lineCounter(text);
      const prose = isMarkdownPath(file) && !values['all-text'];
      return segment(text, unit, { prose }).map((piece) => ({ file, line: lineAt(piece.start), ...piece }));
    });

    const started = performance.now();
    const engine = await Engine.load(modelDir, engineOptions);
    const progress = new ProgressLine();
    try {
      const classified: ClassifiedUnit[] = [];
      let done = 0;
      // One call runs while the units of the one before are written (jsonl) or kept.
      let previous: Promise<ClassifiedUnit[]> | undefined;
      const finish = async (call: Promise<ClassifiedUnit[]>) => {
        const finished = await call;
        if (format === 'jsonl') await writeOut(render(finished, format));
        else classified.push(...finished);
      };
      for (let from = 0; from < units.length; from += UNITS_PER_CALL) {
        const slice = units.slice(from, from + UNITS_PER_CALL);
        const call = engine
          .classify(slice.map((piece) => piece.text), { topK, onProgress: (finished) => progress.update(`classifying: ${formatCount(done + finished)}/${formatCount(units.length)} units`) })
          .then((results) => {
            done += slice.length;
            return slice.map((piece, index): ClassifiedUnit => ({ ...piece, labels: results[index].labels, windows: results[index].windows, tokens: results[index].tokens }));
          });
        call.catch(() => undefined); // surfaces when awaited, in order
        if (previous) await finish(previous);
        previous = call;
      }
      if (previous) await finish(previous);
      const seconds = (performance.now() - started) / 1000;
      progress.done(`classified ${formatCount(units.length)} unit${units.length === 1 ? '' : 's'} in ${formatSeconds(seconds)} with ${engine.model.name}${remoteSummary(engine.status())}`);
      if (format !== 'jsonl') await writeOut(render(classified, format, engine.model.problemType));
    } finally {
      progress.done();
      await engine.dispose();
    }
    return exitCodes.ok;
  },
};

export function readInput(file: string): string {
  const name = file === '-' ? 'stdin' : file;
  let text: string;
  try {
    text = fs.readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${name}: ${errorMessage(error)}`, { cause: error });
  }
  const binary = binaryReason(text);
  if (binary) throw new Error(`${name} is not a text file (${binary}); nothing was classified`);
  return text;
}

/** Writes to stdout, waiting while a slow reader (a pipe) has not taken what was written before. */
function writeOut(text: string): Promise<void> {
  if (text === '' || process.stdout.write(text)) return Promise.resolve();
  return new Promise((resolve) => process.stdout.once('drain', resolve));
}

/** 1-based line of an offset; offsets must come in ascending order (units do). */
export function lineCounter(text: string): (offset: number) => number {
  let line = 1;
  let scanned = 0;
  return (offset) => {
    for (let at = text.indexOf('\n', scanned); at !== -1 && at < offset; at = text.indexOf('\n', at + 1)) {
      line++;
      scanned = at + 1;
    }
    return line;
  };
}

/** A regression model's scores are values, not probabilities: the table's column says "value". */
function render(units: ClassifiedUnit[], format: (typeof formats)[number], problemType?: ProblemType): string {
  if (format === 'json') return `${JSON.stringify(units, null, 2)}\n`;
  if (format === 'jsonl') return units.map((unit) => `${JSON.stringify(unit)}\n`).join('');
  if (units.length === 0) return 'no text to classify\n';
  const rows = units.map((unit) => [`${unit.file}:${unit.line}`, unit.labels[0].label, unit.labels[0].score.toFixed(3), oneLine(unit.text, 70)]);
  return `${formatTable(['unit', 'label', problemType === 'regression' ? 'value' : 'score', 'text'], rows, [2])}\n`;
}
