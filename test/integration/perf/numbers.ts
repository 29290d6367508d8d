// The numbers of every npm run bench:extension measurement, written together to
// test-results/extension-bench.json (each perf file writes the whole set when it finishes), and the
// CPU profiles of the measured steps when TEXTCLF_CPU_PROFILE names a folder.
import * as fs from 'node:fs';
import * as inspector from 'node:inspector';
import * as path from 'node:path';
import { repoRoot } from '../../support/paths';

export const numbers: Record<string, number | string> = {};

export function writeNumbers(): void {
  fs.mkdirSync(path.join(repoRoot, 'test-results'), { recursive: true });
  fs.writeFileSync(path.join(repoRoot, 'test-results', 'extension-bench.json'), `${JSON.stringify(numbers, null, 2)}\n`);
  console.log(JSON.stringify(numbers, null, 2));
}

/** TEXTCLF_CPU_PROFILE=<folder>: the extension host's CPU profile of a step, as <folder>/<step>.cpuprofile. */
export async function startProfile(step: string): Promise<{ stop(): Promise<void> }> {
  const folder = process.env.TEXTCLF_CPU_PROFILE;
  if (!folder) return { stop: async () => undefined };
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<any>((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 500 });
  await post('Profiler.start');
  return {
    stop: async () => {
      const { profile } = await post('Profiler.stop');
      fs.mkdirSync(folder, { recursive: true });
      fs.writeFileSync(path.join(folder, `${step}.cpuprofile`), JSON.stringify(profile));
      session.disconnect();
    },
  };
}
