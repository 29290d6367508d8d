// Training in its own process (what the extension uses so its host never blocks): progress arrives as
// events, the report comes back, errors keep their name and message, a cancel leaves nothing behind.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TrainingProgress } from '../../src/training/progress';
import { runTraining } from '../../src/training/runner';
import { bundledModel } from '../support/paths';

const script = path.join(__dirname, '..', '..', 'src', 'training', 'process.js');
const base = bundledModel('sentiment-sst2');

/** A small two-label CSV the process reads itself. */
function reviewsFile(dir: string, rows = 60): string {
  const file = path.join(dir, 'reviews.csv');
  const positive = ['a warm, funny and moving film', 'great acting and a clever story', 'I loved every minute of it', 'a delightful surprise'];
  const negative = ['a dull, tired and lifeless film', 'bad acting and a silly plot', 'I was bored from start to end', 'a waste of two hours'];
  const lines = Array.from({ length: rows }, (_, i) => (i % 2 ? `"${negative[i % 4]} (${i})",negative` : `"${positive[i % 4]} (${i})",positive`));
  fs.writeFileSync(file, `text,label\n${lines.join('\n')}\n`);
  return file;
}

describe('training: in its own process', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-training-process-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads the dataset file, streams progress, returns the report and writes the model', async function () {
    const progress: TrainingProgress[] = [];
    const output = path.join(dir, 'reviews-model');
    const report = await runTraining(
      { method: 'linear-head', baseModel: base, output, seed: 1, dataset: { files: { train: reviewsFile(dir) } } },
      { script, onProgress: (p) => progress.push(p) },
    );
    assert.equal(report.outputDir, output);
    assert.deepEqual(report.labels, ['negative', 'positive']);
    assert.equal(report.examples.train + report.examples.validation + report.examples.test, 60);
    assert.ok(report.test.predictions instanceof Int32Array);
    assert.equal(report.test.accuracy, 1, 'the two kinds of review are easy to tell apart');
    assert.deepEqual([...new Set(progress.map((p) => p.phase))], ['prepare', 'features', 'train', 'write', 'done']);
    assert.ok(fs.existsSync(path.join(output, 'onnx', 'model.onnx')));
  });

  it('an error in the process keeps its name and message', async function () {
    const file = path.join(dir, 'one-label.csv');
    fs.writeFileSync(file, `text,label\n${Array.from({ length: 10 }, (_, i) => `"text ${i}",ham`).join('\n')}\n`);
    await assert.rejects(runTraining({ method: 'linear-head', baseModel: base, output: path.join(dir, 'model'), dataset: { files: { train: file } } }, { script }), {
      name: 'TrainingDataError',
      message: `${file}: every example has the label "ham"; a classifier needs at least two labels`,
    });
  });

  it('a cancel ends the process with TrainingCancelledError and no model', async function () {
    const controller = new AbortController();
    const output = path.join(dir, 'model');
    await assert.rejects(
      runTraining(
        { method: 'linear-head', baseModel: base, output, dataset: { files: { train: reviewsFile(dir, 400) } } },
        { script, signal: controller.signal, onProgress: (p) => p.epoch?.epoch === 2 && controller.abort() },
      ),
      { name: 'TrainingCancelledError' },
    );
    assert.deepEqual(fs.readdirSync(dir), ['reviews.csv']);
  });
});
