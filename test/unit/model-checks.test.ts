// Select Model…'s remembered checks (src/editor/modelChecks.ts) around the real check of a model directory
// (src/engine/inspect.ts, what the worker runs): a directory checked before and unchanged is not checked
// again; a changed file, a new file in onnx/ or another variant is.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ModelVariant } from '../../src/classifier/types';
import { ModelChecks } from '../../src/editor/modelChecks';
import { checkModel } from '../../src/engine/inspect';
import { bundledModel } from '../support/paths';

describe('remembered model checks (Select Model…)', () => {
  let dir: string;
  let runs: string[];
  let checks: ModelChecks;
  beforeEach(() => {
    dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-model-checks-')), 'model');
    fs.cpSync(bundledModel('sentiment-sst2'), dir, { recursive: true });
    runs = [];
    checks = new ModelChecks((modelDir: string, variant: ModelVariant | undefined) => {
      runs.push(variant ?? 'auto');
      return checkModel(modelDir, { variant });
    });
  });
  afterEach(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));

  it('an unchanged directory is checked once; the remembered check is the real one', async () => {
    assert.equal(checks.cached(dir, undefined), undefined, 'nothing known before the first check');
    const first = await checks.check(dir, undefined);
    assert.equal(first.supported, true);
    assert.deepEqual(first.labels, ['negative', 'positive']);
    assert.deepEqual(await checks.check(dir, undefined), first);
    assert.deepEqual(checks.cached(dir, undefined), first);
    assert.deepEqual(runs, ['auto']);
  });

  it('a changed file, a new variant file or another variant is checked again', async () => {
    await checks.check(dir, undefined);
    const config = path.join(dir, 'config.json');
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(config, later, later);
    assert.equal(checks.cached(dir, undefined), undefined, 'config.json changed');
    await checks.check(dir, undefined);
    fs.copyFileSync(path.join(dir, 'onnx', 'model.onnx'), path.join(dir, 'onnx', 'model_quantized.onnx'));
    assert.equal(checks.cached(dir, undefined), undefined, 'a file added under onnx/');
    const withQuantized = await checks.check(dir, undefined);
    assert.equal(withQuantized.variant?.name, 'fp32');
    assert.deepEqual(withQuantized.variant?.available, ['fp32', 'quantized'], 'the new file is seen');
    const quantized = await checks.check(dir, 'quantized');
    assert.equal(quantized.variant?.name, 'quantized');
    assert.deepEqual(runs, ['auto', 'auto', 'auto', 'quantized']);
  });
});
