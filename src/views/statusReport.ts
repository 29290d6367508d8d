// Show Status: a rendered Markdown preview (of a read-only virtual document) describing the model, the
// execution provider (and why others fell back), threads, the worker's memory and the cache. It names
// the model directory as a user knows it (bundled, relative to the workspace, or under ~) and shows no
// path inside the extension (node_modules).
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ClassifierClient } from '../classifier/client';
import type { ModelManager } from '../editor/models';
import type { ServiceInfo } from '../editor/localService';
import { errorMessage } from '../classifier/errors';

const scheme = 'text-classifier-status';
const reportUri = vscode.Uri.from({ scheme, path: '/Text Classifier Status.md' });

export class StatusReport implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private text = '';
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(scheme, this);

  constructor(
    private readonly client: ClassifierClient,
    private readonly models: ModelManager,
    /** The local service (Start Local Service), when it runs. */
    private readonly service: () => ServiceInfo | undefined = () => undefined,
  ) {}

  provideTextDocumentContent(): string {
    return this.text;
  }

  /** Builds the report, shows it and returns its text. */
  async show(): Promise<string> {
    this.text = await this.build();
    this.changed.fire(reportUri);
    const document = await vscode.workspace.openTextDocument(reportUri);
    await vscode.languages.setTextDocumentLanguage(document, 'markdown');
    try {
      await vscode.commands.executeCommand('markdown.showPreview', reportUri);
    } catch {
      await vscode.window.showTextDocument(document, { preview: true }); // the built-in Markdown extension is disabled
    }
    return this.text;
  }

  private async build(): Promise<string> {
    let modelError: string | undefined;
    await this.models.ensureLoaded().catch((error: unknown) => { modelError = errorMessage(error); });
    const status = await this.client.status();
    const model = status.model;
    const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
    const cache = status.cache;
    const lookups = cache.hits + cache.misses;
    const lines = ['# Text Classifier status', ''];
    // The worker keeps its model when loading another fails: say that the configured one did not load.
    if (model && modelError) lines.push(`- **Loading the configured model failed** (the worker still has the model below): ${withoutInternalPaths(modelError)}`);
    if (model) {
      lines.push(
        `- Model: **${model.name}** (${model.modelType}, ${{ multi_label_classification: 'multi-label', single_label_classification: 'single-label', regression: 'regression: scores are values' }[model.problemType]}${model.variant ? `, ${model.variant}` : ''})`,
        `- Directory: ${this.describeDir(model.dir)}`,
        `- ONNX file: \`${path.relative(model.dir, model.onnxFile)}\`, inputs ${model.inputNames.join(', ')}, up to ${model.maxTokens} tokens a window`,
        `- Labels: ${model.labels.join(', ')}`,
      );
    } else {
      lines.push(`- Model: none loaded${modelError ? ` — ${withoutInternalPaths(modelError)}` : ''}`);
    }
    if (status.remote) {
      const remote = status.remote;
      lines.push(
        `- Execution provider: **remote** — the graph runs on ${remote.url} as model \`${remote.model}\`; tokenization runs here`,
        `- Remote server: **${remote.state}**, ${remote.requests} requests, ${remote.retries} retries, ${remote.failures} failures${remote.lastSuccessAt ? `, last answer ${remote.lastSuccessAt}` : ''}`,
      );
      if (remote.lastError) lines.push(`  - last error: ${withoutInternalPaths(remote.lastError)}`);
    } else {
      lines.push(`- Execution provider: **${status.executionProvider ?? 'none'}**`);
    }
    for (const fallback of status.providerFallbacks) lines.push(`  - ${fallback.provider} not used: ${withoutInternalPaths(fallback.reason)}`);
    lines.push(
      `- Threads: ${status.threads}`,
      `- Worker: pid ${status.pid}, memory ${mb(status.rssBytes)} (peak ${mb(status.peakRssBytes)}), ${status.queue} requests queued, ${status.restarts} restarts`,
      `- Cache: ${cache.size} of ${cache.capacity} entries, ${cache.hits} hits / ${cache.misses} misses${lookups ? ` (${((100 * cache.hits) / lookups).toFixed(0)} % hits)` : ''}`,
    );
    const service = this.service();
    lines.push(service
      ? `- Local service: ${service.address}, serving \`${service.model}\` from this worker${service.tokenRequired ? ', bearer token required' : ''}`
      : '- Local service: not running (Text Classifier: Start Local Service)');
    return lines.join('\n') + '\n';
  }

  /** "bundled with the extension", a workspace-relative path, or the path with ~ for the home folder. */
  private describeDir(dir: string): string {
    if (this.models.isBundled(dir)) return `bundled with the extension (\`${path.basename(dir)}\`)`;
    const relative = vscode.workspace.asRelativePath(dir, true);
    if (relative !== dir) return `\`${relative}\` in the workspace`;
    const home = os.homedir();
    return `\`${dir.startsWith(home + path.sep) ? `~${dir.slice(home.length)}` : dir}\``;
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }
}

/** Paths inside an installed package (…/node_modules/pkg/…/file) shortened to the file's name. */
export function withoutInternalPaths(text: string): string {
  return text.replace(/(?:[A-Za-z]:)?[\\/][^\s'"`()]*node_modules[\\/][^\s'"`()]*/g, (internal) => path.basename(internal));
}
