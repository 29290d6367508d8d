import * as assert from 'node:assert/strict';
import { segment } from '../../src/classifier/segment';
import type { Unit } from '../../src/classifier/types';
import { unitAround, unitsAround, unitsAroundIn } from '../../src/editor/blocks';

describe('units around a place (hover, live mode)', () => {
  const pieces = ['Great food.', 'Terrible service!  Never again.', '', '   ', '# Heading', 'line one\nline two', 'Ünïcode ☕ works. Yes?', '\r\n'];
  const separators = ['\n', '\n\n', '\r\n\r\n', '\n \t\n', ' '];

  it('finds the same unit as segmenting the whole document, at every offset', () => {
    let seed = 7;
    const random = (n: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
    for (let doc = 0; doc < 60; doc++) {
      const parts: string[] = [];
      for (let i = 0; i < 1 + random(12); i++) parts.push(pieces[random(pieces.length)], separators[random(separators.length)]);
      const text = parts.join('');
      for (const unit of ['paragraph', 'sentence', 'line', 'section', 'document'] as Unit[]) {
        const all = segment(text, unit);
        for (let offset = 0; offset <= text.length; offset++) {
          const expected = all.find((candidate) => candidate.start <= offset && offset <= candidate.end);
          assert.deepEqual(unitAround(text, offset, unit), expected, `${unit} at ${offset} in ${JSON.stringify(text)}`);
        }
      }
    }
  });

  it('a block holds exactly the document units inside it, including every unit an edited range touches', () => {
    let seed = 11;
    const random = (n: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
    for (let doc = 0; doc < 60; doc++) {
      const parts: string[] = [];
      for (let i = 0; i < 1 + random(12); i++) parts.push(pieces[random(pieces.length)], separators[random(separators.length)]);
      const text = parts.join('');
      for (const unit of ['paragraph', 'sentence', 'line', 'section'] as Unit[]) {
        const all = segment(text, unit);
        for (let trial = 0; trial < 40; trial++) {
          const start = random(text.length + 1);
          const end = Math.min(text.length, start + random(30));
          const block = unitsAround(text, start, end, unit);
          const where = `${unit} [${start}, ${end}] in ${JSON.stringify(text)}`;
          assert.deepEqual(block.units, all.filter((found) => found.start >= block.from && found.end <= block.to), where);
          for (const touched of all.filter((found) => found.end >= start && found.start <= end)) {
            assert.ok(block.units.some((found) => found.start === touched.start), `${where}: misses ${JSON.stringify(touched.text)}`);
          }
        }
      }
    }
  });

  it('reading a large document in part gives the same block as reading all of it', () => {
    // Paragraphs, then 150,000 characters without a blank line (the block search gives up there), then paragraphs.
    const paragraphs = (from: number, count: number) => Array.from({ length: count }, (_, i) => `Paragraph ${from + i}. It has two sentences.`).join('\n\n');
    const text = [paragraphs(0, 6000), 'A very long line. '.repeat(150_000 / 18), paragraphs(6000, 6000)].join('\n\n');
    let seed = 5;
    const random = (n: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
    const places = [0, 10, 180_000, 250_000, 300_000, 400_000, text.length - 5, text.length];
    for (let i = 0; i < 8; i++) places.push(random(text.length + 1));
    for (const unit of ['paragraph', 'line', 'section'] as Unit[]) {
      for (const start of unit === 'section' ? places.slice(0, 2) : places) {
        const end = Math.min(text.length, start + random(200));
        let charsRead = 0;
        const read = (from: number, to: number) => { charsRead += to - from; return text.slice(from, to); };
        // (JSON: deepEqual takes seconds over the ten thousand units of the whole-document cases)
        assert.equal(JSON.stringify(unitsAroundIn(read, text.length, start, end, unit)), JSON.stringify(unitsAround(text, start, end, unit)), `${unit} [${start}, ${end}]`);
        if (unit === 'paragraph' && (start < 150_000 || start > 450_000)) assert.ok(charsRead < text.length, `read ${charsRead} characters of ${text.length} around ${start}`);
      }
    }
  });

  it('segments only the block around the offset in a large document', () => {
    const text = Array.from({ length: 20_000 }, (_, i) => `Paragraph ${i}. It has two sentences.`).join('\n\n');
    const offset = text.indexOf('Paragraph 12345.') + 3;
    const started = performance.now();
    const found = unitAround(text, offset, 'sentence');
    const elapsed = performance.now() - started;
    assert.equal(found?.text, 'Paragraph 12345.');
    assert.ok(elapsed < 50, `took ${elapsed.toFixed(1)} ms`);
  });
});
