// Text from files, datasets and models shown on a terminal: control characters are written as
// escapes (\x1b, \x07, \u202e), so input cannot retitle or clear the terminal, move the cursor or
// reorder what is shown. Tab and newline stay. JSON output does not go through here.

/** C0 controls but tab and newline, DEL, C1 controls, and the bidirectional overrides and isolates. */
// eslint-disable-next-line no-control-regex -- matching control characters is this module's job
const controls = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

export function escapeControls(text: string): string {
  return text.replace(controls, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
