// Sizes of model files as people read them: a directory's bytes on disk, in MB.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Bytes of every file below `dir`, subdirectories included. */
export function directoryBytes(dir: string): number {
  return fs.readdirSync(dir, { withFileTypes: true }).reduce((sum, entry) => {
    const full = path.join(dir, entry.name);
    return sum + (entry.isDirectory() ? directoryBytes(full) : entry.isFile() ? fs.statSync(full).size : 0);
  }, 0);
}

export function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
