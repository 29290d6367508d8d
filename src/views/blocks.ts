// The unit under the mouse, found without segmenting a whole large document. No `vscode` import.
import { segment } from '../classifier/segment';
import type { Segment, Unit } from '../classifier/types';

/** Paragraph, sentence and line units never cross a blank line. */
const blankLine = /(?:\r\n|\r|\n)[^\S\r\n]*(?:\r\n|\r|\n)/g;
/** How far a hover looks for the blank lines around it before it segments the whole document. */
const blockSearchChars = 100_000;

/**
 * The unit that contains `offset`. Segments only the block between the blank lines around it when the
 * unit cannot cross one, so a hover in a large document stays cheap for the extension host.
 */
export function unitAround(text: string, offset: number, unit: Unit): Segment | undefined {
  let from = 0;
  let to = text.length;
  if (unit === 'paragraph' || unit === 'sentence' || unit === 'line') {
    const searchFrom = Math.max(0, offset - blockSearchChars);
    let blockStart = searchFrom === 0 ? 0 : -1;
    blankLine.lastIndex = searchFrom;
    for (let match = blankLine.exec(text); match && match.index < offset; match = blankLine.exec(text)) blockStart = match.index + match[0].length;
    blankLine.lastIndex = offset;
    const next = blankLine.exec(text);
    if (blockStart >= 0) {
      from = Math.min(blockStart, offset);
      to = next ? next.index : text.length;
    }
  }
  return segment(text.slice(from, to), unit)
    .map((candidate) => ({ ...candidate, start: candidate.start + from, end: candidate.end + from }))
    .find((candidate) => candidate.start <= offset && offset <= candidate.end);
}
