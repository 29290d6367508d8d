// Entry point of the extension-host measurements (npm run bench:extension): not part of the test run.
import { runMochaFolder } from '../mochaRun';

export function run(): Promise<void> {
  return runMochaFolder(__dirname);
}
