// Starts the real VS Code server (code-server, provisioned by provision.sh) and headless Chromium
// for its workbench: the offline stand-in for desktop VS Code. Used by run-tests.js (the
// `vscodeExecutablePath` shim for @vscode/test-electron) and by the Playwright UI test.
'use strict';
const childProcess = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const repoRoot = path.resolve(__dirname, '..', '..');
const offlineDir = path.resolve(process.env.VSCODE_OFFLINE_DIR || path.join(repoRoot, '.vscode-test', 'offline'));
const codeServerEntry = path.join(offlineDir, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const node24 = path.join(offlineDir, 'node24', 'node_modules', 'node', 'bin', 'node');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

/** True when provision.sh completed (its stamp file is there). */
function isProvisioned() {
  return fs.existsSync(offlineDir) && fs.readdirSync(offlineDir).some((name) => name.startsWith('provisioned-')) &&
    fs.existsSync(codeServerEntry);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer().on('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts code-server on 127.0.0.1 with HOME, XDG_* and TMPDIR inside a fresh temporary folder.
 * options: userDataDir, extensionsDir, workspaceTrust (default false: --disable-workspace-trust),
 * env (extra environment for the server and its extension host), onExit(code).
 * Returns { port, origin, tmp, serverLogFile, remoteUri(path), stop() }.
 */
async function startCodeServer(options = {}) {
  if (!isProvisioned()) {
    throw new Error(`code-server is not provisioned in ${offlineDir}; run scripts/vscode/provision.sh`);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-vscode-'));
  const home = path.join(tmp, 'home');
  fs.mkdirSync(home, { recursive: true });
  const env = {
    ...process.env, ...options.env,
    HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_DATA_HOME: path.join(home, '.local', 'share'),
    XDG_CACHE_HOME: path.join(home, '.cache'), TMPDIR: tmp,
  };
  // The extension host must not inherit a test runner's ELECTRON_RUN_AS_NODE and similar.
  delete env.ELECTRON_RUN_AS_NODE;
  const configFile = path.join(tmp, 'config.yaml');
  fs.writeFileSync(configFile, 'auth: none\ncert: false\n');
  const userDataDir = options.userDataDir || path.join(tmp, 'user-data');
  writeQuietDefaults(userDataDir);
  const port = await freePort();
  const args = [codeServerEntry, '--config', configFile, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--user-data-dir', userDataDir,
    '--extensions-dir', options.extensionsDir || path.join(tmp, 'extensions'),
    '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override', '--ignore-last-opened',
    // Makes the workbench honour extensionDevelopmentPath/extensionTestsPath in its `payload` URL parameter.
    '--vscode-option', 'enable-smoke-test-driver'];
  if (!options.workspaceTrust) args.push('--disable-workspace-trust');
  // Detached: code-server, its extension host and the extension's worker share one process group, stopped together.
  const server = childProcess.spawn(node24, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const serverLogFile = path.join(tmp, 'code-server.log');
  const serverLog = fs.createWriteStream(serverLogFile);
  server.stdout.pipe(serverLog);
  server.stderr.pipe(serverLog);
  let exited = false;
  server.on('exit', (code, signal) => {
    exited = true;
    options.onExit?.(code ?? signal);
  });
  await new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`code-server did not start within 60 s; see ${serverLogFile}`)), 60_000);
    server.stdout.on('data', (chunk) => {
      output += chunk;
      if (output.includes('HTTP server listening')) { clearTimeout(timer); resolve(); }
    });
    server.on('exit', (code) => { clearTimeout(timer); reject(new Error(`code-server exited (${code}) before listening; see ${serverLogFile}`)); });
  });
  const authority = `127.0.0.1:${port}`;
  return {
    port, tmp, serverLogFile,
    origin: `http://${authority}`,
    remoteUri: (absolutePath) => `vscode-remote://${authority}${absolutePath}`,
    async stop() {
      if (exited) return;
      const gone = new Promise((resolve) => server.once('exit', resolve));
      signalGroup(server.pid, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(server.pid, 'SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
      signalGroup(server.pid, 'SIGKILL'); // anything left in the group, e.g. an extension's worker process
    },
  };
}

/** A fresh test profile starts without the chat side bar and AI features, which only add noise and load. */
function writeQuietDefaults(userDataDir) {
  const settingsFile = path.join(userDataDir, 'User', 'settings.json');
  if (fs.existsSync(settingsFile)) return;
  fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
  fs.writeFileSync(settingsFile, JSON.stringify({
    'chat.disableAIFeatures': true,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'workbench.startupEditor': 'none',
  }, null, 2));
}

function signalGroup(pid, signal) {
  try { process.kill(-pid, signal); } catch { /* already gone */ }
}

/** Installs a VSIX into `extensionsDir` with code-server's own command line (as a user would). */
function installExtension(vsix, extensionsDir) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-install-'));
  try {
    return childProcess.execFileSync(node24, [codeServerEntry, '--install-extension', vsix, '--extensions-dir', extensionsDir,
      '--user-data-dir', path.join(home, 'user-data')], { env: { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_DATA_HOME: path.join(home, '.local', 'share') }, encoding: 'utf8' });
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

/** Headless Chromium through playwright-core (never `playwright install`: the apt chromium is used). */
async function launchBrowser() {
  const { chromium } = require('playwright-core');
  return chromium.launch({
    executablePath: chromiumPath, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/** The workbench URL opening `folder` (or an empty window) with a development extension and optional tests. */
function workbenchUrl(server, { folder, extensionDevelopmentPaths = [], extensionTestsPath }) {
  const payload = [
    ...extensionDevelopmentPaths.map((dir) => ['extensionDevelopmentPath', server.remoteUri(dir)]),
    ...(extensionTestsPath ? [['extensionTestsPath', server.remoteUri(extensionTestsPath)]] : []),
    ['skipWelcome', 'true'], ['skipReleaseNotes', 'true'],
  ];
  const where = folder ? `folder=${encodeURIComponent(folder)}` : 'ew=true';
  return `${server.origin}/?${where}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

module.exports = { offlineDir, isProvisioned, startCodeServer, installExtension, launchBrowser, workbenchUrl, repoRoot };
