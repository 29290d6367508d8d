// What the report pages (report.js: one evaluation; compare.js: two side by side) draw with: DOM and
// SVG helpers, keyboard-activatable rows and cells, cards, KPIs and the confusion-matrix heat map.
// Loaded before the page's own script; exposes window.reportKit.
// @ts-check
(function () {
  'use strict';
  const svgNs = 'http://www.w3.org/2000/svg';
  const count = new Intl.NumberFormat('en-US');
  const pct = (value, digits = 1) => `${(value * 100).toFixed(digits)} %`;

  /** An HTML element with attributes, classes and children (strings become text). */
  function h(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === false) continue;
      if (key === 'class') node.className = value;
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : String(value));
    }
    node.append(...children.flat().filter((child) => child !== undefined && child !== null));
    return node;
  }

  /** An SVG element; `text` sets its text content. */
  function s(tag, attrs = {}, ...children) {
    const node = document.createElementNS(svgNs, tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined) continue;
      if (key === 'text') node.textContent = String(value);
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, String(value));
    }
    node.append(...children.flat().filter(Boolean));
    return node;
  }

  const clip = (text, length) => (text.length <= length ? text : `${text.slice(0, length - 1)}…`);

  /** Makes a row or cell act as a button (click, Enter, Space). */
  function activatable(node, label, action) {
    node.setAttribute('tabindex', '0');
    node.setAttribute('role', 'button');
    node.setAttribute('aria-label', label);
    node.addEventListener('click', action);
    node.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        action();
      }
    });
    return node;
  }

  function card(title, subtitle, ...body) {
    return h('section', { class: 'card' }, h('header', {}, h('h2', {}, title), subtitle ? h('p', { class: 'muted' }, subtitle) : undefined), ...body);
  }

  function kpi(label, value, detail) {
    return h('div', { class: 'kpi' }, h('div', { class: 'kpi-value' }, value), h('div', { class: 'kpi-label' }, label), detail ? h('div', { class: 'kpi-detail muted' }, detail) : undefined);
  }

  /** Heat map of confusionMatrix[gold][predicted], shaded by the share of the gold row; with `onCell`, each cell is a button. */
  function confusionMatrix(result, onCell) {
    const { labels, confusionMatrix: matrix } = result;
    const n = labels.length;
    const cell = Math.max(44, Math.min(104, Math.floor(460 / n)));
    const left = 12 + Math.min(120, 7 * Math.max(...labels.map((label) => clip(label, 16).length)));
    const top = 44;
    const width = left + n * cell + 8;
    const height = top + n * cell + 28;
    const svg = s('svg', { class: 'chart matrix', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': 'Confusion matrix' });
    svg.append(s('text', { x: left + (n * cell) / 2, y: 14, class: 'axis-title', 'text-anchor': 'middle', text: 'predicted' }));
    svg.append(s('text', { x: 10, y: top + (n * cell) / 2, class: 'axis-title', 'text-anchor': 'middle', transform: `rotate(-90 10 ${top + (n * cell) / 2})`, text: 'gold' }));
    labels.forEach((label, column) => {
      svg.append(s('text', { x: left + column * cell + cell / 2, y: top - 8, class: 'tick', 'text-anchor': 'middle', text: clip(label, Math.floor(cell / 7)) }, s('title', { text: label })));
    });
    matrix.forEach((row, gold) => {
      const rowTotal = row.reduce((sum, value) => sum + value, 0);
      svg.append(s('text', { x: left - 8, y: top + gold * cell + cell / 2 + 4, class: 'tick', 'text-anchor': 'end', text: clip(labels[gold], 16) }, s('title', { text: labels[gold] })));
      row.forEach((value, predicted) => {
        const share = rowTotal === 0 ? 0 : value / rowTotal;
        const x = left + predicted * cell;
        const y = top + gold * cell;
        const diagonal = gold === predicted;
        const group = s('g', { class: `cell ${diagonal ? 'diagonal' : 'off-diagonal'}` });
        group.append(s('rect', { x: x + 1, y: y + 1, width: cell - 2, height: cell - 2, rx: 3, class: 'cell-bg' }));
        group.append(s('rect', { x: x + 1, y: y + 1, width: cell - 2, height: cell - 2, rx: 3, class: 'cell-fill', 'fill-opacity': (0.08 + 0.87 * share).toFixed(3) }));
        const strong = share > 0.5;
        group.append(s('text', { x: x + cell / 2, y: y + cell / 2 + 1, class: `cell-count${strong ? ' strong' : ''}`, 'text-anchor': 'middle', text: count.format(value) }));
        group.append(s('text', { x: x + cell / 2, y: y + cell / 2 + 15, class: `cell-share${strong ? ' strong' : ''}`, 'text-anchor': 'middle', text: pct(share, 0) }));
        group.append(s('title', { text: `gold ${labels[gold]}, predicted ${labels[predicted]}: ${count.format(value)} rows (${pct(share)} of ${labels[gold]})` }));
        if (onCell) activatable(group, `gold ${labels[gold]}, predicted ${labels[predicted]}: ${value} rows; list them`, () => onCell(gold, predicted, group));
        svg.append(group);
      });
    });
    return svg;
  }

  /** @type {any} */ (window).reportKit = { h, s, clip, activatable, card, kpi, confusionMatrix, count, pct };
})();
