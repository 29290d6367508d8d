// The comparison page (webview): two evaluations of one dataset side by side, as the extension posts
// them ({ type: 'comparison', comparison }; src/evaluation/compare.ts). Metrics with the difference,
// per-class F1, both confusion matrices and the rows whose predicted label differs; a row opens the
// dataset at its line. Theme colours only; no remote resources, no inline code.
// @ts-check
(function () {
  'use strict';
  // @ts-expect-error acquireVsCodeApi is provided by the webview host
  const vscode = acquireVsCodeApi();
  const root = /** @type {HTMLElement} */ (document.getElementById('report'));
  const { h, clip, activatable, card, kpi, confusionMatrix, count, pct } = /** @type {any} */ (window).reportKit;

  root.replaceChildren(h('p', { class: 'loading' }, 'Comparing the two runs’ predictions…'));

  /** A value as its metric is shown. */
  function formatValue(value, format) {
    if (format === 'percent') return pct(value, 2);
    if (format === 'rate') return count.format(Math.round(value));
    return value.toFixed(3);
  }

  /**
   * B − A with its direction in words and arrows as well as colour: percentage points for percentages,
   * the ratio for throughput.
   */
  function delta(a, b, format, better = 'higher') {
    if (a === null || b === null) return h('span', { class: 'delta' }, '–');
    const difference = b - a;
    const text =
      format === 'percent' ? `${(difference * 100).toFixed(2)} pts`
      : format === 'rate' ? `×${(a > 0 ? b / a : 0).toFixed(2)}`
      : difference.toFixed(3);
    const shown = format === 'rate' ? Math.abs(b / (a || 1) - 1) >= 0.005 : Math.abs(difference) >= (format === 'percent' ? 0.00005 : 0.0005);
    if (!shown) return h('span', { class: 'delta same', title: 'no difference' }, format === 'rate' ? text : `±${text.replace('-', '')}`);
    const improved = better === 'higher' ? difference > 0 : difference < 0;
    const signed = format === 'rate' ? text : `${difference > 0 ? '+' : ''}${text}`;
    return h('span', { class: `delta ${improved ? 'better' : 'worse'}`, title: improved ? 'B is better' : 'B is worse' }, `${difference > 0 ? '▲' : '▼'} ${signed}`);
  }

  function sideBadge(side) {
    return h('span', { class: `side-badge side-${side}`, 'aria-hidden': 'true' }, side.toUpperCase());
  }

  function sideCard(side, run) {
    const finished = new Date(run.finishedAt).toLocaleString();
    return h(
      'div',
      { class: `side side-${side}` },
      sideBadge(side),
      h(
        'div',
        {},
        h('div', { class: 'side-name' }, h('span', { class: 'visually-hidden' }, `${side.toUpperCase()}: `), run.model.name),
        h('div', { class: 'muted side-meta' }, `${count.format(run.evaluated)} rows${run.heldOutOnly ? ' (held-out only)' : ''} · ${run.executionProvider ?? 'remote'} · ${finished}`),
        h('div', { class: 'muted side-meta path' }, run.model.dir),
      ),
    );
  }

  function metricsTable(comparison) {
    return h(
      'table',
      { class: 'metrics compare-metrics' },
      h('thead', {}, h('tr', {}, h('th', {}, 'metric'), h('th', { class: 'num' }, 'A'), h('th', { class: 'num' }, 'B'), h('th', { class: 'num' }, 'B − A'))),
      h(
        'tbody',
        {},
        comparison.metrics.map((metric) =>
          h('tr', {}, h('td', {}, metric.name), h('td', { class: 'num' }, formatValue(metric.a, metric.format)), h('td', { class: 'num' }, formatValue(metric.b, metric.format)), h('td', { class: 'num' }, delta(metric.a, metric.b, metric.format, metric.better))),
        ),
        h('tr', {}, h('td', {}, 'rows evaluated'), h('td', { class: 'num' }, count.format(comparison.a.evaluated)), h('td', { class: 'num' }, count.format(comparison.b.evaluated)), h('td', { class: 'num' })),
      ),
    );
  }

  function perClassTable(comparison) {
    const f1 = (value) => (value === null ? 'no such label' : pct(value, 2));
    return h(
      'table',
      { class: 'metrics per-class-f1' },
      h('thead', {}, h('tr', {}, h('th', {}, 'label'), h('th', { class: 'num' }, 'F1 A'), h('th', { class: 'num' }, 'F1 B'), h('th', { class: 'num' }, 'B − A'), h('th', { class: 'num' }, 'support'))),
      h(
        'tbody',
        {},
        comparison.perClassF1.map((row) =>
          h('tr', {}, h('td', {}, row.label), h('td', { class: 'num' }, f1(row.a)), h('td', { class: 'num' }, f1(row.b)), h('td', { class: 'num' }, delta(row.a, row.b, 'percent')), h('td', { class: 'num' }, count.format(row.support))),
        ),
      ),
    );
  }

  /** A run's predicted label and its score, marked right or wrong in words as well as colour. */
  function predictionCell(prediction, goldLabel) {
    const right = prediction.label === goldLabel;
    return h(
      'td',
      { class: `prediction ${right ? 'right' : 'wrong'}` },
      h('span', { class: 'mark', title: right ? 'matches the gold label' : 'differs from the gold label' }, right ? '✓' : '✗'),
      ` ${prediction.label} `,
      h('span', { class: 'score' }, prediction.score.toFixed(3)),
    );
  }

  function differingRowsTable(comparison) {
    const { differingRows: rows } = comparison;
    if (rows.length === 0) return h('p', { class: 'muted' }, 'Both runs predict the same label on every row they both evaluated.');
    return h(
      'table',
      { class: 'rows differing' },
      h('thead', {}, h('tr', {}, h('th', { class: 'num' }, 'line'), h('th', {}, 'text'), h('th', {}, 'gold'), ...['a', 'b'].map((side) => h('th', { title: comparison[side].model.name }, sideBadge(side), ` ${clip(comparison[side].model.name, 24)}`)))),
      h(
        'tbody',
        {},
        rows.map((row) =>
          activatable(
            h(
              'tr',
              {},
              h('td', { class: 'num' }, String(row.line)),
              h('td', { class: 'text', title: row.text }, clip(row.text, 200)),
              h('td', {}, row.gold === row.goldLabel ? row.gold : `${row.gold} (${row.goldLabel})`),
              predictionCell(row.a, row.goldLabel),
              predictionCell(row.b, row.goldLabel),
            ),
            `line ${row.line}: gold ${row.goldLabel}, A predicts ${row.a.label} (${row.a.score.toFixed(3)}), B predicts ${row.b.label} (${row.b.score.toFixed(3)}); open in the dataset`,
            () => vscode.postMessage({ type: 'openLine', line: row.line }),
          ),
        ),
      ),
    );
  }

  function differingSubtitle(comparison) {
    const { agreement: agree, differingRows, maxDifferingRows } = comparison;
    if (agree.differ === 0) return undefined;
    const listed = agree.differ > differingRows.length ? `The first ${count.format(differingRows.length)} (of at most ${count.format(maxDifferingRows)} listed) are shown in file order` : 'All are listed in file order';
    return `${count.format(agree.differ)} of the ${count.format(agree.compared)} rows both runs evaluated: A right and B wrong in ${count.format(agree.onlyARight)}, B right and A wrong in ${count.format(agree.onlyBRight)}, both wrong in ${count.format(agree.bothWrong)}. ${listed}; click a row (or press Enter) to open it in the dataset.`;
  }

  function render(comparison) {
    const { a, b, agreement: agree } = comparison;
    const accuracy = comparison.metrics.find((metric) => metric.name === 'accuracy');
    const macroF1 = comparison.metrics.find((metric) => metric.name === 'macro F1');
    const toolbar = h(
      'div',
      { class: 'toolbar' },
      h('button', { type: 'button', id: 'open-report-a', class: 'secondary', onclick: () => vscode.postMessage({ type: 'openReport', side: 'a' }) }, 'Open Report A'),
      h('button', { type: 'button', id: 'open-report-b', class: 'secondary', onclick: () => vscode.postMessage({ type: 'openReport', side: 'b' }) }, 'Open Report B'),
      h('button', { type: 'button', id: 'swap', class: 'secondary', title: 'Put B on the left and A on the right', onclick: () => vscode.postMessage({ type: 'swap' }) }, 'Swap A and B'),
    );
    const header = h(
      'header',
      { class: 'page-header' },
      h('div', {}, h('h1', {}, comparison.dataset.name, h('span', { class: 'muted' }, ` · ${a.model.name} vs ${b.model.name}`)), h('p', { class: 'muted meta' }, comparison.dataset.path)),
      toolbar,
    );
    const notes = comparison.notes.length > 0
      ? h('section', { class: 'banner warning', id: 'comparison-notes', role: 'alert' }, h('div', {}, comparison.notes.map((note) => h('p', { class: 'note' }, note))))
      : undefined;
    const share = agree.compared > 0 ? agree.differ / agree.compared : 0;
    const kpis = h(
      'section',
      { class: 'kpis' },
      kpi('accuracy A → B', `${pct(accuracy.a, 2)} → ${pct(accuracy.b, 2)}`, delta(accuracy.a, accuracy.b, 'percent')),
      kpi('macro F1 A → B', `${pct(macroF1.a, 2)} → ${pct(macroF1.b, 2)}`, delta(macroF1.a, macroF1.b, 'percent')),
      kpi('rows with another label', count.format(agree.differ), `${pct(share, 2)} of ${count.format(agree.compared)} rows`),
      kpi('B fixes / breaks', `${count.format(agree.onlyBRight)} / ${count.format(agree.onlyARight)}`, 'rows B gets right that A got wrong / the reverse'),
    );
    const sections = [
      header,
      h('section', { class: 'sides', 'aria-label': 'the two runs' }, sideCard('a', a), sideCard('b', b)),
      notes,
      kpis,
      h('div', { class: 'grid' }, card('Metrics', 'B − A: percentage points; throughput as a ratio. ▲ higher, ▼ lower; green where B is better.', metricsTable(comparison)), card('Per-class F1', undefined, perClassTable(comparison))),
      h(
        'div',
        { class: 'grid' },
        card(h('span', {}, sideBadge('a'), ` Confusion matrix · ${a.model.name}`), 'Rows: gold label; columns: predicted; shade: share of the gold row.', h('div', { class: 'matrix-wrap', id: 'matrix-a' }, confusionMatrix(a))),
        card(h('span', {}, sideBadge('b'), ` Confusion matrix · ${b.model.name}`), 'Rows: gold label; columns: predicted; shade: share of the gold row.', h('div', { class: 'matrix-wrap', id: 'matrix-b' }, confusionMatrix(b))),
      ),
      h('section', { class: 'card', id: 'differing-rows' }, h('header', {}, h('h2', {}, 'Rows with a different label'), h('p', { class: 'muted' }, differingSubtitle(comparison))), h('div', { class: 'scroll' }, differingRowsTable(comparison))),
    ];
    root.replaceChildren(...sections.filter((section) => section !== undefined)); // an absent banner would print "undefined"
    root.setAttribute('aria-busy', 'false');
  }

  window.addEventListener('message', (event) => {
    if (event.data?.type !== 'comparison') return;
    const { comparison } = event.data;
    vscode.setState({ ids: [comparison.a.id, comparison.b.id] }); // restores the panel after a reload
    render(comparison);
  });
  vscode.postMessage({ type: 'ready' });
})();
