// Method 2: whole-model fine-tuning with PyTorch through the training pipeline. Availability is checked
// with clear reasons; a short real run (a slice of SMS Spam, four epochs from the bundled sentiment model)
// goes end to end into a model directory the engine loads. Skipped, with the reason, where Python with
// torch is not installed.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../../src/engine/engine';
import { readTrainingManifest } from '../../src/datasets/trainingManifest';
import { readTrainingDataset } from '../../src/training/datasetFiles';
import { TRAINING_METADATA_KEY } from '../../src/training/modelDirectory';
import type { TrainingProgress } from '../../src/training/progress';
import { checkPytorch } from '../../src/training/pytorchCheck';
import { trainClassifier } from '../../src/training/train';
import { bundledModel, datasetOrSkip } from '../support/paths';

describe('training: PyTorch fine-tuning', function () {
  this.timeout(300_000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-pytorch-test-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('says why it cannot run: no such interpreter, or one without the modules', async function () {
    const missing = await checkPytorch({ python: path.join(dir, 'no-python3') });
    assert.equal(missing.available, false);
    assert.match((missing as { reason: string }).reason, /no-python3 cannot be run \(spawn .*ENOENT\); install Python 3 with PyTorch \(Debian\/Ubuntu: apt-get install python3-torch python3-onnx\)/);

    // A real Python that sees no installed packages (-S: no site directories).
    const bare = path.join(dir, 'bare-python3');
    fs.writeFileSync(bare, '#!/bin/sh\nexec /usr/bin/python3 -S "$@"\n', { mode: 0o755 });
    if (!fs.existsSync('/usr/bin/python3')) this.skip();
    const withoutModules = await checkPytorch({ python: bare });
    assert.equal(withoutModules.available, false);
    assert.match((withoutModules as { reason: string }).reason, /bare-python3 has no "(numpy|onnx|torch)" module; install it/);
  });

  it('fine-tunes the bundled sentiment model on a slice of SMS Spam into a model the engine loads', async function () {
    const availability = await checkPytorch();
    if (!availability.available) {
      console.log(`    (skipped: ${availability.reason})`);
      this.skip();
    }
    const file = datasetOrSkip(this, 'sms_spam/SMSSpamCollection');
    const dataset = await readTrainingDataset({ train: file });
    if (!('examples' in dataset)) throw new Error('expected one file');
    const output = path.join(dir, 'sms-pytorch');
    const progress: TrainingProgress[] = [];
    const report = await trainClassifier({
      method: 'pytorch',
      baseModel: bundledModel('sentiment-sst2'),
      output,
      dataset: { name: 'SMSSpamCollection (first 1,000 rows)', examples: dataset.examples.slice(0, 1000), file: dataset.file },
      seed: 3,
      pytorch: { overrides: { epochs: 4 } },
      engine: { executionProviders: ['cpu'] },
      onProgress: (p) => progress.push(p),
    });
    console.log(`      PyTorch, 1,000 SMS rows, 4 epochs: test accuracy ${(report.test.accuracy * 100).toFixed(1)} % in ${(report.trainingMs / 1000).toFixed(0)} s`);

    assert.ok(progress.some((p) => /^PyTorch .*: fine-tuning sentiment-sst2 on 800 examples, 4 epochs/.test(p.message)), progress.map((p) => p.message).join('\n'));
    const epochs = progress.filter((p) => /^epoch /.test(p.message));
    assert.equal(epochs.length, 4);
    assert.equal(epochs.at(-1)!.done, epochs.at(-1)!.total);
    assert.ok(report.test.accuracy > 0.9, `test accuracy ${report.test.accuracy} (majority baseline about 0.87)`);

    const config = JSON.parse(fs.readFileSync(path.join(output, 'config.json'), 'utf8'));
    assert.deepEqual(config.id2label, { 0: 'ham', 1: 'spam' });
    assert.equal(config[TRAINING_METADATA_KEY].method, 'pytorch');
    assert.equal(config[TRAINING_METADATA_KEY].settings.init, 'base');
    assert.match(fs.readFileSync(path.join(output, 'MODEL_CARD.md'), 'utf8'), /the whole base model fine-tuned with PyTorch/);
    // The PyTorch route writes the same training manifest: the first 1,000 rows of the file, by index.
    const manifest = readTrainingManifest(output)!;
    assert.equal(manifest.dataset.file, 'SMSSpamCollection');
    assert.deepEqual([...(manifest.train as number[]), ...manifest.validation, ...manifest.test!].sort((a, b) => a - b), dataset.examples.slice(0, 1000).map((example) => example.row));

    const engine = await Engine.load(output, { executionProviders: ['cpu'] });
    try {
      const results = await engine.classify(report.testExamples.map((example) => example.text));
      const correct = results.filter((result, i) => result.labels[0].label === report.testExamples[i].label).length;
      assert.equal(correct / results.length, report.test.accuracy);
    } finally {
      await engine.dispose();
    }
  });
});
