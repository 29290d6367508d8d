// Which model runs: the configured one, the bundled default, or one the user picked; loads it into
// the worker and says so. In an untrusted workspace only the bundled models run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ModelChecks } from './modelChecks';
import type { ClassifierClient } from '../classifier/client';
import type { ExecutionProviderName, ModelInfo, RemoteBackendOptions } from '../classifier/types';
import { Config } from '../config';
import { errorMessage } from '../classifier/errors';
import { defaultModelName } from '../classifier/packagePaths';

const recentKey = 'textClassifier.recentModels';
/** The model chosen with Select Model… in this workspace; it wins over the setting until the setting changes. */
const pickedKey = 'textClassifier.pickedModel';
const maxRecent = 8;
/**
 * Units the engine's result cache keeps: Classify Document run again, the hover and the block around
 * an edit that live mode re-sends all find their unchanged units there; a 1 MB document has about
 * 11,000 paragraphs. An entry is a few labels.
 */
const resultCacheEntries = 100_000;

export class ModelManager implements vscode.Disposable {
  private loaded: Promise<ModelInfo> | undefined;
  private current: ModelInfo | undefined;
  private provider: ExecutionProviderName | null = null;
  private ignored: string | undefined;
  private remote: string | undefined;
  private ignoredRemote: string | undefined;
  private readonly changed = new vscode.EventEmitter<ModelInfo | undefined>();
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];
  /** Model checks by directory, for Select Model…. */
  readonly checks = new ModelChecks((dir, variant) => this.client.checkModel(dir, variant));

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly client: ClassifierClient,
    private readonly config: Config,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscriptions = [
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (!Config.affectsEngine(event)) return;
        if (event.affectsConfiguration('textClassifier.modelPath')) void this.context.workspaceState.update(pickedKey, undefined);
        this.reload();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.reload()),
    ];
  }

  get bundledModelsDir(): string {
    return path.join(this.context.extensionPath, 'models');
  }

  /** The model now loaded, if any. */
  get model(): ModelInfo | undefined {
    return this.current;
  }

  /** A configured or picked model that is not loaded because the workspace is not trusted. */
  get ignoredUntilTrusted(): string | undefined {
    return this.ignored;
  }

  /** The remote server (textClassifier.remote.url) the loaded model runs on; undefined: this machine. */
  get remoteUrl(): string | undefined {
    return this.remote;
  }

  /** A workspace's textClassifier.remote.url that is not used because the workspace is not trusted. */
  get ignoredRemoteUntilTrusted(): string | undefined {
    return this.ignoredRemote;
  }

  /** The execution provider the loaded model runs on. */
  get executionProvider(): ExecutionProviderName | null {
    return this.provider;
  }

  bundledModels(): string[] {
    if (!fs.existsSync(this.bundledModelsDir)) return [];
    return fs.readdirSync(this.bundledModelsDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(this.bundledModelsDir, entry.name, 'config.json')))
      .map((entry) => path.join(this.bundledModelsDir, entry.name));
  }

  isBundled(dir: string): boolean {
    const relative = path.relative(this.bundledModelsDir, path.resolve(dir));
    return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
  }

  recentModels(): string[] {
    return this.context.globalState.get<string[]>(recentKey, []).filter((dir) => fs.existsSync(dir));
  }

  /** The loaded model, loading the configured one first when needed. */
  ensureLoaded(): Promise<ModelInfo> {
    return this.loaded ?? this.startLoad();
  }

  /** Loads `dir` now (Select Model…) and remembers it; on failure the model in use stays. */
  async use(dir: string): Promise<ModelInfo> {
    const previousPick = this.context.workspaceState.get<string>(pickedKey);
    const previousLoad = this.current ? this.loaded : undefined;
    await this.context.workspaceState.update(pickedKey, path.resolve(dir));
    let model: ModelInfo;
    try {
      model = await this.startLoad();
    } catch (error) {
      await this.context.workspaceState.update(pickedKey, previousPick);
      this.loaded = previousLoad;
      throw error;
    }
    const recent = [model.dir, ...this.recentModels().filter((known) => known !== model.dir)].slice(0, maxRecent);
    await this.context.globalState.update(recentKey, recent);
    return model;
  }

  /** Settings changed or trust was granted: load again if a model had been loaded. */
  private reload(): void {
    if (this.loaded) this.startLoad().catch(() => undefined); // load() logged it; the next request reports it
  }

  /** Starts loading the model to use; a failed load is forgotten so that the next request tries again. */
  private startLoad(): Promise<ModelInfo> {
    const loading = this.load(this.modelToLoad());
    this.loaded = loading;
    loading.catch(() => {
      if (this.loaded === loading) this.loaded = undefined;
    });
    return loading;
  }

  /** The directory to load: picked > setting > bundled default, with the workspace-trust rule applied. */
  private modelToLoad(): string {
    const fallback = path.join(this.bundledModelsDir, defaultModelName);
    const configured = this.context.workspaceState.get<string>(pickedKey) ?? this.configuredPath();
    this.ignored = undefined;
    if (!configured) return fallback;
    if (!vscode.workspace.isTrusted && !this.isBundled(configured)) {
      const message = `Text Classifier: this workspace is not trusted, so only the bundled models run; model "${configured}" is ignored until you trust the workspace.`;
      this.ignored = configured;
      this.log.warn(message);
      void vscode.window.showWarningMessage(message, 'Manage Workspace Trust').then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
      });
      return fallback;
    }
    return configured;
  }

  /** textClassifier.modelPath as an absolute path (relative to the first workspace folder), or undefined. */
  private configuredPath(): string | undefined {
    const { value } = this.config.modelPath;
    if (!value) return undefined;
    const expanded = value.replace(/^~(?=$|[\\/])/, process.env.HOME ?? '~');
    const base = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    return path.isAbsolute(expanded) || !base ? path.resolve(expanded) : path.resolve(base, expanded);
  }

  /** textClassifier.remote.* for the model in `dir`; in an untrusted workspace a workspace-level URL is ignored. */
  private remoteBackend(dir: string): RemoteBackendOptions | undefined {
    const remote = this.config.remote(vscode.workspace.isTrusted);
    this.ignoredRemote = remote.ignoredWorkspaceUrl;
    if (remote.ignoredWorkspaceUrl) {
      const message = `Text Classifier: this workspace is not trusted, so its textClassifier.remote.url "${remote.ignoredWorkspaceUrl}" is ignored until you trust the workspace.`;
      this.log.warn(message);
      void vscode.window.showWarningMessage(message, 'Manage Workspace Trust').then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
      });
    }
    if (!remote.url) return undefined;
    return { url: remote.url, model: remote.model || path.basename(dir), token: remote.token };
  }

  private async load(dir: string): Promise<ModelInfo> {
    this.log.info(`loading model ${dir}`);
    try {
      const remote = this.remoteBackend(dir);
      const model = await this.client.loadModel(dir, { ...this.config.engineOptions, cacheSize: resultCacheEntries, remote });
      const status = await this.client.status();
      this.current = model;
      this.provider = status.executionProvider;
      this.remote = status.remote?.url;
      if (status.remote) this.log.info(`model ${model.name} runs on the remote server ${status.remote.url} as '${status.remote.model}'`);
      for (const fallback of status.providerFallbacks) this.log.warn(`execution provider ${fallback.provider} not used: ${fallback.reason}`);
      this.log.info(`model ${model.name} loaded on ${status.executionProvider}: ${model.labels.join(', ')} (${path.relative(model.dir, model.onnxFile)})`);
      this.changed.fire(model);
      return model;
    } catch (error) {
      // The worker keeps the model it had, if any (see worker.ts), so `current` stays.
      const explained = nameTheSetting(error);
      this.log.error(`loading model ${dir} failed: ${explained.message}`);
      throw explained;
    }
  }

  dispose(): void {
    this.subscriptions.forEach((subscription) => subscription.dispose());
    this.changed.dispose();
  }
}

/** Engine option errors start with the option's name; say which setting it comes from. */
function nameTheSetting(error: unknown): Error {
  const message = errorMessage(error);
  if (message.startsWith('remote inference server') && !message.includes('textClassifier.remote')) return new Error(`${message} (setting textClassifier.remote.url)`);
  const option = ['windowStride', 'batchSize', 'threads', 'executionProviders'].find((name) => message.startsWith(name));
  return option ? new Error(`Setting textClassifier.${option}: ${message}`) : error instanceof Error ? error : new Error(message);
}
