import * as fs from 'node:fs';

/**
 * Moves a complete staging directory to `dir`. rename() is atomic within one file system, so `dir` is
 * always either the old or the new directory, never a mix; an existing one is swapped out (as
 * `<dir>.replaced-<pid>-<time>`, which a crashed writer's successor can put back), then removed.
 */
export function replaceDirectory(staging: string, dir: string): void {
  if (!fs.existsSync(dir)) {
    fs.renameSync(staging, dir);
    return;
  }
  const replaced = `${dir}.replaced-${process.pid}-${Date.now()}`;
  fs.renameSync(dir, replaced);
  try {
    fs.renameSync(staging, dir);
  } catch (error) {
    fs.renameSync(replaced, dir);
    throw error;
  }
  fs.rmSync(replaced, { recursive: true, force: true });
}
