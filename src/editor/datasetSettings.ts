// What the user told us about datasets, remembered per workspace: files added by hand, and per file
// the columns, header and label mapping chosen with "Configure Columns…".
import * as vscode from 'vscode';
import type { DatasetColumns } from '../datasets/types';


const addedKey = 'textClassifier.datasets.added';
const columnsKey = 'textClassifier.datasets.columns';

export class DatasetSettings {
  private readonly changed = new vscode.EventEmitter<string | undefined>();
  /** Fires with the file whose columns changed, or undefined when the added files changed. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly state: vscode.Memento) {}

  get added(): string[] {
    return this.state.get<string[]>(addedKey, []);
  }

  async add(file: string): Promise<void> {
    if (this.added.includes(file)) return;
    await this.state.update(addedKey, [...this.added, file]);
    this.changed.fire(undefined);
  }

  async remove(file: string): Promise<void> {
    await this.state.update(addedKey, this.added.filter((known) => known !== file));
    this.changed.fire(undefined);
  }

  columns(file: string): DatasetColumns {
    return this.state.get<Record<string, DatasetColumns>>(columnsKey, {})[file] ?? {};
  }

  async setColumns(file: string, columns: DatasetColumns): Promise<void> {
    const all = { ...this.state.get<Record<string, DatasetColumns>>(columnsKey, {}) };
    const kept = Object.fromEntries(Object.entries(columns).filter(([, value]) => value !== undefined && value !== ''));
    if (Object.keys(kept).length === 0) delete all[file];
    else all[file] = kept;
    await this.state.update(columnsKey, all);
    this.changed.fire(file);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
