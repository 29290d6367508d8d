// textclf: classify and evaluate from a terminal with the same engine as the extension, run
// in-process. Each subcommand lives in src/cli/<name>.ts; to add one, add it to `commands`.
import { BundleError } from './engine/bundle';
import { classifyCommand } from './cli/classify';
import { Command, exitCodes, UsageError } from './cli/command';
import { evaluateCommand } from './cli/evaluate';
import { explainCommand } from './cli/explain';
import { modelsCommand } from './cli/models';
import { packageVersion } from './classifier/packagePaths';
import { predictCommand } from './cli/predict';
import { quantizeCommand } from './cli/quantize';
import { escapeControls } from './cli/terminalText';
import { serveCommand } from './serve/command';
import { trainCommand } from './training/command';
import { exportTritonCommand } from './triton/command';
import { errorMessage, errorStack } from './classifier/errors';

const commands: Command[] = [classifyCommand, explainCommand, evaluateCommand, predictCommand, modelsCommand, trainCommand, quantizeCommand, serveCommand, exportTritonCommand];

function overview(): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  return `Usage: textclf <command> [options]

Classify text locally with BERT-family ONNX models.

Commands:
${commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join('\n')}

Run "textclf <command> --help" for a command's options. Exit codes: 0 ok, 1 runtime error, 2 usage error.
`;
}

async function main(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined) {
    process.stderr.write(overview());
    return exitCodes.usageError;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const topic = commands.find((command) => command.name === rest[0]);
    process.stdout.write(topic ? `${topic.help}\n` : overview());
    return exitCodes.ok;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(`${packageVersion()}\n`);
    return exitCodes.ok;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) {
    process.stderr.write(`textclf: unknown command "${name}"\n\n${overview()}`);
    return exitCodes.usageError;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.help}\n`);
    return exitCodes.ok;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`textclf ${command.name}: ${escapeControls(error.message)}\nRun "textclf ${command.name} --help" for usage.\n`);
      return exitCodes.usageError;
    }
    const message = errorMessage(error);
    process.stderr.write(`textclf ${command.name}: ${escapeControls(message)}\n`);
    if (process.env.TEXTCLF_DEBUG && error instanceof Error && !(error instanceof BundleError)) process.stderr.write(`${error.stack}\n`);
    return exitCodes.runtimeError;
  }
}

// Runs on load: bin/textclf.js requires the bundle (dist/cli.js).
main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error) => {
    process.stderr.write(`textclf: ${errorStack(error)}\n`);
    process.exitCode = exitCodes.runtimeError;
  },
);
