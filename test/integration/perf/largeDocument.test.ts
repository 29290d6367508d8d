// Targets of issue 4, measured inside the extension host on a 1 MB Markdown document:
// - while Classify Document runs, the event loop never stalls more than 50 ms;
// - with live mode on, a one-paragraph edit updates the lenses in p95 < 100 ms (measured from the
//   live request after the debounce to the stored results the lenses show, and from the document
//   change including the debounce).
// Prints the numbers and writes them to test-results/extension-bench.json (numbers.ts).
import * as assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { liveDebounceMs } from '../../../src/editor/classify';
import type { DocumentResults } from '../../../src/editor/results';
import { extensionApi, nextEvent, setSetting } from '../helpers';
import { numbers, startProfile, writeNumbers } from './numbers';

const openings = ['The service was', 'Honestly, the film felt', 'Our stay at the hotel was', 'The new update is', 'Dinner last night was'];
const verdicts = ['wonderful and warm', 'slow, rude and disappointing', 'perfectly fine, nothing more', 'an absolute delight', 'a frustrating waste of money'];

/** About 1 MB of distinct paragraphs (distinct, so nothing comes from the cache). */
function largeMarkdown(): string {
  const paragraphs: string[] = [];
  let size = 0;
  for (let i = 0; size < 1024 * 1024; i++) {
    const paragraph = i % 40 === 0
      ? `## Part ${i / 40}`
      : `${openings[i % openings.length]} ${verdicts[(i * 7) % verdicts.length]} on visit ${i}. We will ${i % 3 ? 'not ' : ''}come back for entry ${i}.`;
    paragraphs.push(paragraph);
    size += paragraph.length + 2;
  }
  return paragraphs.join('\n\n');
}

/** Waits until the event loop has turned without a 20 ms gap for `quietMs` (at most `timeoutMs`); returns the time waited. */
async function quietEventLoop(quietMs: number, timeoutMs: number): Promise<number> {
  const started = performance.now();
  let quietSince = started;
  let last = started;
  while (performance.now() - quietSince < quietMs && performance.now() - started < timeoutMs) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    const now = performance.now();
    if (now - last > 25) quietSince = now;
    last = now;
  }
  return performance.now() - started;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

describe('extension host on a 1 MB document', function () {
  this.timeout(600_000);
  after(writeNumbers);

  it('Classify Document: event-loop delay of the extension host', async () => {
    const api = await extensionApi();
    await setSetting('unit', 'paragraph');
    const text = largeMarkdown();
    const document = await vscode.workspace.openTextDocument({ content: text, language: 'markdown' });
    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('textClassifier.results.focus'); // the Results view asks for its rows too
    await vscode.window.showTextDocument(document);
    await api.models.ensureLoaded();
    // VS Code's Markdown extension parses the new 1 MB document and sends it to its language server in
    // this same extension host (up to several hundred ms at once): let that pass, this measures ours.
    const settleMs = await quietEventLoop(1500, 30_000);

    const profiler = await startProfile('classify-document');
    const delay = monitorEventLoopDelay({ resolution: 5 });
    let maxGap = 0;
    let last = performance.now();
    const ticker = setInterval(() => { const now = performance.now(); maxGap = Math.max(maxGap, now - last - 5); last = now; }, 5);
    delay.enable();
    const started = performance.now();
    const results = await vscode.commands.executeCommand<DocumentResults>('textClassifier.classifyDocument');
    const classifyMs = performance.now() - started;
    await vscode.commands.executeCommand('vscode.executeCodeLensProvider', document.uri, 30); // the lenses (those around the visible lines), 30 resolved, as the editor asks
    await new Promise((resolve) => setTimeout(resolve, 500));
    delay.disable();
    clearInterval(ticker);
    await profiler.stop();

    assert.ok(results, 'classification succeeded');
    Object.assign(numbers, {
      documentBytes: Buffer.byteLength(text), units: results.units.length, classifyDocumentMs: Math.round(classifyMs),
      eventLoopDelayMaxMs: +(delay.max / 1e6).toFixed(1), eventLoopDelayP99Ms: +(delay.percentile(99) / 1e6).toFixed(1),
      timerGapMaxMs: +maxGap.toFixed(1), settleBeforeMs: Math.round(settleMs),
    });
  });

  it('live mode: one-paragraph edits', async () => {
    const api = await extensionApi();
    const editor = vscode.window.activeTextEditor!;
    await setSetting('liveClassification', true);
    const fromRequest: number[] = [];
    const fromEdit: number[] = [];
    for (let i = 0; i < 30; i++) {
      const unit = api.results.get(editor.document.uri)!.units[100 + i * 97];
      const updated = nextEvent(api.classifier.onDidLiveUpdate);
      const changed = nextEvent(vscode.workspace.onDidChangeTextDocument).then(() => performance.now());
      await editor.edit((edit) => edit.insert(editor.document.positionAt(unit.end), i % 2 ? ' Truly awful.' : ' Truly great.'));
      const { elapsedMs } = await updated;
      fromEdit.push(performance.now() - (await changed));
      fromRequest.push(elapsedMs);
    }
    await setSetting('liveClassification', undefined);
    Object.assign(numbers, {
      liveEdits: fromRequest.length,
      liveUpdateP50Ms: +percentile(fromRequest, 50).toFixed(1), liveUpdateP95Ms: +percentile(fromRequest, 95).toFixed(1),
      liveDebounceMs,
      liveFromDocumentChangeIncludingDebounceP95Ms: +percentile(fromEdit, 95).toFixed(1),
    });
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
