import * as path from 'node:path';

/**
 * The name (without directory) every staging directory of process `pid` for `outDir` starts with; it
 * lies beside outDir so the final rename stays on one file system. The host removes a killed
 * process's staging directory by it.
 */
export function stagingPrefix(outDir: string, pid: number): string {
  return `.${path.basename(outDir)}.partial-${pid}-`;
}
