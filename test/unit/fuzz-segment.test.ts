// Fuzz: the segmenter on any text. Every unit lies inside the text, units come in order without
// overlap, slicing the text gives the unit's text, and no unit is empty or padded with whitespace.
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { segment, UNITS } from '../../src/classifier/segment';
import { fuzzParameters, fuzzTimeout, trickyText } from './fuzz-support';

const runs = 1000;

describe('fuzz: segmenter', function () {
  this.timeout(fuzzTimeout(runs, 2));
  for (const unit of UNITS) {
    it(`${unit}: units inside the text, in order, no overlap, slices equal the unit text`, () => {
      fc.assert(
        fc.property(fc.oneof(trickyText(400), fc.string({ unit: 'binary', maxLength: 200 })), (text) => {
          let previousEnd = 0;
          for (const piece of segment(text, unit)) {
            assert.ok(Number.isInteger(piece.start) && Number.isInteger(piece.end));
            assert.ok(piece.start >= previousEnd, `unit at ${piece.start} starts before the previous one ended (${previousEnd})`);
            assert.ok(piece.end > piece.start && piece.end <= text.length, `range ${piece.start}..${piece.end} of ${text.length}`);
            assert.equal(text.slice(piece.start, piece.end), piece.text);
            assert.equal(piece.text.trim(), piece.text, 'trimmed');
            previousEnd = piece.end;
          }
        }),
        fuzzParameters(runs),
      );
    });
  }
});
