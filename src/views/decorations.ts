// Editor decorations for classified units, in the Error Lens / GitLens manner: a dot in the gutter and a
// mark in the overview ruler in the label's colour (hollow when the score is uncertain, never for a
// regression model's values; faded when the text was edited since), optional end-of-line text, and a dashed underline under classified selections.
// Only visible editors are decorated; they are redrawn when results, visibility or settings change.
import * as vscode from 'vscode';
import type { Config } from '../config';
import { showsDecorations, showsLenses } from './display';
import { isUncertain, labelColourOf, scoresAreValues, staleText, topLabelText, type LabelColour } from './labels';
import type { DocumentResults, ResultsStore, ResultUnit } from '../editor/results';

export type Look = 'confident' | 'uncertain' | 'stale';

/** One decoration as drawn, for the tests and anyone inspecting what an editor shows. */
export interface AppliedDecoration {
  kind: 'unit' | 'selection';
  label: string;
  look: Look;
  range: vscode.Range;
  endOfLineText?: string;
}

export class ResultDecorations implements vscode.Disposable {
  /** Decoration types by colour and look ("charts.green/uncertain", "charts.green/selection"), made when first needed. */
  private readonly types = new Map<string, vscode.TextEditorDecorationType>();
  private readonly applied = new Map<string, AppliedDecoration[]>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly results: ResultsStore, private readonly config: Config) {
    this.subscriptions = [
      results.onDidChange((uri) => this.redraw(uri)),
      vscode.window.onDidChangeVisibleTextEditors(() => this.redraw()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (['display', 'lowConfidenceThreshold', 'decorations', 'codeLens'].some((name) => event.affectsConfiguration(`textClassifier.${name}`))) this.redraw();
      }),
    ];
    this.redraw();
  }

  /** What the visible editor of `uri` shows now (empty when none shows it or it has no decorations). */
  decorationsOf(uri: vscode.Uri): readonly AppliedDecoration[] {
    return this.applied.get(uri.toString()) ?? [];
  }

  private redraw(uri?: vscode.Uri): void {
    const visible = new Set(vscode.window.visibleTextEditors.map((editor) => editor.document.uri.toString()));
    for (const key of this.applied.keys()) if (!visible.has(key)) this.applied.delete(key);
    for (const editor of vscode.window.visibleTextEditors) {
      if (!uri || editor.document.uri.toString() === uri.toString()) this.decorate(editor);
    }
  }

  private decorate(editor: vscode.TextEditor): void {
    const { document } = editor;
    const results = this.results.get(document.uri);
    const byType = new Map<string, vscode.DecorationOptions[]>();
    const applied: AppliedDecoration[] = [];
    const add = (type: string, options: vscode.DecorationOptions) => {
      const list = byType.get(type);
      if (list) list.push(options);
      else byType.set(type, [options]);
    };
    if (results && showsDecorations(this.config)) {
      const endOfLine = this.config.endOfLineText && !showsLenses(this.config, results);
      const threshold = this.config.lowConfidenceThreshold;
      const values = scoresAreValues(results);
      const mark = (unit: ResultUnit, kind: AppliedDecoration['kind']) => {
        const label = unit.labels[0]?.label ?? '';
        const look: Look = unit.stale ? 'stale' : isUncertain(unit.labels, threshold, values) ? 'uncertain' : 'confident';
        const colour = labelColourOf(label, results.modelLabels);
        const text = unit.stale ? staleText : topLabelText(unit.labels, values) + (look === 'uncertain' ? ' ?' : '');
        // The mark sits on the unit's first line; end-of-line text follows that line (a selection: the selection).
        const firstLineEnd = document.lineAt(document.positionAt(unit.start).line).range.end;
        const at = kind === 'selection' ? document.positionAt(unit.end) : firstLineEnd;
        const eolText = endOfLine ? (kind === 'selection' ? `◂ selection: ${text}` : text) : undefined;
        add(`${colour.id}/${look}`, { range: new vscode.Range(at, at), renderOptions: eolText ? { after: { contentText: eolText } } : undefined });
        if (kind === 'selection') add(`${colour.id}/selection`, { range: new vscode.Range(document.positionAt(unit.start), document.positionAt(unit.end)) });
        applied.push({ kind, label, look, range: new vscode.Range(at, at), endOfLineText: eolText });
      };
      for (const unit of results.units) mark(unit, 'unit');
      for (const selection of results.selections) mark(selection, 'selection');
      for (const key of byType.keys()) this.typeFor(key, results);
    }
    for (const [key, type] of this.types) editor.setDecorations(type, byType.get(key) ?? []);
    this.applied.set(document.uri.toString(), applied);
  }

  private typeFor(key: string, results: DocumentResults): vscode.TextEditorDecorationType {
    let type = this.types.get(key);
    if (type) return type;
    const [colourId, look] = key.split('/') as [string, Look | 'selection'];
    const colour = results.modelLabels.map((label) => labelColourOf(label, results.modelLabels)).find((candidate) => candidate.id === colourId)
      ?? labelColourOf('', results.modelLabels);
    type = vscode.window.createTextEditorDecorationType(look === 'selection' ? selectionStyle(colour) : markStyle(colour, look));
    this.types.set(key, type);
    return type;
  }

  dispose(): void {
    this.subscriptions.forEach((subscription) => subscription.dispose());
    this.types.forEach((type) => type.dispose());
  }
}

function markStyle(colour: LabelColour, look: Look): vscode.DecorationRenderOptions {
  const themeColour = new vscode.ThemeColor(colour.id);
  return {
    light: { gutterIconPath: gutterDot(colour.light, look), gutterIconSize: 'contain' },
    dark: { gutterIconPath: gutterDot(colour.dark, look), gutterIconSize: 'contain' },
    overviewRulerColor: look === 'stale' ? new vscode.ThemeColor('disabledForeground') : themeColour,
    overviewRulerLane: vscode.OverviewRulerLane.Left,
    after: {
      margin: '0 0 0 2em',
      fontStyle: 'italic',
      color: look === 'stale' ? new vscode.ThemeColor('disabledForeground') : themeColour,
    },
  };
}

function selectionStyle(colour: LabelColour): vscode.DecorationRenderOptions {
  return { borderColor: new vscode.ThemeColor(colour.id), borderStyle: 'dashed', borderWidth: '0 0 2px 0' };
}

/**
 * The gutter dot as an SVG data URI (gutter icons are images, which cannot use theme colours, hence
 * one per theme kind): filled when confident, a ring when uncertain, a faded dot when stale.
 */
function gutterDot(fill: string, look: Look): vscode.Uri {
  const shape = look === 'uncertain'
    ? `<circle cx="8" cy="8" r="4" fill="none" stroke="${fill}" stroke-width="2"/>`
    : `<circle cx="8" cy="8" r="4.5" fill="${fill}"${look === 'stale' ? ' fill-opacity="0.35"' : ''}/>`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 16 16">${shape}</svg>`;
  return vscode.Uri.parse(`data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`);
}
