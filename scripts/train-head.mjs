#!/usr/bin/env node
// Runs `textclf train` from the compiled sources (npx tsc -p . first), for use before the command is
// wired into the CLI bundle:  node scripts/train-head.mjs --output DIR [options] <dataset>
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { trainCommand } = require('../out/src/training/command.js');

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(`${trainCommand.help}\n`);
  process.exit(0);
}
try {
  process.exitCode = await trainCommand.run(args);
} catch (error) {
  process.stderr.write(`textclf train: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = error?.name === 'UsageError' ? 2 : 1;
}
