// Segmentation: every unit's range slices back to its text, exactly, over varied documents.
import * as assert from 'node:assert/strict';
import { segment, sentenceRanges, UNITS } from '../../src/classifier/segment';

const DOCUMENTS: Record<string, string> = {
  empty: '',
  whitespace: ' \n\t\r\n  \n',
  plain: 'One sentence. Another one! And a third?',
  lf: 'First paragraph line one.\nLine two of it.\n\nSecond paragraph.\n\n\n\nThird, after many blanks.\n',
  crlf: 'Alpha line.\r\nBeta line.\r\n\r\nGamma paragraph. With two sentences.\r\n \r\nDelta.\r\n',
  cr: 'old mac line\rnext line\r\rnew paragraph',
  unicode: 'Ünïcödé straße — 😀 emoji here. 日本語の文です。次の文です。\n\n  Ça va? Très bien… Merci!  \n',
  markdown: [
    'Intro text before any heading.',
    '',
    '# Title',
    'Some text under the title.',
    '',
    '## Section two',
    '```',
    '# not a heading, inside a code fence',
    '```',
    'More text.',
    '#hashtag is not a heading',
    '### Third',
    '',
  ].join('\n'),
  headingsOnly: '# A\n# B\r\n#\n',
};

describe('segment', () => {
  for (const [name, document] of Object.entries(DOCUMENTS)) {
    for (const unit of UNITS) {
      it(`${unit} ranges of the "${name}" document slice back exactly, trimmed, in order`, () => {
        const segments = segment(document, unit);
        let previousEnd = 0;
        for (const s of segments) {
          assert.equal(document.slice(s.start, s.end), s.text);
          assert.ok(s.text.trim().length > 0, 'no empty unit');
          assert.equal(s.text, s.text.trim(), 'units are trimmed');
          assert.ok(s.start >= previousEnd, 'units do not overlap and come in order');
          previousEnd = s.end;
        }
        // Nothing but whitespace is left out.
        let rest = '';
        let from = 0;
        for (const s of segments) {
          rest += document.slice(from, s.start);
          from = s.end;
        }
        rest += document.slice(from);
        assert.equal(rest.trim(), '', 'only whitespace falls between units');
      });
    }
  }

  it('skips empty and whitespace-only documents', () => {
    for (const unit of UNITS) {
      assert.deepEqual(segment('', unit), []);
      assert.deepEqual(segment(DOCUMENTS.whitespace, unit), []);
    }
  });

  it('paragraphs are separated by blank lines (LF, CRLF, CR, whitespace-only lines)', () => {
    assert.deepEqual(segment(DOCUMENTS.lf, 'paragraph').map((s) => s.text), [
      'First paragraph line one.\nLine two of it.',
      'Second paragraph.',
      'Third, after many blanks.',
    ]);
    assert.deepEqual(segment(DOCUMENTS.crlf, 'paragraph').map((s) => s.text), [
      'Alpha line.\r\nBeta line.',
      'Gamma paragraph. With two sentences.',
      'Delta.',
    ]);
    assert.deepEqual(segment(DOCUMENTS.cr, 'paragraph').map((s) => s.text), ['old mac line\rnext line', 'new paragraph']);
  });

  it('lines split on every line break style', () => {
    assert.deepEqual(segment(DOCUMENTS.crlf, 'line').map((s) => s.text), ['Alpha line.', 'Beta line.', 'Gamma paragraph. With two sentences.', 'Delta.']);
    assert.deepEqual(segment(DOCUMENTS.cr, 'line').map((s) => s.text), ['old mac line', 'next line', 'new paragraph']);
  });

  it('sentences follow Unicode rules, never cross a paragraph, and ignore a wrapped line', () => {
    assert.deepEqual(segment(DOCUMENTS.plain, 'sentence').map((s) => s.text), ['One sentence.', 'Another one!', 'And a third?']);
    assert.deepEqual(segment(DOCUMENTS.lf, 'sentence').map((s) => s.text), [
      'First paragraph line one.',
      'Line two of it.',
      'Second paragraph.',
      'Third, after many blanks.',
    ]);
    assert.deepEqual(segment('a line wrapped\nin the middle. Next one\n\nno period here\n\nlast', 'sentence').map((s) => s.text), [
      'a line wrapped\nin the middle.',
      'Next one',
      'no period here',
      'last',
    ]);
    const unicode = segment(DOCUMENTS.unicode, 'sentence').map((s) => s.text);
    assert.deepEqual(unicode, ['Ünïcödé straße — 😀 emoji here.', '日本語の文です。', '次の文です。', 'Ça va?', 'Très bien… Merci!']);
  });

  it('sentences of a long paragraph, segmented window by window, are those of the whole paragraph', () => {
    const pieces = ['Dr. Smith arrived.', 'It cost 3.14 dollars, e.g. a lot.', 'He said "Stop!" and left.', 'end. and then lower case', 'end. 123 lower after digits.',
      'Wait... what?!', '日本語の文です。', 'Ça va? Très bien… Merci!', 'Emoji 😀 here.', '(Quoted.) Next', 'no period', 'U.S.A. is big.', 'A line.\u00a0Non-breaking.'];
    const segmenter = new Intl.Segmenter(undefined, { granularity: 'sentence' });
    let seed = 3;
    const random = (n: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
    for (let trial = 0; trial < 40; trial++) {
      const paragraph = Array.from({ length: 20 + random(200) }, () => pieces[random(pieces.length)]).join(random(4) === 0 ? '  ' : ' ');
      const whole = [...segmenter.segment(paragraph)].map((piece) => [piece.index, piece.index + piece.segment.length]);
      for (const window of [16, 50, 333]) assert.deepEqual(sentenceRanges(segmenter, paragraph, window), whole, `window ${window}: ${paragraph}`);
    }
  });

  it('sections start at Markdown headings outside code fences', () => {
    const sections = segment(DOCUMENTS.markdown, 'section').map((s) => s.text.split('\n')[0]);
    assert.deepEqual(sections, ['Intro text before any heading.', '# Title', '## Section two', '### Third']);
    assert.match(segment(DOCUMENTS.markdown, 'section')[2].text, /# not a heading, inside a code fence\n```\nMore text\.\n#hashtag/);
    assert.deepEqual(segment(DOCUMENTS.headingsOnly, 'section').map((s) => s.text), ['# A', '# B', '#']);
  });

  it('the document unit is the whole text, trimmed', () => {
    assert.deepEqual(segment('  \n hello world \n', 'document'), [{ start: 4, end: 15, text: 'hello world' }]);
  });

  it('rejects an unknown unit by name', () => {
    assert.throws(() => segment('x', 'word' as never), /unknown unit "word" \(expected one of document, paragraph, sentence, line, section\)/);
  });
});
