// textclf explain <file|->: cut a file into units, classify each with an in-process engine and show
// which words raised or lowered its top label (occlusion, src/engine/explain.ts).
import { Engine } from '../engine/engine';
import { contributionsTo, topContributions, type Explanation, type LabelContribution } from '../classifier/explanation';
import { isMarkdownPath } from '../classifier/prose';
import { segment, UNITS } from '../classifier/segment';
import { MODEL_VARIANTS, type LabelScore, type ModelVariant, type Unit } from '../classifier/types';
import { lineCounter, readInput } from './classify';
import { Command, exitCodes, oneOf, parseCommandLine, UsageError } from './command';
import { defaultModelDir } from '../classifier/packagePaths';
import { formatCount, formatSeconds, ProgressLine } from './progress';

const formats = ['table', 'json'] as const;
/** Words listed (and marked in the text) per direction in the table view. */
const TOP_WORDS = 5;

export interface ExplainedUnit {
  /** 1-based line of the unit's first character. */
  line: number;
  start: number;
  end: number;
  text: string;
  labels: LabelScore[];
  /** Words occluded together (more than 1 in a long unit). */
  wordsPerGroup: number;
  /** Each word's contribution to the unit's top label; start and end are offsets into the file. */
  words: LabelContribution[];
}

export const explainCommand: Command = {
  name: 'explain',
  summary: 'show which words raised or lowered each unit’s label',
  help: `Usage: textclf explain [options] <file|->

Cuts the file (or stdin, "-") into units, classifies each and measures every word's contribution to
the unit's top label: the label's score with the word minus its score with the word removed.

Options:
  -m, --model DIR      model directory (default: the bundled sentiment-sst2)
  -u, --unit UNIT      ${UNITS.join(' | ')} (default: paragraph)
  -f, --format FORMAT  table | json (default: table)
      --all-text       in Markdown, explain every block, not only the prose (as classify)
      --variant NAME   which graph of the model directory (as classify)
  -h, --help           show this help

Table: each unit's text with its ${TOP_WORDS} most raising words marked [+word] and ${TOP_WORDS} most lowering
[-word] (in colour on a terminal), then those words with their contributions.
JSON: one object per unit with line, start, end (character offsets into the file), text, labels as in
classify, wordsPerGroup (words occluded together in a long unit) and words: [{word, start, end,
contribution}] in text order, with start and end offsets into the file.

Exit codes: 0 ok, 1 runtime error, 2 usage error.`,

  async run(args) {
    const { values, positionals } = parseCommandLine(args, {
      model: { type: 'string', short: 'm' },
      unit: { type: 'string', short: 'u' },
      format: { type: 'string', short: 'f' },
      'all-text': { type: 'boolean' },
      variant: { type: 'string' },
    });
    if (positionals.length !== 1) throw new UsageError('name one file, or "-" for stdin');
    const unit = oneOf<Unit>('--unit', values.unit, UNITS, 'paragraph');
    const format = oneOf('--format', values.format, formats, 'table');
    const file = positionals[0];
    const source = readInput(file);
    const lineAt = lineCounter(source);
    const units = segment(source, unit, { prose: isMarkdownPath(file) && !values['all-text'] });

    const started = performance.now();
    const engine = await Engine.load(values.model ?? defaultModelDir(), { modelVariant: oneOf<ModelVariant>('--variant', values.variant, MODEL_VARIANTS, 'auto') });
    const progress = new ProgressLine();
    try {
      const explanations = await engine.explain(
        units.map((piece) => piece.text),
        { onProgress: (done, total) => progress.update(`explaining: ${formatCount(done)}/${formatCount(total)} units`) },
      );
      const explained = units.map((piece, i) => explainedUnit(lineAt(piece.start), piece.start, piece.text, explanations[i]));
      const seconds = (performance.now() - started) / 1000;
      progress.done(`explained ${formatCount(units.length)} unit${units.length === 1 ? '' : 's'} in ${formatSeconds(seconds)} with ${engine.model.name}`);
      process.stdout.write(format === 'json' ? `${JSON.stringify(explained, null, 2)}\n` : renderTable(file === '-' ? 'stdin' : file, explained, explanations, process.stdout.isTTY === true && !process.env.NO_COLOR));
    } finally {
      progress.done();
      await engine.dispose();
    }
    return exitCodes.ok;
  },
};

function explainedUnit(line: number, offset: number, text: string, explanation: Explanation): ExplainedUnit {
  const words = contributionsTo(explanation).map((w) => ({ ...w, start: w.start + offset, end: w.end + offset }));
  return { line, start: offset, end: offset + text.length, text, labels: explanation.labels, wordsPerGroup: explanation.wordsPerGroup, words };
}

const colours = { raised: '\x1b[30;42m', lowered: '\x1b[97;41m', reset: '\x1b[0m' };

function renderTable(file: string, units: ExplainedUnit[], explanations: Explanation[], colour: boolean): string {
  if (units.length === 0) return 'no text to explain\n';
  return units
    .map((unit, i) => {
      const [top] = unit.labels;
      const { raised, lowered } = topContributions(explanations[i], TOP_WORDS);
      const grouped = unit.wordsPerGroup > 1 ? ` (words occluded in groups of ${unit.wordsPerGroup})` : '';
      const lines = [`${file}:${unit.line}  ${top.label} ${top.score.toFixed(3)}${grouped}`, indent(marked(unit.text, raised, lowered, colour))];
      lines.push(`  raised ${top.label}:  ${raised.map(listed).join('  ') || '(none)'}`);
      lines.push(`  lowered ${top.label}: ${lowered.map(listed).join('  ') || '(none)'}`);
      return lines.join('\n');
    })
    .join('\n\n')
    .concat('\n');
}

/** The text with the listed words marked: [+word] / [-word], or a background colour on a terminal. */
function marked(text: string, raised: LabelContribution[], lowered: LabelContribution[], colour: boolean): string {
  const marks = [...raised.map((w) => ({ ...w, sign: '+' })), ...lowered.map((w) => ({ ...w, sign: '-' }))].sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const mark of marks) {
    const word = text.slice(mark.start, mark.end);
    const shown = colour ? `${mark.sign === '+' ? colours.raised : colours.lowered}${word}${colours.reset}` : `[${mark.sign}${word}]`;
    out += text.slice(at, mark.start) + shown;
    at = mark.end;
  }
  return out + text.slice(at);
}

function listed(word: LabelContribution): string {
  return `${word.word} ${word.contribution >= 0 ? '+' : ''}${word.contribution.toFixed(4)}`;
}

function indent(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => `  ${line}`)
    .join('\n');
}
