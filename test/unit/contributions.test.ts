// How contributions are printed and turned into colour intensities (src/views/contributions.ts; the
// report page repeats intensityStep, so its copy is checked against this one here too).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { contributionText, formatContribution, intensityStep, isShown, strongestContribution } from '../../src/views/contributions';

const repoRoot = path.resolve(__dirname, '..', '..', '..');

/** intensityStep as media/report/report.js defines it, run on its own. */
function reportIntensityStep(): (contribution: number, strongest: number) => number {
  const page = fs.readFileSync(path.join(repoRoot, 'media', 'report', 'report.js'), 'utf8');
  const source = /function intensityStep\([\s\S]*?\n {2}\}/.exec(page)?.[0];
  assert.ok(source, 'report.js defines intensityStep');
  return vm.runInNewContext(`(${source})`) as (contribution: number, strongest: number) => number;
}

describe('contributions', () => {
  it('prints a signed contribution with two decimals', () => {
    assert.equal(formatContribution(0.3141), '+0.31');
    assert.equal(formatContribution(-0.0749), '-0.07');
    assert.equal(contributionText({ word: 'wonderful', contribution: 0.31 }), '+0.31 wonderful');
  });

  it('leaves out contributions that print as zero', () => {
    assert.equal(isShown(0.0049), false);
    assert.equal(isShown(-0.0049), false);
    assert.equal(isShown(0.005), true);
    assert.equal(isShown(-0.3), true);
  });

  it('scales intensities by the strongest contribution of the text, for and against alike', () => {
    const words = [0.49, -0.31, 0.24, 0.11, -0.01, 0.004].map((contribution) => ({ contribution }));
    const strongest = strongestContribution(words);
    assert.equal(strongest, 0.49);
    assert.deepEqual(words.map(({ contribution }) => intensityStep(contribution, strongest)), [4, 3, 2, 1, 1, 0]);
    assert.equal(intensityStep(0.3, 0), 0);
  });

  it('the report page computes the same intensities', () => {
    const report = reportIntensityStep();
    for (const contribution of [0.49, -0.31, 0.24, 0.11, -0.01, 0.004, -0.0049, 0.12249]) {
      assert.equal(report(contribution, 0.49), intensityStep(contribution, 0.49), String(contribution));
    }
  });
});
