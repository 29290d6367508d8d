// textclf classify <file...|->: cut each file into units and classify them with an in-process engine.
import * as fs from 'node:fs';
import { Engine } from '../classifier/engine';
import { segment, UNITS } from '../classifier/segment';
import type { LabelScore, Unit } from '../classifier/types';
import { Command, exitCodes, oneOf, parseCommandLine, UsageError } from './command';
import { defaultModelDir } from './paths';
import { formatCount, formatSeconds, ProgressLine } from './progress';
import { formatTable, oneLine } from './table';

const formats = ['table', 'json', 'jsonl'] as const;

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

Cuts each file (or stdin, "-") into units and classifies every unit with a model.

Options:
  -m, --model DIR      model directory (default: the bundled sentiment-sst2)
  -u, --unit UNIT      ${UNITS.join(' | ')} (default: paragraph)
  -f, --format FORMAT  table | json | jsonl (default: table)
      --top-k K        keep only the K best labels of each unit
  -h, --help           show this help

JSON: one object per unit with file, line, start, end (character offsets: text is the file's
content from start to end), text, labels ([{label, score}], best first), windows and tokens.

Exit codes: 0 ok, 1 runtime error, 2 usage error.`,

  async run(args) {
    const { values, positionals } = parseCommandLine(args, {
      model: { type: 'string', short: 'm' },
      unit: { type: 'string', short: 'u' },
      format: { type: 'string', short: 'f' },
      'top-k': { type: 'string' },
    });
    if (positionals.length === 0) throw new UsageError('name at least one file, or "-" for stdin');
    const unit = oneOf<Unit>('--unit', values.unit, UNITS, 'paragraph');
    const format = oneOf('--format', values.format, formats, 'table');
    const topK = values['top-k'] === undefined ? undefined : Number(values['top-k']);
    if (topK !== undefined && !(Number.isInteger(topK) && topK >= 1)) throw new UsageError(`--top-k must be a positive integer, got "${values['top-k']}"`);

    const documents = positionals.map((file) => ({ file, text: readInput(file) }));
    const units = documents.flatMap(({ file, text }) => {
      const lineAt = lineCounter(text);
      return segment(text, unit).map((piece) => ({ file, line: lineAt(piece.start), ...piece }));
    });

    const started = performance.now();
    const engine = await Engine.load(values.model ?? defaultModelDir());
    const progress = new ProgressLine();
    try {
      const results = await engine.classify(
        units.map((piece) => piece.text),
        { topK, onProgress: (done, total) => progress.update(`classifying: ${formatCount(done)}/${formatCount(total)} units`) },
      );
      const classified = units.map((piece, index): ClassifiedUnit => ({ ...piece, labels: results[index].labels, windows: results[index].windows, tokens: results[index].tokens }));
      const seconds = (performance.now() - started) / 1000;
      progress.done(`classified ${formatCount(units.length)} unit${units.length === 1 ? '' : 's'} in ${formatSeconds(seconds)} with ${engine.model.name}`);
      process.stdout.write(render(classified, format));
    } finally {
      progress.done();
      await engine.dispose();
    }
    return exitCodes.ok;
  },
};

export function readInput(file: string): string {
  try {
    return fs.readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${file === '-' ? 'stdin' : file}: ${(error as Error).message}`);
  }
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

function render(units: ClassifiedUnit[], format: (typeof formats)[number]): string {
  if (format === 'json') return `${JSON.stringify(units, null, 2)}\n`;
  if (format === 'jsonl') return units.map((unit) => `${JSON.stringify(unit)}\n`).join('');
  if (units.length === 0) return 'no text to classify\n';
  const rows = units.map((unit) => [`${unit.file}:${unit.line}`, unit.labels[0].label, unit.labels[0].score.toFixed(3), oneLine(unit.text, 70)]);
  return `${formatTable(['unit', 'label', 'score', 'text'], rows, [2])}\n`;
}
