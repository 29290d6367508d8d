// The one typed view of the `textClassifier.*` settings. Everything else reads settings through here.
import * as os from 'node:os';
import * as vscode from 'vscode';
import { MODEL_VARIANTS, type EngineOptions, type ExecutionProviderName, type ModelVariant, type Unit } from './classifier/types';
import { hubEndpointFrom, remoteFrom, RemoteSettings } from './settingLevels';

export const section = 'textClassifier';

const providerNames: readonly ExecutionProviderName[] = ['cuda', 'dml', 'coreml', 'cpu'];

export class SettingError extends Error {}

export class Config {
  private get settings(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(section);
  }

  /** The configured model directory ('' = bundled default) and the settings level it comes from. */
  get modelPath(): { value: string; fromWorkspace: boolean } {
    const inspected = this.settings.inspect<string>('modelPath');
    const workspaceValue = inspected?.workspaceFolderValue ?? inspected?.workspaceValue;
    if (workspaceValue !== undefined) return { value: workspaceValue.trim(), fromWorkspace: true };
    return { value: (inspected?.globalValue ?? '').trim(), fromWorkspace: false };
  }

  get unit(): Unit {
    return this.settings.get<Unit>('unit', 'paragraph');
  }

  /** textClassifier.skipNonProse: in Markdown, classify only the prose. */
  get skipNonProse(): boolean {
    return this.settings.get('skipNonProse', true);
  }

  get codeLensEnabled(): boolean {
    return this.settings.get('codeLens.enabled', true);
  }

  /** Where results show in the editor: code lenses, decorations (gutter, overview ruler, end of line) or both; `auto`: decorations only for documents over 50 units. */
  get display(): 'lens' | 'decorations' | 'both' | 'auto' {
    return this.settings.get('display', 'auto');
  }

  /** A top score below this looks uncertain (hollow mark, "?" in the lens) and is kept by the low-confidence filter. */
  get lowConfidenceThreshold(): number {
    return this.settings.get('lowConfidenceThreshold', 0.6);
  }

  get endOfLineText(): boolean {
    return this.settings.get('decorations.endOfLineText', true);
  }

  get hoverEnabled(): boolean {
    return this.settings.get('hover.enabled', true);
  }

  get liveClassification(): boolean {
    return this.settings.get('liveClassification', false);
  }

  setLiveClassification(on: boolean): Thenable<void> {
    return this.settings.update('liveClassification', on, vscode.ConfigurationTarget.Global);
  }

  /** The user's own endpoint only: the download sends HF_TOKEN to it (see settingLevels.ts). */
  get hubEndpoint(): string {
    const endpoint = hubEndpointFrom(this.settings.inspect<string>('hubEndpoint'));
    if (!/^https?:\/\/[^/]+/.test(endpoint)) {
      throw new SettingError(`Setting textClassifier.hubEndpoint: "${endpoint}" is not an http(s) URL.`);
    }
    return endpoint;
  }

  /** The engine options from the settings; throws SettingError naming the setting when one is invalid. */
  get engineOptions(): EngineOptions {
    const threads = this.settings.get('threads', 0);
    return {
      executionProviders: parseProviders(this.settings.get('executionProviders', 'auto')),
      threads: threads > 0 ? threads : defaultThreads(),
      batchSize: this.settings.get<number | null>('batchSize') ?? undefined,
      windowStride: this.settings.get<number | null>('windowStride') ?? undefined,
      modelVariant: parseVariant(this.settings.get('modelVariant', 'auto')),
      preferQuantized: this.settings.get('preferQuantized', false),
    };
  }

  /** Where the dataset explorer looks: a workspace glob and the size cap (MB) for files it finds itself. */
  get datasets(): { glob: string; maxSizeMB: number } {
    return {
      glob: this.settings.get('datasets.glob', '**/*.{csv,tsv,jsonl}').trim() || '**/*.{csv,tsv,jsonl}',
      maxSizeMB: this.settings.get('datasets.maxSizeMB', 100),
    };
  }

  /** The Python with torch for PyTorch fine-tuning; undefined: /usr/bin/python3 where it exists, else python3. */
  get trainingPython(): string | undefined {
    return this.settings.get('training.python', '').trim() || undefined;
  }

  /**
   * textClassifier.remote.*: the Open Inference Protocol server the model's graph runs on ('' url: here).
   * In an untrusted workspace only user-level values count: a workspace's own url is returned as ignored.
   * The token comes from the level the url comes from (see settingLevels.ts).
   */
  remote(trusted: boolean): RemoteSettings {
    const levels = (name: string) => this.settings.inspect<string>(`remote.${name}`);
    return remoteFrom({ url: levels('url'), model: levels('model'), token: levels('token') }, trusted);
  }

  /** textClassifier.service.*: where Start Local Service listens; throws SettingError naming a bad setting. */
  get service(): { host: string; port: number; token?: string } {
    const host = this.settings.get('service.host', '127.0.0.1').trim() || '127.0.0.1';
    const port = this.settings.get('service.port', 8000);
    if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) {
      throw new SettingError(`Setting textClassifier.service.port: ${port} is not a port (0 to 65535; 0 picks a free one).`);
    }
    const token = this.settings.get('service.token', '').trim() || undefined;
    if (token !== undefined && token.length < 8) {
      throw new SettingError('Setting textClassifier.service.token: use at least 8 characters.');
    }
    return { host, port, token };
  }

  /** True when a change touches one of the settings the model is loaded with. */
  static affectsEngine(event: vscode.ConfigurationChangeEvent): boolean {
    return ['modelPath', 'executionProviders', 'threads', 'batchSize', 'windowStride', 'modelVariant', 'preferQuantized', 'remote']
      .some((name) => event.affectsConfiguration(`${section}.${name}`));
  }
}

/**
 * Half the logical CPUs: the physical cores where cores run two hardware threads, and otherwise a
 * share that leaves the editor (extension host, renderer) CPU to stay responsive during long runs.
 */
function defaultThreads(): number {
  return Math.max(1, Math.floor(os.availableParallelism() / 2));
}

function parseProviders(value: string): EngineOptions['executionProviders'] {
  const names = value.split(',').map((name) => name.trim().toLowerCase()).filter(Boolean);
  if (names.length === 0 || (names.length === 1 && names[0] === 'auto')) return 'auto';
  const unknown = names.filter((name) => !providerNames.includes(name as ExecutionProviderName));
  if (unknown.length > 0) {
    throw new SettingError(`Setting textClassifier.executionProviders: unknown provider "${unknown.join('", "')}"; use auto or a list of ${providerNames.join(', ')}.`);
  }
  return names as ExecutionProviderName[];
}

function parseVariant(value: string): ModelVariant {
  if ((MODEL_VARIANTS as readonly string[]).includes(value)) return value as ModelVariant;
  throw new SettingError(`Setting textClassifier.modelVariant: "${value}" is not one of ${MODEL_VARIANTS.join(', ')}.`);
}
