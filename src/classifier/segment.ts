// A document -> units with exact character ranges: text === source.slice(start, end) for each.
// Units are trimmed of surrounding whitespace; empty and whitespace-only units are skipped.
import { maskNonProse } from './prose';
import type { Segment, Unit } from './types';

export const UNITS: readonly Unit[] = ['document', 'paragraph', 'sentence', 'line', 'section'];

/** CRLF, LF or a lone CR; a CR never counts as a break of its own when a LF follows it. */
const BREAK = String.raw`(?:\r\n|\r(?!\n)|\n)`;
const LINE_BREAK = new RegExp(BREAK, 'g');
/** Two or more line breaks with nothing but horizontal whitespace between them. */
const BLANK_LINES = new RegExp(String.raw`${BREAK}(?:[^\S\r\n]*${BREAK})+`, 'g');
/** A Markdown ATX heading line: up to 3 spaces, 1-6 '#', then a space or the end of the line. */
const ATX_HEADING = /^ {0,3}#{1,6}(?:[ \t]|$)/;
const CODE_FENCE = /^ {0,3}(`{3,}|~{3,})/;

export interface SegmentOptions {
  /**
   * Markdown: only prose is classified (prose.ts); the lines of headings, code, tables… are blanked.
   * Paragraph, sentence and line units then never contain such a line, and their text is still the
   * source's slice; a document or section unit's text is its range with those lines as spaces.
   */
  prose?: boolean;
}

export function segment(text: string, unit: Unit, options: SegmentOptions = {}): Segment[] {
  if (!options.prose) return segmentText(text, unit);
  const masked = maskNonProse(text);
  // Sections start at headings, which the mask blanks: they are found in the source.
  return unit === 'section' ? collect(masked, sections(text)) : segmentText(masked, unit);
}

function segmentText(text: string, unit: Unit): Segment[] {
  switch (unit) {
    case 'document':
      return collect(text, [[0, text.length]]);
    case 'paragraph':
      return collect(text, between(text, BLANK_LINES));
    case 'line':
      return collect(text, between(text, LINE_BREAK));
    case 'sentence':
      return sentences(text);
    case 'section':
      return collect(text, sections(text));
    default:
      throw new Error(`unknown unit "${String(unit)}" (expected one of ${UNITS.join(', ')})`);
  }
}

/** The ranges between the matches of a separator. */
function between(text: string, separator: RegExp): [number, number][] {
  const ranges: [number, number][] = [];
  let from = 0;
  for (const match of text.matchAll(separator)) {
    ranges.push([from, match.index]);
    from = match.index + match[0].length;
  }
  ranges.push([from, text.length]);
  return ranges;
}

/** Trims each range, drops the empty ones and builds the segments. */
function collect(text: string, ranges: [number, number][]): Segment[] {
  const segments: Segment[] = [];
  for (let [start, end] of ranges) {
    while (start < end && isSpace(text.charCodeAt(start))) start++;
    while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
    if (end > start) segments.push({ start, end, text: text.slice(start, end) });
  }
  return segments;
}

function isSpace(code: number): boolean {
  return /\s/.test(String.fromCharCode(code));
}

/**
 * Sentences by Unicode rules (Intl.Segmenter), inside paragraphs. A single line break inside a
 * paragraph is seen as a space so hard-wrapped prose is not cut at every line; the replacement keeps
 * the length, so the ranges stay those of the original text.
 */
function sentences(text: string): Segment[] {
  const segmenter = new Intl.Segmenter(undefined, { granularity: 'sentence' });
  const ranges: [number, number][] = [];
  for (const [from, to] of between(text, BLANK_LINES)) {
    const paragraph = text.slice(from, to).replace(LINE_BREAK, (lineBreak) => ' '.repeat(lineBreak.length));
    for (const [start, end] of sentenceRanges(segmenter, paragraph)) ranges.push([from + start, from + end]);
  }
  return collect(text, ranges);
}

/** Characters given to Intl.Segmenter at once (a window grows while it holds fewer than three sentences). */
const SENTENCE_WINDOW = 2000;

/**
 * The sentences of a paragraph, segmented a window at a time: iterating Intl.Segmenter over one long
 * string takes quadratic time in V8 (16,000 sentences: 3 s; a hover or live edit in such a paragraph
 * would hold the extension host that long). Each window's last two sentences are segmented again at
 * the start of the next window, so every break kept was decided with the text after it in view.
 */
export function sentenceRanges(segmenter: Intl.Segmenter, paragraph: string, window = SENTENCE_WINDOW): [number, number][] {
  const ranges: [number, number][] = [];
  let from = 0;
  let size = window;
  while (from < paragraph.length) {
    const to = Math.min(paragraph.length, from + size);
    const pieces = [...segmenter.segment(paragraph.slice(from, to))];
    if (to < paragraph.length && pieces.length < 3) {
      size *= 2;
      continue;
    }
    const kept = to === paragraph.length ? pieces.length : pieces.length - 2;
    for (const piece of pieces.slice(0, kept)) ranges.push([from + piece.index, from + piece.index + piece.segment.length]);
    from = to === paragraph.length ? to : from + pieces[kept].index;
    size = window;
  }
  return ranges;
}

/** Markdown sections: each ATX heading starts one (outside fenced code); text before the first is one too. */
function sections(text: string): [number, number][] {
  const starts = [0];
  let fence: string | undefined;
  let lineStart = 0;
  for (const line of text.split(LINE_BREAK)) {
    const opening = CODE_FENCE.exec(line)?.[1];
    if (fence !== undefined) {
      if (opening !== undefined && opening[0] === fence[0] && opening.length >= fence.length) fence = undefined;
    } else if (opening !== undefined) {
      fence = opening;
    } else if (ATX_HEADING.test(line) && lineStart > 0) {
      starts.push(lineStart);
    }
    lineStart += line.length;
    lineStart += text.startsWith('\r\n', lineStart) ? 2 : lineStart < text.length ? 1 : 0;
  }
  return starts.map((start, i): [number, number] => [start, i + 1 < starts.length ? starts[i + 1] : text.length]);
}
