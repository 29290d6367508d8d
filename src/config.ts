// The one typed view of the `textClassifier.*` settings. Everything else reads settings through here.
import * as os from 'node:os';
import * as vscode from 'vscode';
import type { EngineOptions, ExecutionProviderName, Unit } from './classifier/types';

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

  get hubEndpoint(): string {
    const endpoint = this.settings.get('hubEndpoint', 'https://huggingface.co').trim().replace(/\/+$/, '');
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
      preferQuantized: this.settings.get('preferQuantized', true),
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
   */
  remote(trusted: boolean): { url: string; model: string; token?: string; ignoredWorkspaceUrl?: string } {
    const levelValue = (name: string) => {
      const inspected = this.settings.inspect<string>(`remote.${name}`);
      const user = inspected?.globalValue?.trim() ?? '';
      const workspace = (inspected?.workspaceFolderValue ?? inspected?.workspaceValue)?.trim();
      return { value: trusted && workspace !== undefined ? workspace : user, workspace };
    };
    const url = levelValue('url');
    const ignoredWorkspaceUrl = !trusted && url.workspace ? url.workspace : undefined;
    return { url: url.value, model: levelValue('model').value, token: levelValue('token').value || undefined, ignoredWorkspaceUrl };
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
    return ['modelPath', 'executionProviders', 'threads', 'batchSize', 'windowStride', 'preferQuantized', 'remote']
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
