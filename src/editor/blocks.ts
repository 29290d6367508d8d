// The units around a place in a document, found without segmenting the whole document: a hover
// needs the unit under the mouse, live mode the units an edit touched. No `vscode` import.
import { maskNonProse } from '../classifier/prose';
import { segment } from '../classifier/segment';
import type { Segment, Unit } from '../classifier/types';

/** Paragraph, sentence and line units never cross a blank line. */
const blankLine = /(?:\r\n|\r|\n)[^\S\r\n]*(?:\r\n|\r|\n)/g;
/** How far to look for the blank line before a place before segmenting the whole document instead. */
const blockSearchChars = 100_000;

export interface Block {
  /** The range of text that was segmented: every unit of the document inside it, and no other. */
  from: number;
  to: number;
  units: Segment[];
}

/**
 * The units of the text between the blank lines around [start, end] (the whole document for
 * units that can cross blank lines, or when no blank line is near). Offsets are the document's.
 * `prose`: Markdown of which only the prose is classified (segment.ts SegmentOptions).
 */
export function unitsAround(text: string, start: number, end: number, unit: Unit, prose = false): Block {
  // The whole text is masked, not the block: a block may start inside a code fence. Sections are
  // cut at headings, which the mask blanks, so segment masks for them itself.
  if (prose && unit !== 'section') text = maskNonProse(text);
  let from = 0;
  let to = text.length;
  if (unit === 'paragraph' || unit === 'sentence' || unit === 'line') {
    const searchFrom = Math.max(0, start - blockSearchChars);
    let blockStart = searchFrom === 0 ? 0 : -1;
    const separator = new RegExp(blankLine);
    separator.lastIndex = searchFrom;
    for (let match = separator.exec(text); match && match.index < start; match = separator.exec(text)) blockStart = match.index + match[0].length;
    separator.lastIndex = end;
    const next = separator.exec(text);
    if (blockStart >= 0) {
      from = Math.min(blockStart, start);
      to = next ? next.index : text.length;
    }
  }
  const units = segment(text.slice(from, to), unit, { prose: prose && unit === 'section' }).map((found) => ({ ...found, start: found.start + from, end: found.end + from }));
  return { from, to, units };
}

/**
 * unitsAround for a document read in part: `read(from, to)` gives its text in [from, to), `length`
 * is its length. Reads only the text around the edit (getText of a 1 MB document costs the
 * extension host about 20 ms per keystroke), and the whole text when the block reaches that far.
 * With `prose`, Markdown more than blockSearchChars before the edit is not seen: a code fence opened
 * that far above would not be known as one.
 */
export function unitsAroundIn(read: (from: number, to: number) => string, length: number, start: number, end: number, unit: Unit, prose = false): Block {
  const windowStart = Math.max(0, start - blockSearchChars);
  const windowEnd = Math.min(length, end + blockSearchChars);
  const block = unitsAround(read(windowStart, windowEnd), start - windowStart, end - windowStart, unit, prose);
  const reachesEdge = (block.from === 0 && windowStart > 0) || (block.to === windowEnd - windowStart && windowEnd < length);
  if (reachesEdge) return unitsAround(read(0, length), start, end, unit, prose);
  const shift = (offset: number) => offset + windowStart;
  return { from: shift(block.from), to: shift(block.to), units: block.units.map((found) => ({ ...found, start: shift(found.start), end: shift(found.end) })) };
}

/** The unit that contains `offset`, if any. */
export function unitAround(text: string, offset: number, unit: Unit, prose = false): Segment | undefined {
  return unitsAround(text, offset, offset, unit, prose).units.find((found) => found.start <= offset && offset <= found.end);
}
