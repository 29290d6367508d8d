// Text from files (names, column names, model names) placed inside Markdown that VS Code renders:
// escaped so that it shows as written and cannot add links, images, HTML or command URIs.

/** Every ASCII punctuation character Markdown may give a meaning gets a backslash; line breaks become spaces. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/[\\`*_{}[\]()<>#+\-.!|~&"'=:$]/g, '\\$&');
}

/** A code span that holds `text` literally: fenced by more backticks than any run inside it. */
export function inlineCode(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ');
  const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  return `${fence} ${flat} ${fence}`;
}
