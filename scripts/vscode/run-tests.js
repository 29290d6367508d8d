#!/usr/bin/env node
// Offline stand-in for a desktop VS Code executable when running extension tests
// (@vscode/test-electron's `vscodeExecutablePath`, through ./code-shim). Understands the VS Code
// command-line arguments that runTests passes:
//   [folder] --extensionDevelopmentPath=DIR... --extensionTestsPath=FILE [--user-data-dir=DIR]
//   [--extensions-dir=DIR] [--disable-workspace-trust]          (other flags are accepted and ignored)
// It starts code-server, opens the workbench in headless Chromium, relays the test output of the
// extension host to stdout and exits with the tests' exit code.
// Environment: VSCODE_OFFLINE_DIR (provisioned cache), TEXTCLF_VSCODE_TIMEOUT_S (default 600),
// TEXTCLF_VSCODE_VERBOSE=1 (browser console on stdout).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const util = require('node:util');
const { startCodeServer, launchBrowser, workbenchUrl } = require('./code-server');

/** The workbench's own console lines (connection, chat, sign-in, marketplace), kept in workbench-console.log only. */
const workbenchChatter = /^(\[(AgentHost|AgentHost:remote|ChatModelSelection|AccountPolicyGate|Service Worker|reconnection-grace-time)\]|Creating a socket|Resolving connection token|Resolved connection token|Updating additional builtin extensions cache|Timed out waiting for authentication provider|getaddrinfo ENOTFOUND)/;

const EXIT = { timeout: 2, serverExited: 3, startFailed: 4, browserCrashed: 5, interrupted: 130 };

function parseArgs(argv) {
  const values = (name) => argv.filter((arg) => arg.startsWith(`--${name}=`)).map((arg) => arg.slice(name.length + 3));
  const args = {
    folder: argv.find((arg) => !arg.startsWith('-')),
    extensionDevelopmentPaths: values('extensionDevelopmentPath').map((dir) => path.resolve(dir)),
    extensionTestsPath: values('extensionTestsPath').map((file) => path.resolve(file))[0],
    userDataDir: values('user-data-dir')[0],
    extensionsDir: values('extensions-dir')[0],
    workspaceTrust: !argv.includes('--disable-workspace-trust'),
  };
  if (args.folder) args.folder = path.resolve(args.folder);
  if (!args.extensionTestsPath || args.extensionDevelopmentPaths.length === 0) {
    throw new Error('usage: run-tests.js [folder] --extensionDevelopmentPath=DIR --extensionTestsPath=FILE');
  }
  return args;
}

async function main() {
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
  const args = parseArgs(process.argv.slice(2));
  const timeoutMs = Number(process.env.TEXTCLF_VSCODE_TIMEOUT_S || 600) * 1000;
  let server, browser, finishing = false;

  const finish = async (code, why) => {
    if (finishing) return;
    finishing = true;
    console.log(`[vscode] ${why}: exit code ${code} after ${elapsed()}`);
    try { await browser?.close(); } catch { /* already closed */ }
    await server?.stop();
    if (code === 0 && server) fs.rmSync(server.tmp, { recursive: true, force: true });
    else if (server) console.log(`[vscode] code-server log and profile kept in ${server.tmp}`);
    process.exit(code);
  };
  setTimeout(() => finish(EXIT.timeout, `no result within ${timeoutMs / 1000} s`), timeoutMs).unref();
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => finish(EXIT.interrupted, signal));

  server = await startCodeServer({
    userDataDir: args.userDataDir, extensionsDir: args.extensionsDir, workspaceTrust: args.workspaceTrust,
    onExit: (code) => finish(EXIT.serverExited, `code-server exited (${code})`),
  });
  console.log(`[vscode] code-server listening on ${server.origin} after ${elapsed()}`);
  browser = await launchBrowser();
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  if (process.env.TEXTCLF_VSCODE_VERBOSE) page.on('console', (message) => console.log(`[browser:${message.type()}] ${message.text()}`));
  page.on('pageerror', (error) => console.log(`[vscode] page error: ${error}`));
  page.on('crash', () => finish(EXIT.browserCrashed, 'browser page crashed'));
  // The workbench's smoke-test driver reports the extension host's test output and result through these.
  const consoleLog = fs.createWriteStream(path.join(server.tmp, 'workbench-console.log'));
  await page.exposeFunction('codeAutomationLog', (_type, messageArgs) => {
    const line = util.format(...messageArgs);
    consoleLog.write(`${line}\n`);
    if (!workbenchChatter.test(line)) console.log(line);
  });
  await page.exposeFunction('codeAutomationExit', (code) => finish(code, 'tests finished'));
  // A machine busy with other runs can take longer than Playwright's default 30 s to load the workbench;
  // a start that fails anyway stops code-server rather than leaving it running.
  await page.goto(workbenchUrl(server, args), { timeout: 180_000 }).catch((error) => finish(EXIT.startFailed, `workbench did not load: ${error.message}`));
  console.log(`[vscode] workbench loaded after ${elapsed()}`);
}

main().catch((error) => {
  console.error(`[vscode] ${error.stack || error}`);
  process.exit(EXIT.startFailed);
});
