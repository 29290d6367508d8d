// Lanes (src/engine/lanes.ts) on the bundled model: releasing them while a run is still on a lane keeps
// the lane's thread referenced until it has answered, so a program that then has nothing else to do
// does not end in the middle of the release (textclf predict after Ctrl-C ended with exit code 0 and
// no message when the run settled first).
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { LaneSessions } from '../../src/engine/lanes';
import { bundledModel } from '../support/paths';

const onnxFile = path.join(bundledModel('sentiment-sst2'), 'onnx', 'model.onnx');

/** A batch large enough that the run is still going when the release is asked for. */
function feeds(): Record<string, ort.Tensor> {
  const [batch, tokens] = [64, 128];
  const ids = BigInt64Array.from({ length: batch * tokens }, (_, i) => BigInt(i % tokens === 0 ? 2 : 1000 + ((i * 7919) % 5000)));
  return { input_ids: new ort.Tensor('int64', ids, [batch, tokens]), attention_mask: new ort.Tensor('int64', new BigInt64Array(batch * tokens).fill(1n), [batch, tokens]) };
}

const laneThreadsReferenced = () => process.getActiveResourcesInfo().filter((resource) => resource === 'MessagePort').length;

describe('inference lanes', () => {
  it('a run that settles while its lane is being released leaves the thread referenced until the lane has stopped', async () => {
    for (let round = 0; round < 5; round++) {
      const before = laneThreadsReferenced();
      const lanes = await LaneSessions.open(onnxFile, 1, { executionProviders: ['cpu'], graphOptimizationLevel: 'all' });
      const run = lanes.run(feeds(), ['logits']);
      let released = false;
      const release = lanes.release().then(() => (released = true));
      const outputs = await run;
      assert.deepEqual(outputs.logits.dims, [64, 2], 'the run in flight when the release was asked for still completes');
      assert.ok(released || laneThreadsReferenced() > before, `round ${round}: the lane's thread was unreferenced before it stopped`);
      await release;
    }
  });
});
