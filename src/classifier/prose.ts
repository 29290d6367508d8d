// The prose of a Markdown document: every line that is not part of a paragraph (headings, fenced and
// indented code, front matter, tables, HTML blocks, link reference definitions, thematic breaks) is
// replaced by spaces of the same length, line breaks kept. The masked text has the length and the
// line structure of the original, so the segmenter sees the skipped lines as blank and every unit's
// offsets stay those of the original text. Paragraphs inside lists and block quotes are prose.
// Host-safe (no native import): the worker and the extension host's live mode and hover both use it.
import MarkdownIt from 'markdown-it';

/** Block structure only: GFM tables and HTML blocks recognised, no inline parsing (it is not needed, and costs most of the time). */
const markdown = new MarkdownIt('default', { html: true });
markdown.core.ruler.enableOnly(['normalize', 'block']);

/** A line and its end, CRLF, LF or a lone CR, like the segmenter (segment.ts) counts lines. */
const LINE = /[^\r\n]*(?:\r\n|\r|\n|$)/g;
/** YAML (---) or TOML (+++) front matter: the opening fence on the first line, closed by the same fence (or '...' for YAML). */
const FRONT_MATTER_OPEN = /^(---|\+\+\+)[ \t]*$/;

export function isMarkdownPath(file: string): boolean {
  return /\.(?:md|markdown)$/i.test(file);
}

/** The last text masked and its mask: hovers over an unchanged document ask for the same text again. */
let lastMasked: { text: string; masked: string } | undefined;

/** The text with every non-prose line blanked (spaces, same length, line breaks kept). */
export function maskNonProse(text: string): string {
  if (lastMasked?.text !== text) lastMasked = { text, masked: mask(text) };
  return lastMasked.masked;
}

function mask(text: string): string {
  const lines = splitLines(text);
  const frontMatterLines = frontMatterLength(lines);
  const prose = new Uint8Array(lines.length);
  const body = lines.slice(frontMatterLines).join('');
  for (const token of markdown.parse(body, {})) {
    if (token.type !== 'paragraph_open' || !token.map) continue;
    for (let line = token.map[0]; line < token.map[1]; line++) prose[line + frontMatterLines] = 1;
  }
  return lines.map((line, index) => (prose[index] ? line : blank(line))).join('');
}

/** The lines of a text, each with its line break. */
function splitLines(text: string): string[] {
  const lines = text.match(LINE) ?? [];
  // The pattern matches an empty string at the very end; it is not a line.
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Lines of front matter at the start (0 when there is none or it is never closed). */
function frontMatterLength(lines: string[]): number {
  const fence = FRONT_MATTER_OPEN.exec(lines[0]?.trimEnd() ?? '')?.[1];
  if (!fence) return 0;
  for (let index = 1; index < lines.length; index++) {
    const line = lines[index].trimEnd();
    if (line === fence || (fence === '---' && line === '...')) return index + 1;
  }
  return 0;
}

function blank(line: string): string {
  const content = line.replace(/(?:\r\n|\r|\n)$/, '');
  return ' '.repeat(content.length) + line.slice(content.length);
}
