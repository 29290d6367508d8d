// The CPU's physical cores, for thread defaults. Host-safe: no native import.
import * as fs from 'node:fs';
import * as os from 'node:os';

/** Physical cores: SMT siblings share one core's arithmetic units, so more threads only contend. */
export function physicalCores(): number {
  const logical = os.availableParallelism();
  if (process.platform !== 'linux') return logical;
  try {
    const cores = new Set<string>();
    let physicalId = '';
    for (const line of fs.readFileSync('/proc/cpuinfo', 'utf8').split('\n')) {
      const [key, value] = line.split(':').map((part) => part?.trim());
      if (key === 'physical id') physicalId = value;
      if (key === 'core id') cores.add(`${physicalId}/${value}`);
    }
    return cores.size > 0 ? Math.min(cores.size, logical) : logical;
  } catch {
    return logical;
  }
}
