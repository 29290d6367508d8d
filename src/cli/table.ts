// Plain-text tables for the terminal: columns padded to their widest cell, numbers right-aligned,
// control characters in cells escaped.
import { escapeControls } from './terminalText';

export function formatTable(header: string[], rawRows: string[][], rightAligned: number[] = []): string {
  const rows = rawRows.map((row) => row.map(escapeControls));
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (rightAligned.includes(column) ? cell.padStart(widths[column]) : cell.padEnd(widths[column])))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** One line of at most `width` characters, line breaks shown as ⏎. */
export function oneLine(text: string, width: number): string {
  const flat = escapeControls(text.replace(/\r?\n/g, ' ⏎ ').replace(/\s+/g, ' '));
  return flat.length <= width ? flat : `${flat.slice(0, width - 1)}…`;
}

export function percent(value: number): string {
  return `${(value * 100).toFixed(2)} %`;
}
