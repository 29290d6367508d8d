// Fuzz: the serve request parsers and the v2 codec. Random bodies and headers get a 4xx answer or a
// 200, never a 5xx, and the server (and its worker) keeps answering. The codec on its own: any JSON
// and any binary part decode or fail with a 4xx HttpError.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import fc from 'fast-check';
import { HttpError } from '../../src/serve/errors';
import { startServer, type RunningServer } from '../../src/serve/server';
import { decodeInferRequest } from '../../src/serve/v2codec';
import { bundledModel } from '../support/paths';
import { request } from './serve-support';
import { fuzzParameters, fuzzTimeout, trickyText } from './fuzz-support';

const codecRuns = 1000;
const httpRuns = 200;

/** JSON values shaped like infer and classify requests often enough to reach the deeper checks. */
function requestLike(modelName: string): fc.Arbitrary<unknown> {
  const shape = fc.array(fc.oneof(fc.integer({ min: -2, max: 5 }), fc.constant(1e9), fc.double()), { maxLength: 3 });
  const data = fc.oneof(fc.array(fc.oneof(fc.integer({ min: -5, max: 30600 }), fc.bigInt().map(String), fc.double(), fc.string(), fc.constant(null)), { maxLength: 12 }), fc.anything());
  const tensor = fc.record(
    {
      name: fc.constantFrom('input_ids', 'attention_mask', 'token_type_ids', 'x', ''),
      datatype: fc.constantFrom('INT64', 'INT32', 'FP32', 'BYTES', 'BOOL', 'int64', 'nope'),
      shape,
      data,
      parameters: fc.option(fc.record({ binary_data_size: fc.oneof(fc.integer({ min: -1, max: 64 }), fc.string()) }, { requiredKeys: [] })),
    },
    { requiredKeys: ['name'] },
  );
  const infer = fc.record(
    {
      id: fc.oneof(fc.string(), fc.integer()),
      inputs: fc.oneof(fc.array(tensor, { maxLength: 4 }), fc.anything()),
      outputs: fc.option(fc.array(fc.record({ name: fc.constantFrom('logits', 'x'), parameters: fc.option(fc.record({ classification: fc.anything(), binary_data: fc.boolean() }, { requiredKeys: [] })) }, { requiredKeys: [] }), { maxLength: 2 })),
      parameters: fc.option(fc.record({ binary_data_output: fc.anything() }, { requiredKeys: [] })),
    },
    { requiredKeys: [] },
  );
  const classify = fc.record(
    {
      inputs: fc.oneof(fc.array(trickyText(40), { maxLength: 4 }), trickyText(40), fc.anything()),
      model: fc.oneof(fc.constant(modelName), fc.anything()),
      top_k: fc.anything(),
      parameters: fc.anything(),
    },
    { requiredKeys: [] },
  );
  return fc.oneof(infer, classify, fc.jsonValue());
}

describe('fuzz: serve request parsing and the v2 codec', function () {
  this.timeout(fuzzTimeout(httpRuns * 2, 60));
  const modelDir = bundledModel('sentiment-sst2');
  let server: RunningServer;
  before(async function () {
    if (!fs.existsSync(modelDir)) this.skip();
    server = await startServer({ models: [modelDir], port: 0, maxBatch: 8, maxInputs: 8, maxBodyBytes: 64 * 1024, maxTextChars: 2000 });
  });
  after(async () => server?.close());

  it('decodeInferRequest: any JSON and binary part decode, or fail with a 4xx HttpError', () => {
    const { name, signature } = server.models[0];
    fc.assert(
      fc.property(requestLike(name), fc.option(fc.uint8Array({ maxLength: 96 })), (json, binary) => {
        try {
          decodeInferRequest(json, binary ? Buffer.from(binary) : undefined, name, signature, 8);
        } catch (error) {
          assert.ok(error instanceof HttpError, `not an HttpError: ${(error as Error)?.stack ?? String(error)}`);
          assert.ok(error.status >= 400 && error.status < 500, `status ${error.status}: ${error.message}`);
        }
      }),
      fuzzParameters(codecRuns),
    );
  });

  it('HTTP: random bodies, content types and binary headers get 200 or 4xx, never 5xx; the server keeps answering', async () => {
    const name = server.models[0].name;
    const pid = server.models[0].pid;
    const body = fc.oneof(
      requestLike(name).map((value) => Buffer.from(JSON.stringify(value) ?? 'null')),
      fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
      fc.tuple(requestLike(name), fc.uint8Array({ maxLength: 64 })).map(([json, bytes]) => Buffer.concat([Buffer.from(JSON.stringify(json) ?? 'null'), Buffer.from(bytes)])),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/v1/classify', `/v2/models/${name}/infer`, `/v2/models/${encodeURIComponent(name)}/versions/1/infer`, '/v2/models/%E0%A4%A/infer'),
        body,
        fc.constantFrom('application/json', 'application/octet-stream', 'text/plain', 'application/json; charset=latin1'),
        fc.option(fc.oneof(fc.integer({ min: -5, max: 400 }).map(String), fc.string({ maxLength: 5 }))),
        async (pathname, bytes, type, headerLength) => {
          const headers: Record<string, string> = { 'Content-Type': type };
          if (headerLength !== null) headers['Inference-Header-Content-Length'] = headerLength.replace(/[^\x20-\x7e]/g, '');
          const answer = await request(server.url, 'POST', pathname, { raw: bytes, headers });
          assert.ok(answer.status === 200 || (answer.status >= 400 && answer.status < 500), `${answer.status} ${answer.text.slice(0, 300)}`);
          if (answer.status !== 200) assert.equal(typeof answer.json?.error, 'string', answer.text.slice(0, 200));
        },
      ),
      fuzzParameters(httpRuns),
    );
    const health = await request(server.url, 'GET', '/v2/health/ready');
    assert.equal(health.status, 200);
    assert.equal(server.models[0].pid, pid, 'the worker never restarted');
    const ok = await request(server.url, 'POST', '/v1/classify', { body: { inputs: ['a fine film'] } });
    assert.equal(ok.status, 200);
  });
});
