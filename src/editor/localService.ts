// Start/Stop Local Service: `textclf serve`'s HTTP server inside the extension host, answering from
// the editor's own worker, so the editor and the service share one process and one loaded model.
// The server only parses, batches and routes requests (cheap, asynchronous); inference runs in the
// worker process, so the extension host never blocks on it.
import * as os from 'node:os';
import * as vscode from 'vscode';
import type { ClassifierClient } from '../classifier/client';
import { SettingError, type Config } from '../config';
import { isLoopbackHost } from '../serve/http';
import { startServer, type RunningServer } from '../serve/server';
import type { ModelManager } from './models';
import { errorMessage } from '../classifier/errors';

/** What a running service tells the user and the tests. */
export interface ServiceInfo {
  /** The URL the server listens on, e.g. http://127.0.0.1:8000. */
  url: string;
  /** Where other programs reach it: the URL, with this machine's name in place of a wildcard host. */
  address: string;
  host: string;
  port: number;
  /** The model name clients send (`"model"` of /v1/classify, /v2/models/{name}). */
  model: string;
  /** Whether requests need `Authorization: Bearer <textClassifier.service.token>`. */
  tokenRequired: boolean;
}

/** Requests in flight get this long to finish when the service stops (VS Code waits for deactivate). */
const drainTimeoutMs = 5_000;

export class LocalService implements vscode.Disposable {
  private running: { server: RunningServer; info: ServiceInfo; modelDir: string } | undefined;
  private stopping = false;
  /** Start, stop and restart run one at a time, in order. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly changed = new vscode.EventEmitter<ServiceInfo | undefined>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly client: ClassifierClient,
    private readonly models: ModelManager,
    private readonly config: Config,
    private readonly log: vscode.LogOutputChannel,
  ) {
    // The server describes the model it was started with: serve the new one when the editor switches,
    // and stop when the model moves to a remote server (the service would only relay to it).
    this.subscription = models.onDidChange((model) => {
      if (this.running && model && (model.dir !== this.running.modelDir || this.models.remoteUrl)) void this.restartForNewModel();
    });
  }

  /** The running service, if any. */
  get info(): ServiceInfo | undefined {
    return this.running?.info;
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  /** Starts the service on the configured host and port; when it already runs, returns it as it is. */
  start(): Promise<ServiceInfo> {
    return this.serially(async () => this.running?.info ?? (await this.startNow(this.config.service)));
  }

  /** Stops accepting, answers the requests in flight, then frees the port. False when it was not running. */
  stop(): Promise<boolean> {
    return this.serially(() => this.stopNow());
  }

  private async startNow(settings: Config['service']): Promise<ServiceInfo> {
    checkExposure(settings);
    const model = await this.models.ensureLoaded();
    if (this.models.remoteUrl) {
      throw new Error(
        `the model runs on the remote server ${this.models.remoteUrl} (setting textClassifier.remote.url); ` +
          'the local service serves a model that runs on this machine. Clear textClassifier.remote.url, or send requests to that server directly.',
      );
    }
    let server: RunningServer;
    try {
      server = await startServer({
        models: [this.client],
        host: settings.host,
        port: settings.port,
        token: settings.token,
        drainTimeoutMs,
        log: (line) => this.log.info(line),
      });
    } catch (error) {
      throw explainListenError(error, settings);
    }
    const wildcard = ['0.0.0.0', '::', '[::]'].includes(settings.host);
    const info: ServiceInfo = {
      url: server.url,
      address: wildcard ? `http://${os.hostname()}:${server.port}` : server.url,
      host: settings.host,
      port: server.port,
      model: server.models[0].name,
      tokenRequired: settings.token !== undefined,
    };
    this.running = { server, info, modelDir: model.dir };
    await vscode.commands.executeCommand('setContext', 'textClassifier.serviceRunning', true);
    this.changed.fire(info);
    return info;
  }

  private async stopNow(): Promise<boolean> {
    const running = this.running;
    if (!running) return false;
    this.stopping = true;
    this.changed.fire(running.info);
    try {
      await running.server.close();
    } finally {
      this.running = undefined;
      this.stopping = false;
      await vscode.commands.executeCommand('setContext', 'textClassifier.serviceRunning', false);
      this.changed.fire(undefined);
    }
    return true;
  }

  /** Same host and port (the one it got, when the setting is 0), new model; stops with a message if that fails. */
  private restartForNewModel(): Promise<unknown> {
    return this.serially(async () => {
      const running = this.running;
      const model = this.models.model;
      if (!running || !model || (model.dir === running.modelDir && !this.models.remoteUrl)) return;
      this.log.info(`local service: the editor's model changed to ${model.name}; restarting the service with it`);
      await this.stopNow();
      try {
        const info = await this.startNow({ ...this.config.service, host: running.info.host, port: running.info.port });
        void vscode.window.showInformationMessage(`Text Classifier: the local service at ${info.address} now serves ${info.model}.`);
      } catch (error) {
        const message = errorMessage(error);
        this.log.error(`local service: restart with ${model.name} failed: ${message}`);
        void vscode.window.showErrorMessage(`Text Classifier: the local service stopped: ${message}`);
      }
    });
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  dispose(): void {
    this.subscription.dispose();
    void this.stop();
    this.changed.dispose();
  }
}

/** Off loopback, everyone who can reach this machine could use the service: a token is required. */
function checkExposure(settings: Config['service']): void {
  if (isLoopbackHost(settings.host) || settings.token) return;
  throw new SettingError(
    `Setting textClassifier.service.host is "${settings.host}", which lets other machines in: set textClassifier.service.token ` +
      '(8 characters or more; clients send "Authorization: Bearer <token>"), or use 127.0.0.1.',
  );
}

/** The server's errors speak in command-line options; here they name the settings. */
function explainListenError(error: unknown, settings: Config['service']): Error {
  const message = errorMessage(error);
  if (/is in use/.test(message)) {
    return new SettingError(
      `port ${settings.port} on ${settings.host} is already in use (another program, or the service of another window). ` +
        'Set textClassifier.service.port to a free port, or to 0 for any free port.',
    );
  }
  if (/EADDRNOTAVAIL|ENOTFOUND|EAI_AGAIN/.test(message)) {
    return new SettingError(`cannot listen on "${settings.host}", it is not an address of this machine (setting textClassifier.service.host): ${message}`);
  }
  if (/EACCES/.test(message)) {
    return new SettingError(`not allowed to listen on port ${settings.port} (setting textClassifier.service.port; ports below 1024 need privileges): ${message}`);
  }
  return error instanceof Error ? error : new Error(message);
}
