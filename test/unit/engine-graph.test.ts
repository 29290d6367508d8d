// The graph the training pipeline exports must be one onnxruntime fuses: scripts/train/reexport.py
// writes the bundled sentiment model's weights through the pipeline's current export
// (finetune/model.py, finetune/export.py), and onnxruntime's optimizer (level 'all', CPU) must turn every
// encoder layer's attention into one com.microsoft Attention node, give the same scores, and leave the
// graph the trainer's head surgery reads (pooled output, token states, word-embedding Gather) in place.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema } from 'onnx-buf';
import * as ort from 'onnxruntime-node';
import { Engine } from '../../src/engine/engine';
import { bestPooling, DEFAULT_POOLING, inspectClassifier } from '../../src/training/onnxHead';
import { checkPytorch } from '../../src/training/pytorchCheck';
import { bundledModel, repoRoot } from '../support/paths';

const SENTENCES = [
  'a warm , funny and quietly devastating film .',
  'the plot goes nowhere and the jokes fall flat',
  'not bad at all',
  'I expected more from a director this talented , but the last act almost makes up for it .',
  'dull',
];

/** Operator counts (domain:op) of the graph onnxruntime runs after its level-'all' optimizations. */
async function optimizedOperators(onnxFile: string, dir: string): Promise<Map<string, number>> {
  const optimizedFile = path.join(dir, 'optimized.onnx');
  const session = await ort.InferenceSession.create(onnxFile, { executionProviders: ['cpu'], graphOptimizationLevel: 'all', optimizedModelFilePath: optimizedFile, intraOpNumThreads: 1, logSeverityLevel: 3 });
  await session.release();
  const counts = new Map<string, number>();
  for (const node of fromBinary(ModelProtoSchema, fs.readFileSync(optimizedFile)).graph!.node) {
    const key = `${node.domain || 'ai.onnx'}:${node.opType}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

describe('exported graph', function () {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-graph-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("fuses into one Attention per layer in onnxruntime, with the same scores and the head surgery's tensors", async function () {
    const availability = await checkPytorch();
    if (!availability.available) {
      console.log(`    (skipped: ${availability.reason})`);
      this.skip();
    }
    const source = bundledModel('sentiment-sst2');
    const exported = path.join(dir, 'sentiment-sst2');
    const run = spawnSync(availability.python, [path.join(repoRoot, 'scripts', 'train', 'reexport.py'), source, exported], { encoding: 'utf8' });
    assert.equal(run.status, 0, `reexport.py failed: ${run.stderr}`);
    const onnxFile = path.join(exported, 'onnx', 'model.onnx');

    const layers = JSON.parse(fs.readFileSync(path.join(source, 'config.json'), 'utf8')).num_hidden_layers;
    const operators = await optimizedOperators(onnxFile, dir);
    assert.equal(operators.get('com.microsoft:Attention'), layers, `optimized graph: ${JSON.stringify([...operators])}`);
    assert.equal(operators.get('ai.onnx:Softmax'), undefined, 'no attention Softmax left outside the fused nodes');
    assert.equal(operators.get('ai.onnx:Transpose'), undefined, 'no head-splitting Transpose left');

    const [before, after] = await Promise.all([source, exported].map((modelDir) => Engine.load(modelDir, { executionProviders: ['cpu'], preferQuantized: false, cacheSize: 0 })));
    try {
      const [a, b] = await Promise.all([before.classify(SENTENCES), after.classify(SENTENCES)]);
      SENTENCES.forEach((sentence, i) => {
        for (const { label, score } of a[i].labels) {
          assert.ok(Math.abs(b[i].labels.find((l) => l.label === label)!.score - score) <= 1e-5, `"${sentence}" ${label}`);
        }
      });
    } finally {
      await Promise.all([before.dispose(), after.dispose()]);
    }

    const layer = inspectClassifier(onnxFile);
    assert.equal(layer.classifierInput, 'pooler_output');
    assert.equal(bestPooling(layer), DEFAULT_POOLING, 'token states and the word-embedding Gather are found');
  });
});
