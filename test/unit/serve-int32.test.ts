// `textclf serve` with a graph that declares int32 inputs (the compat bert-int32 model): clients send
// INT64 tensors as for any model, the served model feeds them to the graph as int32, and a value that
// does not fit in int32 is refused (it would wrap around to another token id). Logits are compared with
// onnxruntime run directly on the same file with int32 tensors.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { readBundle } from '../../src/engine/bundle';
import { startServer, type RunningServer } from '../../src/serve/server';
import { compatModelsOrSkip } from '../support/compatModels';
import { request, tensorsFor, tokenizerOf } from './serve-support';

const texts = ['a gorgeous, witty, seductive movie.', 'the story is lame', 'ok'];

describe('serve: an int32 graph', function () {
  this.timeout(60_000);
  let modelDir: string;
  let server: RunningServer;
  let session: ort.InferenceSession;
  let name: string;

  before(async function () {
    this.timeout(180_000);
    modelDir = path.join(compatModelsOrSkip(this), 'bert-int32');
    const bundle = readBundle(modelDir);
    name = bundle.name;
    session = await ort.InferenceSession.create(bundle.onnxFile);
    server = await startServer({ models: [modelDir], port: 0 });
  });
  after(async () => {
    await server?.close();
    await session?.release();
  });

  it('the graph itself declares int32 inputs; the server describes them as INT64', async () => {
    const declared = session.inputMetadata.map((input) => (input.isTensor ? input.type : 'non-tensor'));
    assert.ok(declared.length > 0 && declared.every((type) => type === 'int32'), `graph inputs: ${declared.join(', ')}`);
    const metadata = await request(server.url, 'GET', `/v2/models/${name}`);
    assert.equal(metadata.status, 200, metadata.text);
    assert.deepEqual(metadata.json.inputs.map((input: { name: string }) => input.name), session.inputNames);
    assert.ok(metadata.json.inputs.every((input: { datatype: string }) => input.datatype === 'INT64'), metadata.text);
  });

  it('infers from INT64 tensors the logits onnxruntime gives for the same ids as int32', async () => {
    const { shape, ids, mask } = await tensorsFor(tokenizerOf(modelDir), texts);
    const values: Record<string, number[]> = { input_ids: ids.flat(), attention_mask: mask.flat(), token_type_ids: new Array(shape[0] * shape[1]).fill(0) };
    const feeds = Object.fromEntries(session.inputNames.map((input) => [input, new ort.Tensor('int32', Int32Array.from(values[input]), shape)]));
    const reference = (await session.run(feeds)).logits;
    const answer = await request(server.url, 'POST', `/v2/models/${name}/infer`, {
      body: { inputs: session.inputNames.map((input) => ({ name: input, shape, datatype: 'INT64', data: values[input] })) },
    });
    assert.equal(answer.status, 200, answer.text);
    const [logits] = answer.json.outputs;
    assert.deepEqual(logits.shape, [...reference.dims]);
    assert.deepEqual(Array.from(Float32Array.from(logits.data)), Array.from(reference.data as Float32Array));
  });

  it('answers 400 for a value outside int32 (it would wrap to another id), and serves the next request', async () => {
    const shape = [1, 3];
    const body = (id: number) => ({
      inputs: session.inputNames.map((input) => ({ name: input, shape, datatype: 'INT64', data: input === 'input_ids' ? [2, id, 3] : input === 'attention_mask' ? [1, 1, 1] : [0, 0, 0] })),
    });
    const wrapped = await request(server.url, 'POST', `/v2/models/${name}/infer`, { body: body(2 ** 32 + 5) });
    assert.equal(wrapped.status, 400, wrapped.text);
    assert.match(wrapped.json.error, /input 'input_ids' element 1 is 4294967301, outside the INT32 range/);
    const fine = await request(server.url, 'POST', `/v2/models/${name}/infer`, { body: body(5) });
    assert.equal(fine.status, 200, fine.text);
  });

  it('classifies texts through /v1/classify', async () => {
    const answer = await request(server.url, 'POST', '/v1/classify', { body: { inputs: texts } });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.json.length, texts.length);
  });
});
