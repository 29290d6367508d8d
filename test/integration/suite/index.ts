// Entry point of the integration tests in a trusted workspace (--extensionTestsPath).
import { runMochaFolder } from '../mochaRun';

export function run(): Promise<void> {
  return runMochaFolder(__dirname);
}
