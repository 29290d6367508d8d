// Download Model from Hugging Face fetches only the variant asked for (textClassifier.modelVariant):
// a repository with every Transformers.js variant (scripts/compat's bert-variants, served by the Hub
// look-alike of the integration tests) gives model.onnx for 'auto', one model_<variant>.onnx otherwise.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ModelVariant } from '../../src/classifier/types';
import { checkModel } from '../../src/engine/inspect';
import { downloadModel } from '../../src/hub/hub';
import { startHubServer, type HubServer } from '../integration/hubServer';
import { compatModelsOrSkip } from '../support/compatModels';

describe('compat: Download Model fetches only the chosen variant', function () {
  this.timeout(60_000);
  let hub: HubServer | undefined;
  let modelsRoot: string;
  before(async function () {
    this.timeout(180_000);
    const root = compatModelsOrSkip(this);
    hub = await startHubServer({ 'textclf/variants': [path.join(root, 'bert-variants'), 'none'] });
  });
  beforeEach(() => (modelsRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-variant-'))));
  afterEach(() => fs.rmSync(modelsRoot, { recursive: true, force: true }));
  after(async () => hub?.close());

  for (const [variant, file] of [['auto', 'model.onnx'], ['q4', 'model_q4.onnx'], ['quantized', 'model_quantized.onnx'], ['fp16', 'model_fp16.onnx']] as const) {
    it(`variant ${variant}: downloads onnx/${file} and no other graph`, async () => {
      const dir = await downloadModel({ endpoint: hub!.endpoint, repoId: 'textclf/variants', modelsRoot, variant: variant as ModelVariant,
        verify: async (modelDir) => assert.ok((await checkModel(modelDir, { variant: variant as ModelVariant })).supported) });
      assert.deepEqual(fs.readdirSync(path.join(dir, 'onnx')), [file]);
    });
  }

  it('a variant the repository lacks is refused before any download', async () => {
    await assert.rejects(downloadModel({ endpoint: hub!.endpoint, repoId: 'textclf/variants', modelsRoot, variant: 'q4f16', verify: async () => assert.fail('nothing to verify') }), /no ONNX model \(looked for onnx\/model_q4f16\.onnx, model_q4f16\.onnx\)/);
    assert.deepEqual(fs.readdirSync(modelsRoot), []);
  });
});
