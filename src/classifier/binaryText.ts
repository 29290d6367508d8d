// Tells a binary file from text, so that an image or an archive opened by mistake is refused with a
// reason instead of being classified (its bytes decode to a few "words" that any model scores).
// Works on decoded text, as the editor and the CLI both have it: a NUL character, or many control
// characters and U+FFFD replacements (bytes that were not valid UTF-8), mean binary. Host-safe.

/** Characters looked at: the start of a file shows whether it is binary (git looks at 8,000 bytes). */
const SAMPLE_CHARS = 64 * 1024;
/**
 * Above this share of non-text characters a file is binary. Random bytes give about 60 % (half are
 * invalid UTF-8, an eighth controls); dense French in Latin-1 read as UTF-8 about 15 %.
 */
const MAX_NON_TEXT_SHARE = 0.3;

/** Why `text` is not text ("it contains NUL bytes", "31 % of its characters…"), or undefined when it is text. */
export function binaryReason(text: string): string | undefined {
  const sample = text.length > SAMPLE_CHARS ? text.slice(0, SAMPLE_CHARS) : text;
  if (sample.includes('\0')) return 'it contains NUL bytes';
  let nonText = 0;
  for (let i = 0; i < sample.length; i++) if (isNonText(sample.charCodeAt(i))) nonText++;
  const share = nonText / Math.max(sample.length, 1);
  if (share > MAX_NON_TEXT_SHARE) return `${Math.round(share * 100)} % of its characters are control characters or invalid UTF-8`;
  return undefined;
}

/** C0 controls other than tab, line feed, vertical tab, form feed, carriage return and escape; DEL; C1 controls; U+FFFD. */
function isNonText(code: number): boolean {
  if (code < 0x20) return !(code >= 0x09 && code <= 0x0d) && code !== 0x1b;
  return code === 0x7f || (code >= 0x80 && code <= 0x9f) || code === 0xfffd;
}
