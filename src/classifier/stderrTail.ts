// The last lines a child process wrote to stderr, kept so that a process that dies can be reported
// with what it said last; every line also goes to `log` as it arrives.
import type { Readable } from 'node:stream';

export class StderrTail {
  private readonly lines: string[] = [];

  constructor(stderr: Readable, log?: (line: string) => void, private readonly keep = 20) {
    stderr.setEncoding('utf8');
    stderr.on('data', (chunk: string) => {
      for (const line of chunk.split('\n').filter(Boolean)) {
        log?.(line);
        this.lines.push(line);
        if (this.lines.length > this.keep) this.lines.shift();
      }
    });
  }

  /** ": line | line …" of the last five lines, or "" when the process wrote nothing. */
  suffix(): string {
    return this.lines.length ? `: ${this.lines.slice(-5).join(' | ')}` : '';
  }
}
