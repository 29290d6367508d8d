// An output file that appears whole or not at all: written to a temporary file beside the target and
// renamed into place by commit(). discard() (after a failure, or on Ctrl-C) removes the temporary file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { errorMessage } from '../classifier/errors';

export class AtomicFile {
  private readonly temporary: string;
  private fd: number | undefined;

  constructor(private readonly target: string) {
    if (fs.statSync(target, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`cannot write ${target}: it is a directory`);
    this.temporary = path.join(path.dirname(path.resolve(target)), `.${path.basename(target)}.${process.pid}.partial`);
    try {
      this.fd = fs.openSync(this.temporary, 'w');
    } catch (error) {
      throw new Error(`cannot write ${target}: ${(error as NodeJS.ErrnoException).code ?? errorMessage(error)}`, { cause: error });
    }
  }

  write(text: string): void {
    if (this.fd === undefined) throw new Error(`${this.target} is already closed`);
    fs.writeSync(this.fd, text);
  }

  commit(): void {
    fs.closeSync(this.fd!);
    this.fd = undefined;
    fs.renameSync(this.temporary, this.target);
  }

  /** Removes the temporary file unless commit() ran; safe to call more than once. */
  discard(): void {
    if (this.fd === undefined) return;
    fs.closeSync(this.fd);
    this.fd = undefined;
    fs.rmSync(this.temporary, { force: true });
  }
}
