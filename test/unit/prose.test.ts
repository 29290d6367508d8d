// Prose-only segmentation of Markdown: headings, code, front matter, tables, HTML and link reference
// definitions are not units; paragraphs (also in lists and block quotes) are, with exact offsets.
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { isMarkdownPath, maskNonProse } from '../../src/classifier/prose';
import { segment, UNITS } from '../../src/classifier/segment';
import { unitAround, unitsAround } from '../../src/editor/blocks';

const REVIEW = [
  '---',
  'title: Weekend reviews',
  '',
  'summary: a paragraph-like line inside the front matter',
  '---',
  '',
  '# Weekend movie reviews',
  '',
  'The film was a delight from start to finish.',
  'Hard-wrapped second line of the same paragraph.',
  '',
  '```python',
  'def awful(): raise Exception("terrible")',
  '```',
  '',
  '    indented code is code too',
  '',
  '| film | verdict |',
  '| ---- | ------- |',
  '| Up   | great   |',
  '',
  '<div>',
  'an HTML block',
  '</div>',
  '',
  '[docs]: https://example.com/docs "Reference definition"',
  '',
  '- A list item that is prose.',
  '- Another item.',
  '',
  '> A quoted paragraph, prose as well.',
  '',
  'Setext heading',
  '==============',
  '',
  '***',
  '',
  'The ending was dreadful.',
].join('\n');

const PROSE_PARAGRAPHS = [
  'The film was a delight from start to finish.\nHard-wrapped second line of the same paragraph.',
  '- A list item that is prose.\n- Another item.',
  '> A quoted paragraph, prose as well.',
  'The ending was dreadful.',
];

describe('prose (Markdown without headings, code, tables, HTML, front matter)', () => {
  it('paragraph units are exactly the prose paragraphs, sliced from the source', () => {
    const units = segment(REVIEW, 'paragraph', { prose: true });
    assert.deepEqual(units.map((unit) => unit.text), PROSE_PARAGRAPHS);
    for (const unit of units) assert.equal(REVIEW.slice(unit.start, unit.end), unit.text);
  });

  it('without the option every block is a unit, as before', () => {
    const texts = segment(REVIEW, 'paragraph').map((unit) => unit.text);
    assert.ok(texts.includes('# Weekend movie reviews'));
    assert.ok(texts.some((text) => text.includes('def awful()')));
  });

  it('the mask keeps the length and every line break, and blanks only whole lines', () => {
    for (const text of [REVIEW, REVIEW.replace(/\n/g, '\r\n'), REVIEW.replace(/\n/g, '\r'), `${REVIEW}\n`, '', '# only a heading']) {
      const masked = maskNonProse(text);
      assert.equal(masked.length, text.length);
      for (let i = 0; i < text.length; i++) {
        if (masked[i] !== text[i]) assert.ok(masked[i] === ' ' && text[i] !== '\n' && text[i] !== '\r', `offset ${i}`);
      }
      const sourceLines = text.split(/\r\n|\r|\n/);
      masked.split(/\r\n|\r|\n/).forEach((line, index) => assert.ok(line === sourceLines[index] || line.trim() === '', `line ${index + 1} partly blanked`));
    }
  });

  it('CRLF and lone-CR documents give the same units as LF', () => {
    const lf = segment(REVIEW, 'paragraph', { prose: true }).map((unit) => unit.text.replace(/\r\n?/g, '\n'));
    for (const lineBreak of ['\r\n', '\r']) {
      const text = REVIEW.replace(/\n/g, lineBreak);
      assert.deepEqual(segment(text, 'paragraph', { prose: true }).map((unit) => unit.text.replace(/\r\n?/g, '\n')), lf, JSON.stringify(lineBreak));
    }
  });

  it('section units start at headings found in the source; their text has the headings and code blanked', () => {
    const text = '# One\n\nGood start.\n\n```\nbad code\n```\n\n## Two\n\nSad end.\n';
    const sections = segment(text, 'section', { prose: true });
    assert.deepEqual(sections.map((unit) => unit.text.replace(/\s+/g, ' ')), ['Good start.', 'Sad end.']);
    assert.deepEqual(sections.map((unit) => text.slice(0, unit.start).split('\n').length), [3, 11]);
  });

  it('front matter that is never closed is not front matter', () => {
    const text = '---\nStill prose here.\n';
    assert.equal(maskNonProse(text), '   \nStill prose here.\n');
  });

  it('property (fast-check): for generated Markdown documents, every unit of every kind lies at its exact source offsets', () => {
    const line = fc.oneof(
      fc.constantFrom('# Head', 'Some prose here.', '```', 'code line', '~~~', '    indented', '| a | b |', '|---|---|', '<p>html</p>', '[x]: /url', '- item', '> quote', '---', '', ' ', 'Ünïcödé 😀 text.', 'Two. Sentences!'),
      fc.string({ maxLength: 12 }),
    );
    const documents = fc.tuple(fc.array(line, { minLength: 1, maxLength: 25 }), fc.constantFrom('\n', '\r\n', '\r'), fc.boolean())
      .map(([lines, lineBreak, trailing]) => lines.join(lineBreak) + (trailing ? lineBreak : ''));
    fc.assert(
      fc.property(documents, (text) => {
        const masked = maskNonProse(text);
        assert.equal(masked.length, text.length);
        for (const unit of UNITS) {
          let previousEnd = 0;
          for (const found of segment(text, unit, { prose: true })) {
            assert.ok(found.start >= previousEnd && found.end > found.start && found.end <= text.length);
            assert.equal(found.text, masked.slice(found.start, found.end), unit);
            if (unit === 'paragraph' || unit === 'sentence' || unit === 'line') {
              assert.equal(found.text, text.slice(found.start, found.end), unit);
              // Headings and these HTML blocks interrupt any paragraph, so they are never prose.
              assert.doesNotMatch(found.text, /^(?:# Head|<p>html<\/p>)$/m);
            } else {
              assert.doesNotMatch(found.text, /^(?:# Head|<p>html<\/p>)$/m, 'a document or section unit has them blanked');
            }
            previousEnd = found.end;
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('Markdown files are told by their extension', () => {
    assert.deepEqual(['a.md', 'B.MARKDOWN', 'notes.txt', 'md', 'x.mdx'].map(isMarkdownPath), [true, true, false, false, false]);
  });
});

describe('prose in the blocks of hover and live mode', () => {
  it('a place in a heading or inside a fence with blank lines has no unit; a place in prose has its paragraph', () => {
    const text = '# Title\n\n```\ncode\n\nmore code, terrible\n```\n\nProse here, lovely.\n';
    const inFence = text.indexOf('more code');
    assert.equal(unitAround(text, inFence, 'paragraph', true), undefined);
    assert.equal(unitAround(text, 3, 'paragraph', true), undefined);
    assert.equal(unitAround(text, inFence, 'paragraph')?.text, 'more code, terrible\n```', 'without prose the fence is cut at its blank line');
    const prose = unitAround(text, text.indexOf('lovely'), 'paragraph', true)!;
    assert.deepEqual([prose.text, text.slice(prose.start, prose.end)], ['Prose here, lovely.', 'Prose here, lovely.']);
    const block = unitsAround(text, inFence, inFence, 'sentence', true);
    assert.deepEqual(block.units, []);
  });
});
