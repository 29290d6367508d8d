// The evaluation report page (webview). Draws what the extension posts ({ type: 'report', report })
// with plain DOM and SVG in the theme's colours, and asks the extension (postMessage) to open a
// dataset line, export the predictions, copy the metrics or explain a row (which words pushed its
// prediction, coloured as Explain Classification colours them in the editor). No remote resources, no inline code.
// @ts-check
(function () {
  'use strict';
  // @ts-expect-error acquireVsCodeApi is provided by the webview host
  const vscode = acquireVsCodeApi();
  const root = /** @type {HTMLElement} */ (document.getElementById('report'));
  const { h, s, clip, activatable, card, kpi, confusionMatrix, count, pct } = /** @type {any} */ (window).reportKit;

  function openLine(line) {
    vscode.postMessage({ type: 'openLine', line });
  }

  // Explanations asked of the extension: answers by request id, and by text once known.
  const explanationRequests = new Map();
  const explanationsByText = new Map();
  let nextExplanationId = 1;

  /** The words of `text` with their contributions to the predicted label (from the extension's worker). */
  function explainText(text) {
    const known = explanationsByText.get(text);
    if (known) return known;
    const id = nextExplanationId++;
    const answer = new Promise((resolve) => explanationRequests.set(id, resolve));
    explanationsByText.set(text, answer);
    void answer.then((known) => known.error && explanationsByText.delete(text)); // asked again next time (e.g. after Use This Model)
    vscode.postMessage({ type: 'explain', id, text });
    return answer;
  }

  /** 1..4 by the share of the strongest contribution, 0 below 0.005 (as src/views/contributions.ts). */
  function intensityStep(contribution, strongest) {
    if (Math.abs(contribution) < 0.005 || strongest <= 0) return 0;
    return Math.min(4, Math.max(1, Math.ceil((4 * Math.abs(contribution)) / strongest)));
  }

  const signed = (value) => `${value < 0 ? '-' : '+'}${Math.abs(value).toFixed(2)}`;

  /** The row's text with each word that moved the score coloured, for (one hue) or against (another) the predicted label. */
  function colouredText(text, answer) {
    if (answer.error) return h('p', { class: 'muted explanation-error' }, answer.error);
    const strongest = answer.words.reduce((max, word) => Math.max(max, Math.abs(word.contribution)), 0);
    const parts = [];
    let at = 0;
    for (const word of answer.words) {
      const step = intensityStep(word.contribution, strongest);
      if (step === 0) continue;
      parts.push(text.slice(at, word.start));
      const direction = word.contribution > 0 ? 'for' : 'against';
      parts.push(h('span', { class: `word ${direction}-${step}`, title: `${signed(word.contribution)} ${word.contribution > 0 ? 'raised' : 'lowered'} ${answer.label}` }, text.slice(word.start, word.end)));
      at = word.end;
    }
    parts.push(text.slice(at));
    const note = answer.wordsPerGroup > 1 ? ` A long text: words were left out ${answer.wordsPerGroup} at a time.` : '';
    const anyShown = strongest >= 0.005;
    return h(
      'div',
      { class: 'explanation' },
      h('p', { class: 'explained-text' }, parts),
      h(
        'p',
        { class: 'legend muted' },
        anyShown
          ? [h('span', {}, h('span', { class: 'swatch word for-4' }), `raised ${answer.label}`), h('span', {}, h('span', { class: 'swatch word against-4' }), `lowered ${answer.label}`), h('span', {}, `The change in the model's score of ${answer.label} when a word is left out; hover a word for its value.${note}`)]
          : h('span', {}, `No word alone moves the score of ${answer.label} by 0.005 or more: it rests on several words, any of which would do.${note}`),
      ),
    );
  }

  /** The button that shows a row's explanation in a row of its own below it (and hides it again). */
  function expandButton(row) {
    let shown;
    const button = h('button', { type: 'button', class: 'expand', 'aria-expanded': 'false', title: 'Show which words pushed the prediction', 'aria-label': `line ${row.line}: show which words pushed the prediction` }, '▸');
    const toggle = (event) => {
      event.stopPropagation(); // the row itself opens the dataset line
      const tableRow = button.closest('tr');
      if (shown) {
        shown.remove();
        shown = undefined;
        button.setAttribute('aria-expanded', 'false');
        button.textContent = '▸';
        return;
      }
      const cell = h('td', { colspan: '6' }, h('p', { class: 'muted' }, 'Explaining…'));
      shown = h('tr', { class: 'explanation-row' }, cell);
      tableRow.after(shown);
      button.setAttribute('aria-expanded', 'true');
      button.textContent = '▾';
      void explainText(row.text).then((answer) => cell.replaceChildren(colouredText(row.text, answer)));
    };
    button.addEventListener('click', toggle);
    button.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        toggle(event);
      }
    });
    return button;
  }

  /** A table of predictions; each row opens the dataset at its line, and its button shows which words pushed the prediction. */
  function predictionTable(rows, labels, emptyText) {
    if (rows.length === 0) return h('p', { class: 'muted' }, emptyText);
    return h(
      'table',
      { class: 'rows' },
      h('thead', {}, h('tr', {}, h('th', { class: 'expand-cell' }, h('span', { class: 'visually-hidden' }, 'words')), h('th', { class: 'num' }, 'line'), h('th', {}, 'text'), h('th', {}, 'gold'), h('th', {}, 'predicted'), h('th', { class: 'num' }, 'confidence'))),
      h(
        'tbody',
        {},
        rows.map((row) =>
          activatable(
            h(
              'tr',
              { class: row.predicted === row.goldLabel ? 'correct' : 'wrong' },
              h('td', { class: 'expand-cell' }, expandButton(row)),
              h('td', { class: 'num' }, String(row.line)),
              h('td', { class: 'text', title: row.text }, clip(row.text, 220)),
              h('td', {}, row.gold === row.goldLabel ? row.gold : `${row.gold} (${row.goldLabel})`),
              h('td', {}, row.predicted),
              h('td', { class: 'num' }, confidenceBar(row.confidence)),
            ),
            `line ${row.line}: gold ${row.goldLabel}, predicted ${row.predicted}; open in the dataset`,
            () => openLine(row.line),
          ),
        ),
      ),
    );
  }

  function confidenceBar(value) {
    const bar = h('span', { class: 'bar' });
    bar.style.setProperty('--share', String(value));
    return h('span', { class: 'bar-cell' }, bar, h('span', {}, value.toFixed(3)));
  }

  function perClassTable(result) {
    const metric = (value) => {
      const bar = h('span', { class: 'bar' });
      bar.style.setProperty('--share', String(value));
      return h('td', { class: 'num' }, h('span', { class: 'bar-cell' }, bar, h('span', {}, pct(value))));
    };
    return h(
      'table',
      { class: 'metrics' },
      h('thead', {}, h('tr', {}, h('th', {}, 'label'), h('th', { class: 'num' }, 'precision'), h('th', { class: 'num' }, 'recall'), h('th', { class: 'num' }, 'F1'), h('th', { class: 'num' }, 'support'))),
      h(
        'tbody',
        {},
        result.perClass.map((row) => h('tr', {}, h('td', {}, row.label), metric(row.precision), metric(row.recall), metric(row.f1), h('td', { class: 'num' }, count.format(row.support)))),
        h('tr', { class: 'total' }, h('td', {}, 'macro avg'), metric(result.macroPrecision), metric(result.macroRecall), metric(result.macroF1), h('td', { class: 'num' }, count.format(result.evaluated))),
        h('tr', { class: 'total' }, h('td', {}, 'weighted avg'), h('td'), h('td'), metric(result.weightedF1), h('td', { class: 'num' }, count.format(result.evaluated))),
      ),
    );
  }

  /**
   * The confidence axis starts where confidences can start: a single-label model's top score is at
   * least 1 / labels (0.5 for two labels), so the empty bins below are left out.
   */
  function confidenceFloor(result) {
    const firstUsed = result.calibrationBins.find((bin) => bin.count > 0)?.lower ?? 0;
    return Math.min(Math.floor(10 / result.labels.length) / 10, firstUsed);
  }

  /** Bars over [xMin, 1] with a y axis; bars: { lower, upper, value, label } */
  function barChart(bars, { xMin = 0, yMax, yLabel, xLabel, ariaLabel, extra }) {
    const width = 420;
    const height = 240;
    const yTicks = [0, 0.5, 1].map((tick) => tick * yMax);
    const yTickText = (value) => (yMax <= 1 ? value.toFixed(1) : count.format(Math.round(value)));
    // Room for the rotated axis title (about 16 px) and the widest tick label (about 6.5 px a character at 11 px).
    const widestTick = Math.max(...yTicks.map((value) => yTickText(value).length));
    const plot = { left: 26 + Math.ceil(widestTick * 6.5), right: 12, top: 12, bottom: 40 };
    const innerWidth = width - plot.left - plot.right;
    const innerHeight = height - plot.top - plot.bottom;
    const x = (value) => plot.left + ((Math.max(value, xMin) - xMin) / (1 - xMin)) * innerWidth;
    const y = (value) => plot.top + innerHeight - (value / (yMax || 1)) * innerHeight;
    const svg = s('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': ariaLabel });
    for (const value of yTicks) {
      svg.append(s('line', { x1: plot.left, x2: width - plot.right, y1: y(value), y2: y(value), class: 'grid' }));
      svg.append(s('text', { x: plot.left - 6, y: y(value) + 4, class: 'tick', 'text-anchor': 'end', text: yTickText(value) }));
    }
    for (let step = 0; step <= 4; step++) {
      const tick = xMin + (step * (1 - xMin)) / 4;
      svg.append(s('text', { x: x(tick), y: height - plot.bottom + 16, class: 'tick', 'text-anchor': 'middle', text: String(Number(tick.toFixed(3))) }));
    }
    svg.append(s('line', { x1: plot.left, x2: width - plot.right, y1: y(0), y2: y(0), class: 'axis' }));
    svg.append(s('text', { x: plot.left + innerWidth / 2, y: height - 4, class: 'axis-title', 'text-anchor': 'middle', text: xLabel }));
    svg.append(s('text', { x: 12, y: plot.top + innerHeight / 2, class: 'axis-title', 'text-anchor': 'middle', transform: `rotate(-90 12 ${plot.top + innerHeight / 2})`, text: yLabel }));
    for (const bar of bars) {
      if (bar.value <= 0 || bar.upper <= xMin) continue;
      svg.append(
        s('rect', { x: x(bar.lower) + 1, y: y(bar.value), width: Math.max(1, x(bar.upper) - x(bar.lower) - 2), height: y(0) - y(bar.value), class: bar.className || 'bar-fill' }, s('title', { text: bar.label })),
      );
    }
    extra?.(svg, x, y); // overlays (calibration gaps, the diagonal) on top of the bars
    return svg;
  }

  function histogram(result) {
    const bins = result.confidenceHistogram;
    const max = Math.max(1, ...bins);
    const bars = bins.map((value, index) => {
      const lower = index / bins.length;
      const upper = (index + 1) / bins.length;
      return { lower, upper, value, label: `confidence ${lower.toFixed(2)}–${upper.toFixed(2)}: ${count.format(value)} rows` };
    });
    return barChart(bars, { xMin: confidenceFloor(result), yMax: niceMax(max), yLabel: 'rows', xLabel: 'confidence of the predicted label', ariaLabel: 'Confidence histogram' });
  }

  function reliability(result) {
    const bars = result.calibrationBins.map((bin) => ({
      lower: bin.lower,
      upper: bin.upper,
      value: bin.count > 0 ? bin.accuracy : 0,
      label: `confidence ${bin.lower.toFixed(1)}–${bin.upper.toFixed(1)}: accuracy ${pct(bin.accuracy)}, mean confidence ${pct(bin.confidence)}, ${count.format(bin.count)} rows`,
    }));
    const xMin = confidenceFloor(result);
    return barChart(bars, {
      xMin,
      yMax: 1,
      yLabel: 'accuracy',
      xLabel: 'confidence',
      ariaLabel: 'Reliability diagram',
      extra: (svg, x, y) => {
        // Where a bin's mean confidence differs from its accuracy: the calibration gap.
        for (const bin of result.calibrationBins) {
          if (bin.count === 0) continue;
          const low = Math.min(bin.accuracy, bin.confidence);
          const high = Math.max(bin.accuracy, bin.confidence);
          // A narrow opaque bar in the middle of the bin: the accuracy bar stays visible beside it (a gap
          // inside the bar, where accuracy exceeds confidence, does not hide it), in the legend's colour.
          const binWidth = x(bin.upper) - x(bin.lower);
          svg.append(s('rect', { x: x(bin.lower) + binWidth * 0.3, y: y(high), width: binWidth * 0.4, height: Math.max(1, y(low) - y(high)), class: 'gap' }, s('title', { text: `gap ${pct(high - low)}: accuracy ${pct(bin.accuracy)}, mean confidence ${pct(bin.confidence)}` })));
        }
        svg.append(s('line', { x1: x(xMin), y1: y(xMin), x2: x(1), y2: y(1), class: 'diagonal-line' }));
      },
    });
  }

  function niceMax(value) {
    const magnitude = 10 ** Math.floor(Math.log10(value));
    for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude;
    return value;
  }

  function legend(items) {
    return h('div', { class: 'legend' }, items.map(([className, text]) => h('span', {}, h('span', { class: `swatch ${className}` }), text)));
  }

  function skippedSection(result) {
    const leftOut = result.trainingOverlap?.excluded ? result.trainingOverlap.rows : 0;
    if (result.skipped === 0) return card('Skipped rows', leftOut > 0 ? `No row was skipped; the ${count.format(leftOut)} training rows were left out.` : 'Every row of the file was evaluated.');
    const reasons = Object.entries(result.skippedByReason).map(([reason, rows]) => h('li', {}, h('strong', {}, count.format(rows)), ` ${reason}`));
    const list = result.skippedRows.map((row) =>
      activatable(h('tr', {}, h('td', { class: 'num' }, String(row.line)), h('td', {}, row.reason), h('td', { class: 'text', title: row.detail }, clip(row.detail, 160))), `line ${row.line}: ${row.reason}; open in the dataset`, () => openLine(row.line)),
    );
    const more = result.skipped > result.skippedRows.length ? h('p', { class: 'muted' }, `The first ${count.format(result.skippedRows.length)} of ${count.format(result.skipped)} are listed.`) : undefined;
    return card(
      'Skipped rows',
      `${count.format(result.skipped)} of ${count.format(result.total)} rows were not evaluated; evaluated + skipped = ${count.format(result.evaluated + result.skipped)}.`,
      h('ul', { class: 'reasons' }, reasons),
      h('div', { class: 'scroll' }, h('table', { class: 'rows' }, h('thead', {}, h('tr', {}, h('th', { class: 'num' }, 'line'), h('th', {}, 'reason'), h('th', {}, 'detail'))), h('tbody', {}, list))),
      more,
    );
  }

  /** The dataset holds rows the model was trained on: say so, and offer the evaluation without them (or with them again). */
  function overlapBanner(overlap, result, model) {
    const how = overlap.match === 'same file' ? `rows listed in its training manifest for ${overlap.trainingFile}` : `the same text as rows of its training data, ${overlap.trainingFile}`;
    if (overlap.excluded) {
      return h(
        'section',
        { class: 'banner info', id: 'training-overlap', role: 'status' },
        h('div', {}, h('strong', {}, 'Held-out rows only. '), `${count.format(overlap.rows)} rows ${model.name} was trained on (${how}) were left out.`),
        h('button', { type: 'button', id: 'evaluate-all-rows', class: 'secondary', onclick: () => vscode.postMessage({ type: 'evaluateAllRows' }) }, 'Evaluate All Rows'),
      );
    }
    const heldOut = overlap.heldOut.evaluated > 0
      ? `On the ${count.format(overlap.heldOut.evaluated)} other rows: accuracy ${pct(overlap.heldOut.accuracy, 2)}, macro F1 ${pct(overlap.heldOut.macroF1, 2)}.`
      : 'No row is held out: evaluate a dataset the model has not seen.';
    return h(
      'section',
      { class: 'banner warning', id: 'training-overlap', role: 'alert' },
      h(
        'div',
        {},
        h('strong', {}, `${count.format(overlap.rows)} of ${count.format(result.evaluated)} rows were used to train ${model.name}`),
        ` (${how}), so the all-rows metrics are optimistic. ${heldOut}`,
      ),
      overlap.heldOut.evaluated > 0 ? h('button', { type: 'button', id: 'evaluate-held-out', onclick: () => vscode.postMessage({ type: 'evaluateHeldOut' }) }, 'Evaluate Held-Out Rows Only') : undefined,
    );
  }

  function render(report) {
    const { result, model } = report;
    const labels = result.labels;
    const cellPanel = h('div', { id: 'cell-rows', class: 'cell-rows' }, h('p', { class: 'muted' }, 'Click a cell of the matrix to list its rows; click a row to open it in the dataset.'));
    let selected;
    const showCell = (gold, predicted, group) => {
      selected?.classList.remove('selected');
      selected = group;
      group.classList.add('selected');
      const rows = result.cellRows[gold][predicted];
      const total = result.confusionMatrix[gold][predicted];
      cellPanel.replaceChildren(
        h('h3', {}, `gold ${labels[gold]} → predicted ${labels[predicted]}`, h('span', { class: 'muted' }, ` · ${count.format(total)} rows${rows.length < total ? `, the ${count.format(rows.length)} most confident shown` : ''}`)),
        h('div', { class: 'scroll' }, predictionTable(rows, labels, 'No rows in this cell.')),
      );
    };

    const toolbar = h(
      'div',
      { class: 'toolbar' },
      h('button', { type: 'button', id: 'export-csv', onclick: () => vscode.postMessage({ type: 'export', format: 'csv' }) }, 'Export CSV'),
      h('button', { type: 'button', id: 'export-jsonl', class: 'secondary', onclick: () => vscode.postMessage({ type: 'export', format: 'jsonl' }) }, 'Export JSONL'),
      h('button', { type: 'button', id: 'copy-metrics', class: 'secondary', onclick: () => vscode.postMessage({ type: 'copyMetrics' }) }, 'Copy Metrics as Markdown'),
      h('button', { type: 'button', id: 'use-model', class: 'secondary', title: `Classify with ${model.name} in the editor`, onclick: () => vscode.postMessage({ type: 'useModel' }) }, 'Use This Model'),
      h('button', { type: 'button', id: 'compare-with', class: 'secondary', title: `Put another model's evaluation of ${report.dataset.name} beside this one`, onclick: () => vscode.postMessage({ type: 'compareWith' }) }, 'Compare with…'),
    );
    const finished = new Date(report.finishedAt);
    const header = h(
      'header',
      { class: 'page-header' },
      h('div', {}, h('h1', {}, report.dataset.name, h('span', { class: 'muted' }, ` · ${model.name}`)), h('p', { class: 'muted meta' }, `${report.dataset.path} · ${report.executionProvider ?? 'remote'} · labels by ${result.labelMapping} · ${finished.toLocaleString()}`)),
      toolbar,
    );
    const overlap = result.trainingOverlap;
    const mixed = overlap && !overlap.excluded; // the all-rows metrics include training rows
    const excluded = overlap?.excluded;
    const heldOutKpis = mixed && overlap.heldOut.evaluated > 0
      ? [kpi('held-out accuracy', pct(overlap.heldOut.accuracy, 2), `${count.format(overlap.heldOut.evaluated)} rows not trained on`), kpi('held-out macro F1', pct(overlap.heldOut.macroF1, 2))]
      : [];
    const kpis = h(
      'section',
      { class: 'kpis' },
      ...heldOutKpis,
      kpi(mixed ? 'accuracy, all rows' : excluded ? 'held-out accuracy' : 'accuracy', pct(result.accuracy, 2), mixed ? `incl. ${count.format(overlap.rows)} training rows` : `${count.format(result.evaluated)} rows evaluated`),
      kpi(mixed ? 'macro F1, all rows' : excluded ? 'held-out macro F1' : 'macro F1', pct(result.macroF1, 2), `weighted F1 ${pct(result.weightedF1, 2)}`),
      kpi('calibration error (ECE)', result.expectedCalibrationError.toFixed(3), '10 equal-width bins'),
      kpi('rows', count.format(result.total), [result.skipped > 0 ? `${count.format(result.skipped)} skipped` : 'none skipped', excluded ? `${count.format(overlap.rows)} training rows left out` : undefined].filter(Boolean).join(', ')),
      kpi('throughput', `${count.format(Math.round(result.rowsPerSecond))} rows/s`, `${result.seconds.toFixed(1)} s`),
    );
    const errors = card(
      'Likely label errors',
      'Rows where the model disagrees with the gold label most confidently: check these labels first.',
      h('div', { class: 'scroll' }, predictionTable(result.likelyErrors, labels, 'The model agrees with every gold label.')),
    );
    // Without the filter, replaceChildren would print an absent banner as the text "undefined".
    const sections = [
      header,
      overlap ? overlapBanner(overlap, result, model) : undefined,
      kpis,
      h('div', { class: 'grid' }, card('Per-class metrics', undefined, perClassTable(result)), card('Confusion matrix', 'Rows: gold label; columns: predicted; shade: share of the gold row.', h('div', { class: 'matrix-wrap' }, confusionMatrix(result, showCell)))),
      h('section', { class: 'card' }, cellPanel),
      h(
        'div',
        { class: 'grid' },
        card('Confidence', 'How sure the model is of its predicted label, over all evaluated rows.', histogram(result)),
        card(`Reliability · ECE ${result.expectedCalibrationError.toFixed(3)}`, 'Accuracy per confidence bin; a calibrated model follows the diagonal.', reliability(result), legend([['bar-fill', 'accuracy'], ['gap', 'gap to mean confidence'], ['diagonal-line', 'perfect calibration']])),
      ),
      errors,
      skippedSection(result),
    ];
    root.replaceChildren(...sections.filter((section) => section !== undefined));
    root.setAttribute('aria-busy', 'false');
  }

  window.addEventListener('message', (event) => {
    if (event.data?.type === 'explanation') {
      explanationRequests.get(event.data.id)?.(event.data);
      explanationRequests.delete(event.data.id);
      return;
    }
    if (event.data?.type !== 'report') return;
    const { report } = event.data;
    vscode.setState({ id: report.id, datasetPath: report.dataset.path, modelDir: report.model.dir }); // restores the panel after a reload
    render(report);
  });
  vscode.postMessage({ type: 'ready' });
})();
