// What every `textclf` subcommand is: a name, a one-line summary, its help text and a run function
// that returns the exit code. Adding a subcommand is one file exporting a Command and one line in
// the table in src/cli.ts.
import { parseArgs, ParseArgsConfig } from 'node:util';
import { errorMessage } from '../classifier/errors';

export interface Command {
  name: string;
  summary: string;
  /** Full help, printed by `textclf <name> --help`. */
  help: string;
  run(args: string[]): Promise<number>;
}

/** 130: interrupted by SIGINT, as a shell reports a process that Ctrl-C ended (128 + 2). */
export const exitCodes = { ok: 0, runtimeError: 1, usageError: 2, interrupted: 130 } as const;

/** A problem with the command line itself: exit code 2, with the command's usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** util.parseArgs with strict checking; its errors become UsageErrors. `--help` is always accepted. */
export function parseCommandLine<T extends Options>(args: string[], options: T) {
  try {
    return parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) throw new UsageError(errorMessage(error));
    throw error;
  }
}

export function oneOf<T extends string>(option: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${option} must be one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

export function positiveInteger(option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new UsageError(`${option} must be a positive integer, got "${value}"`);
  return number;
}
