// Property-based fuzzing settings shared by the fuzz-*.test.ts files. Every property runs with a
// fixed seed, so a failure is reproducible (fast-check prints the seed and the shrunk counterexample);
// TEXTCLF_FUZZ_SEED replays another seed. The unit run uses each file's bounded run count;
// `npm run fuzz` sets TEXTCLF_FUZZ_RUNS=100000 for the long run.
import fc from 'fast-check';

const seed = Number(process.env.TEXTCLF_FUZZ_SEED ?? 20261205);

/** fast-check parameters: `runs` in the unit run, TEXTCLF_FUZZ_RUNS when set. */
export function fuzzParameters<T>(runs: number): fc.Parameters<T> {
  const override = Number(process.env.TEXTCLF_FUZZ_RUNS);
  return { seed, numRuns: Number.isInteger(override) && override > 0 ? override : runs, endOnFailure: true };
}

/** Mocha timeout for a property: generous per run, so the long run does not time out. */
export function fuzzTimeout(runs: number, msPerRun: number): number {
  const override = Number(process.env.TEXTCLF_FUZZ_RUNS);
  return Math.max(60_000, (Number.isInteger(override) && override > 0 ? override : runs) * msPerRun * 4);
}

/** Strings built from the characters parsers and segmenters treat specially, plus any Unicode. */
export function trickyText(maxLength = 200): fc.Arbitrary<string> {
  const pieces = fc.oneof(
    fc.constantFrom('\n', '\r\n', '\r', '\n\n', ' ', '\t', ',', '"', '""', '\\', '{', '}', '[', ']', ':', '#', '# ', '```', '~~~', '. ', '? ', '! ', '…', '\u00a0', '\u2028', '\u2029', '\ufeff', '\u0000', '\x1b', 'é', 'ß', '漢字', '😀', '\ud800', 'Mr. ', 'e.g. ', '1.5'),
    fc.string({ unit: 'grapheme-ascii', maxLength: 12 }),
    fc.string({ unit: 'binary', maxLength: 6 }),
  );
  return fc.array(pieces, { maxLength: Math.max(1, Math.floor(maxLength / 4)) }).map((parts) => parts.join(''));
}
