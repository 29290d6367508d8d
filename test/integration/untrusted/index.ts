// Entry point of the integration tests in an untrusted workspace (workspace trust on, folder not trusted).
import { runMochaFolder } from '../mochaRun';

export function run(): Promise<void> {
  return runMochaFolder(__dirname);
}
