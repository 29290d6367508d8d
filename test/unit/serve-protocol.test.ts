// `textclf serve` against the Open Inference Protocol (KServe v2) HTTP/JSON specification, and its
// /v1/classify text endpoint: every endpoint, datatypes and shapes, error bodies, auth. Logits are
// compared with onnxruntime run directly on the same ONNX file in this process.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as ort from 'onnxruntime-node';
import { readBundle } from '../../src/engine/bundle';
import { ClassifierClient } from '../../src/classifier/client';
import { Engine } from '../../src/engine/engine';
import { contributionsTo } from '../../src/classifier/explanation';
import { serveDefaults, startServer, type RunningServer } from '../../src/serve/server';
import { bundledModel } from '../support/paths';
import { request, tensorsFor, tokenizerOf } from './serve-support';

const token = 'test-token-0123456789';
const sentences = ['a gorgeous , witty , seductive movie .', 'the story is lame and the acting is worse', 'ok'];

describe('serve: Open Inference Protocol conformance', function () {
  this.timeout(60_000);
  const modelDir = bundledModel('sentiment-sst2');
  let server: RunningServer;
  let session: ort.InferenceSession;
  let engine: Engine;
  let name: string;
  let labels: string[];
  const encode = tokenizerOf(modelDir);
  const get = (pathname: string, auth = true) => request(server.url, 'GET', pathname, { token: auth ? token : undefined });
  const post = (pathname: string, body: unknown, auth = true) => request(server.url, 'POST', pathname, { body, token: auth ? token : undefined });

  before(async function () {
    if (!fs.existsSync(modelDir)) {
      console.log(`    (skipped: bundled model ${modelDir} not found)`);
      this.skip();
    }
    const bundle = readBundle(modelDir);
    name = bundle.name;
    labels = bundle.labels;
    server = await startServer({ models: [modelDir], port: 0, token, maxBatch: 8, maxInputs: 16, maxBodyBytes: 64 * 1024 });
    session = await ort.InferenceSession.create(bundle.onnxFile);
    // The server's engine settings, so the same texts go through the same onnxruntime runs.
    engine = await Engine.load(modelDir, { cacheSize: 0, batchSize: serveDefaults.engineBatchSize });
  });
  after(async () => {
    await server?.close();
    await session?.release();
    await engine?.dispose();
  });

  async function referenceLogits(texts: string[]) {
    const { shape, ids, mask } = await tensorsFor(encode, texts);
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(ids.flat(), BigInt), shape),
      attention_mask: new ort.Tensor('int64', BigInt64Array.from(mask.flat(), BigInt), shape),
    };
    for (const input of session.inputNames) {
      if (!feeds[input]) feeds[input] = new ort.Tensor('int64', new BigInt64Array(shape[0] * shape[1]), shape);
    }
    const output = (await session.run(feeds)).logits;
    return { shape, ids, mask, logits: Array.from(output.data as Float32Array), dims: [...output.dims] };
  }

  describe('health and metadata', () => {
    it('GET /v2/health/live and /v2/health/ready answer 200, without a token (probes carry none)', async () => {
      const live = await get('/v2/health/live', false);
      assert.equal(live.status, 200);
      assert.deepEqual(live.json, { live: true });
      const ready = await get('/v2/health/ready', false);
      assert.equal(ready.status, 200);
      assert.deepEqual(ready.json, { ready: true });
      assert.match(String(live.headers['content-type']), /^application\/json/);
    });

    it('GET /v2 gives the server metadata: name, version, extensions', async () => {
      const answer = await get('/v2');
      assert.equal(answer.status, 200);
      assert.equal(answer.json.name, 'textclf');
      assert.match(answer.json.version, /^\d+\.\d+\.\d+/);
      assert.deepEqual(answer.json.extensions, ['binary_tensor_data', 'classification']);
    });

    it('GET /v2/models/{name} gives the graph\'s inputs and outputs with datatypes and -1 for dynamic dims', async () => {
      const answer = await get(`/v2/models/${name}`);
      assert.equal(answer.status, 200);
      assert.equal(answer.json.name, name);
      assert.deepEqual(answer.json.versions, ['1']);
      assert.equal(answer.json.platform, 'onnxruntime_onnx');
      const ortType = { int64: 'INT64', float32: 'FP32' } as Record<string, string>;
      const describe = (metadata: readonly ort.InferenceSession.ValueMetadata[]) =>
        metadata.map((m) => {
          assert.ok(m.isTensor);
          return { name: m.name, datatype: ortType[m.type], shape: m.shape.map((dim) => (typeof dim === 'number' ? dim : -1)) };
        });
      assert.deepEqual(answer.json.inputs, describe(session.inputMetadata));
      assert.deepEqual(answer.json.outputs, describe(session.outputMetadata));
      assert.deepEqual(answer.json.inputs[0], { name: 'input_ids', datatype: 'INT64', shape: [-1, -1] });
      assert.deepEqual(answer.json.outputs, [{ name: 'logits', datatype: 'FP32', shape: [-1, labels.length] }]);
      assert.deepEqual((await get(`/v2/models/${name}/versions/1`)).json, answer.json);
    });

    it('GET /v2/models/{name}/ready answers 200; an unknown model or version is 404 with an error body', async () => {
      const ready = await get(`/v2/models/${name}/ready`);
      assert.equal(ready.status, 200);
      assert.equal(ready.json.ready, true);
      for (const pathname of ['/v2/models/nope', '/v2/models/nope/ready', `/v2/models/${name}/versions/2`, '/v2/nothing-here']) {
        const answer = await get(pathname);
        assert.equal(answer.status, 404, pathname);
        assert.equal(typeof answer.json.error, 'string', pathname);
      }
      assert.match((await get('/v2/models/nope')).json.error, new RegExp(`unknown model 'nope'.*'${name}'`));
      const badEncoding = await get('/v2/models/%E0%A4%A/ready');
      assert.equal(badEncoding.status, 400);
      assert.match(badEncoding.json.error, /not valid percent-encoding/);
    });

    it('answers 405 with an Allow header for the wrong method', async () => {
      const answer = await get(`/v2/models/${name}/infer`);
      assert.equal(answer.status, 405);
      assert.equal(answer.headers.allow, 'POST');
      assert.equal(typeof answer.json.error, 'string');
    });
  });

  describe('POST /v2/models/{name}/infer', () => {
    it('returns the logits onnxruntime computes for the same tensors, as FP32 with the output shape, and echoes the id', async () => {
      const reference = await referenceLogits(sentences);
      const answer = await post(`/v2/models/${name}/infer`, {
        id: 'request-42',
        inputs: [
          { name: 'input_ids', shape: reference.shape, datatype: 'INT64', data: reference.ids.flat() },
          { name: 'attention_mask', shape: reference.shape, datatype: 'INT64', data: reference.mask },
        ],
      });
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.json.model_name, name);
      assert.equal(answer.json.model_version, '1');
      assert.equal(answer.json.id, 'request-42');
      assert.equal(answer.json.outputs.length, 1);
      const [logits] = answer.json.outputs;
      assert.equal(logits.name, 'logits');
      assert.equal(logits.datatype, 'FP32');
      assert.deepEqual(logits.shape, reference.dims);
      assert.deepEqual(logits.shape, [sentences.length, labels.length]);
      // Bit-identical once read back as float32.
      assert.deepEqual(Array.from(Float32Array.from(logits.data)), reference.logits);
    });

    it('honours the outputs selection and leaves out id when the request has none', async () => {
      const reference = await referenceLogits(['fine']);
      const answer = await post(`/v2/models/${name}/infer`, {
        inputs: [
          { name: 'input_ids', shape: reference.shape, datatype: 'INT64', data: reference.ids },
          { name: 'attention_mask', shape: reference.shape, datatype: 'INT64', data: reference.mask },
        ],
        outputs: [{ name: 'logits' }],
      });
      assert.equal(answer.status, 200, answer.text);
      assert.equal('id' in answer.json, false);
      assert.deepEqual(answer.json.outputs.map((output: any) => output.name), ['logits']);
    });

    it('answers concurrent requests of different lengths each with its own logits (dynamic batching keeps them apart)', async () => {
      const texts = ['great', 'terrible film', 'a moving , beautifully acted story', 'great', 'dull', 'not bad at all , really'];
      const answers = await Promise.all(
        texts.map(async (text, index) => {
          const reference = await referenceLogits([text]);
          const answer = await post(`/v2/models/${name}/infer`, {
            id: String(index),
            inputs: [
              { name: 'input_ids', shape: reference.shape, datatype: 'INT64', data: reference.ids },
              { name: 'attention_mask', shape: reference.shape, datatype: 'INT64', data: reference.mask },
            ],
          });
          return { reference, answer };
        }),
      );
      answers.forEach(({ reference, answer }, index) => {
        assert.equal(answer.status, 200, answer.text);
        assert.equal(answer.json.id, String(index));
        assert.deepEqual(Array.from(Float32Array.from(answer.json.outputs[0].data)), reference.logits);
      });
    });

    /** A request in the binary tensor data extension's form: JSON, then the inputs' raw bytes. */
    function binaryRequest(header: object, inputs: BigInt64Array[]) {
      const json = Buffer.from(JSON.stringify(header));
      const raw = Buffer.concat([json, ...inputs.map((data) => Buffer.from(data.buffer, data.byteOffset, data.byteLength))]);
      return request(server.url, 'POST', `/v2/models/${name}/infer`, {
        raw,
        token,
        headers: { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': String(json.length) },
      });
    }

    it('takes binary inputs and answers binary outputs (the binary tensor data extension Triton clients use)', async () => {
      const reference = await referenceLogits(sentences);
      const ids = BigInt64Array.from(reference.ids.flat(), BigInt);
      const mask = BigInt64Array.from(reference.mask.flat(), BigInt);
      const answer = await binaryRequest(
        {
          id: 'binary',
          inputs: [
            { name: 'input_ids', shape: reference.shape, datatype: 'INT64', parameters: { binary_data_size: ids.byteLength } },
            { name: 'attention_mask', shape: reference.shape, datatype: 'INT64', parameters: { binary_data_size: mask.byteLength } },
          ],
          outputs: [{ name: 'logits', parameters: { binary_data: true } }],
        },
        [ids, mask],
      );
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.headers['content-type'], 'application/octet-stream');
      const jsonLength = Number(answer.headers['inference-header-content-length']);
      const header = JSON.parse(answer.bytes.subarray(0, jsonLength).toString('utf8'));
      assert.equal(header.id, 'binary');
      const [logits] = header.outputs;
      assert.deepEqual({ ...logits }, { name: 'logits', datatype: 'FP32', shape: reference.dims, parameters: { binary_data_size: reference.logits.length * 4 } });
      const rawLogits = answer.bytes.subarray(jsonLength);
      assert.equal(rawLogits.length, reference.logits.length * 4);
      const values = new Float32Array(rawLogits.buffer.slice(rawLogits.byteOffset, rawLogits.byteOffset + rawLogits.length));
      assert.deepEqual(Array.from(values), reference.logits);
    });

    it('answers binary outputs for JSON inputs when the request asks binary_data_output, unless an output says otherwise', async () => {
      const reference = await referenceLogits(['fine']);
      const inputs = [
        { name: 'input_ids', shape: reference.shape, datatype: 'INT64', data: reference.ids },
        { name: 'attention_mask', shape: reference.shape, datatype: 'INT64', data: reference.mask },
      ];
      const binary = await post(`/v2/models/${name}/infer`, { inputs, parameters: { binary_data_output: true } });
      assert.equal(binary.status, 200);
      assert.equal(Number(binary.headers['inference-header-content-length']) + 8, binary.bytes.length);
      const json = await post(`/v2/models/${name}/infer`, { inputs, parameters: { binary_data_output: true }, outputs: [{ name: 'logits', parameters: { binary_data: false } }] });
      assert.equal(json.headers['content-type'], 'application/json');
      assert.deepEqual(Array.from(Float32Array.from(json.json.outputs[0].data)), reference.logits);
    });

    it('answers the top classes as "value:index:label" strings when an output asks for classification (Triton\'s extension)', async () => {
      const reference = await referenceLogits(sentences);
      const inputs = [
        { name: 'input_ids', shape: reference.shape, datatype: 'INT64', data: reference.ids },
        { name: 'attention_mask', shape: reference.shape, datatype: 'INT64', data: reference.mask },
      ];
      const answer = await post(`/v2/models/${name}/infer`, { inputs, outputs: [{ name: 'logits', parameters: { classification: 1 } }] });
      assert.equal(answer.status, 200, answer.text);
      const [output] = answer.json.outputs;
      assert.deepEqual({ name: output.name, datatype: output.datatype, shape: output.shape }, { name: 'logits', datatype: 'BYTES', shape: [sentences.length, 1] });
      output.data.forEach((entry: string, row: number) => {
        const logits = reference.logits.slice(row * labels.length, (row + 1) * labels.length);
        const best = logits.indexOf(Math.max(...logits));
        assert.equal(entry, `${logits[best].toFixed(6)}:${best}:${labels[best]}`);
      });
      // As binary BYTES: each string as a little-endian uint32 length and its bytes.
      const binary = await post(`/v2/models/${name}/infer`, { inputs, outputs: [{ name: 'logits', parameters: { classification: 1, binary_data: true } }] });
      const jsonLength = Number(binary.headers['inference-header-content-length']);
      const raw = binary.bytes.subarray(jsonLength);
      assert.equal(JSON.parse(binary.bytes.subarray(0, jsonLength).toString()).outputs[0].parameters.binary_data_size, raw.length);
      const strings: string[] = [];
      for (let offset = 0; offset < raw.length; ) {
        const length = raw.readUInt32LE(offset);
        strings.push(raw.subarray(offset + 4, offset + 4 + length).toString('utf8'));
        offset += 4 + length;
      }
      assert.deepEqual(strings, output.data);
      const all = await post(`/v2/models/${name}/infer`, { inputs, outputs: [{ name: 'logits', parameters: { classification: 10 } }] });
      assert.deepEqual(all.json.outputs[0].shape, [sentences.length, labels.length], 'K is capped at the number of classes');
      const bad = await post(`/v2/models/${name}/infer`, { inputs, outputs: [{ name: 'logits', parameters: { classification: 0 } }] });
      assert.equal(bad.status, 400);
      assert.match(bad.json.error, /classification 0; it must be a positive integer/);
    });

    it('answers 400 for binary data that does not fit the inputs', async () => {
      const ids = BigInt64Array.from([2n, 17n, 3n]);
      const mask = BigInt64Array.from([1n, 1n, 1n]);
      const inputs = (idsSize: number) => [
        { name: 'input_ids', shape: [1, 3], datatype: 'INT64', parameters: { binary_data_size: idsSize } },
        { name: 'attention_mask', shape: [1, 3], datatype: 'INT64', parameters: { binary_data_size: 24 } },
      ];
      const wrongSize = await binaryRequest({ inputs: inputs(16) }, [ids, mask]);
      assert.equal(wrongSize.status, 400);
      assert.match(wrongSize.json.error, /binary_data_size 16 but its shape needs 24 bytes/);
      const leftOver = await binaryRequest({ inputs: inputs(24) }, [ids, mask, ids]);
      assert.equal(leftOver.status, 400);
      assert.match(leftOver.json.error, /binary part has 72 bytes but the inputs' binary_data_size add up to 48/);
      const short = await binaryRequest({ inputs: inputs(24) }, [ids]);
      assert.equal(short.status, 400);
      assert.match(short.json.error, /needs 24 bytes of binary data but only 0 are left/);
      const noHeader = await post(`/v2/models/${name}/infer`, { inputs: inputs(24) });
      assert.equal(noHeader.status, 400);
      assert.match(noHeader.json.error, /no Inference-Header-Content-Length header/);
      const badHeader = await request(server.url, 'POST', `/v2/models/${name}/infer`, { raw: '{}', token, headers: { 'Inference-Header-Content-Length': '99' } });
      assert.equal(badHeader.status, 400);
      assert.match(badHeader.json.error, /inference-header-content-length is "99"/);
    });

    const valid = () => ({
      inputs: [
        { name: 'input_ids', shape: [1, 3], datatype: 'INT64', data: [2, 17, 3] },
        { name: 'attention_mask', shape: [1, 3], datatype: 'INT64', data: [1, 1, 1] },
      ],
    });
    const malformed: [string, (body: any) => unknown, RegExp][] = [
      ['an unknown input', (b) => (b.inputs[1].name = 'token_ids', b), /unexpected input 'token_ids'/],
      ['a missing input', (b) => (b.inputs.pop(), b), /missing 'attention_mask'/],
      ['a wrong datatype', (b) => (b.inputs[0].datatype = 'FP32', b), /datatype "FP32".*expects INT64/],
      ['too few values for the shape', (b) => (b.inputs[0].data = [2, 17], b), /has 2 values but shape \[1,3\] needs 3/],
      ['too many values for the shape', (b) => (b.inputs[0].data = [[2, 17, 3, 4]], b), /has 4 values/],
      ['a fractional value', (b) => (b.inputs[0].data = [2, 17.5, 3], b), /element 1 is 17.5, not an INT64/],
      ['a string value', (b) => (b.inputs[0].data = [2, '17', 3], b), /element 1 is "17"/],
      ['a wrong rank', (b) => (b.inputs[0].shape = [3], b), /expects rank 2/],
      ['data nested deeper than the shape', (b) => (b.inputs[0].data = [[[2, 17, 3]]], b), /nested deeper than its shape/],
      ['a huge declared shape', (b) => ((b.inputs[0].shape = [1, 4_000_000_000]), b), /has 3 values but shape \[1,4000000000\] needs 4000000000/],
      ['a negative dim', (b) => (b.inputs[0].shape = [1, -3], b), /non-negative integers/],
      ['inputs that disagree on the sequence length', (b) => ((b.inputs[1].shape = [1, 2]), (b.inputs[1].data = [1, 1]), b), /disagree on dim/],
      ['inputs that disagree on the batch size', (b) => ((b.inputs[1].shape = [3, 1]), b), /disagree on the batch size/],
      ['a batch over the limit', (b) => ((b.inputs = b.inputs.map((t: any) => ({ ...t, shape: [9, 1], data: new Array(9).fill(1) }))), b), /batch size 9 exceeds the limit of 8/],
      ['the same input twice', (b) => (b.inputs.push(b.inputs[0]), b), /given twice/],
      ['no inputs array', () => ({ inputs: 'input_ids' }), /needs an "inputs" array/],
      ['a non-object body', () => [1, 2, 3], /must be a JSON object/],
      ['a numeric id', (b) => ((b.id = 7), b), /"id" must be a string/],
      ['an unknown output', (b) => ((b.outputs = [{ name: 'pooler' }]), b), /unexpected output 'pooler'/],
      ['missing data', (b) => (delete b.inputs[0].data, b), /needs "data"/],
    ];
    for (const [what, mutate, message] of malformed) {
      it(`answers 400 {"error"} for ${what}`, async () => {
        const answer = await post(`/v2/models/${name}/infer`, mutate(valid()));
        assert.equal(answer.status, 400, answer.text);
        assert.deepEqual(Object.keys(answer.json), ['error']);
        assert.match(answer.json.error, message);
      });
    }

    it('answers 400 for token ids the model cannot embed, and still serves the next request', async () => {
      const body = valid();
      body.inputs[0].data = [2, 10_000_000, 3];
      const answer = await post(`/v2/models/${name}/infer`, body);
      assert.equal(answer.status, 400, answer.text);
      assert.match(answer.json.error, /could not run these tensors/);
      assert.equal((await post(`/v2/models/${name}/infer`, valid())).status, 200);
    });

    it('answers 400 for a body that is not JSON, and 413 for one over the size limit', async () => {
      const notJson = await request(server.url, 'POST', `/v2/models/${name}/infer`, { raw: '{"inputs": [', token });
      assert.equal(notJson.status, 400);
      assert.match(notJson.json.error, /not valid JSON/);
      const empty = await request(server.url, 'POST', `/v2/models/${name}/infer`, { raw: '', token });
      assert.equal(empty.status, 400);
      const huge = await request(server.url, 'POST', `/v2/models/${name}/infer`, { raw: 'x'.repeat(65 * 1024), token });
      assert.equal(huge.status, 413);
      assert.match(huge.json.error, /larger than the limit of 65536 bytes/);
    });
  });

  describe('POST /v1/classify', () => {
    it('answers every label with its score per input, sorted, as the engine classifies the same texts', async () => {
      const answer = await post('/v1/classify', { inputs: sentences, model: name });
      assert.equal(answer.status, 200, answer.text);
      const expected = await engine.classify(sentences);
      assert.equal(answer.json.length, sentences.length);
      answer.json.forEach((result: { label: string; score: number }[], index: number) => {
        assert.deepEqual(result, expected[index].labels.map(({ label, score }) => ({ label, score })));
        assert.deepEqual(result.map((entry) => entry.label).sort(), [...labels].sort());
        assert.ok(result[0].score >= result[1].score);
      });
    });

    it('takes a single string (answering a list of one), top_k, and the model by default when only one is served', async () => {
      const single = await post('/v1/classify', { inputs: 'what a waste of time' });
      assert.equal(single.status, 200, single.text);
      assert.equal(single.json.length, 1);
      assert.equal(single.json[0].length, labels.length);
      const all = await post('/v1/classify', { inputs: ['lovely'], model: name });
      const top = await post('/v1/classify', { inputs: ['lovely'], model: name, parameters: { top_k: 1 } });
      assert.deepEqual(top.json, [[all.json[0][0]]]);
      assert.equal((await post('/v1/classify', { inputs: ['lovely'], top_k: 1 })).json[0].length, 1);
    });

    it('classifies a text longer than the model window through windows, as the engine does', async () => {
      const long = Array.from({ length: 400 }, (_, i) => (i % 2 ? 'a wonderful , heartfelt film' : 'with a few slow moments')).join(' ; ');
      const [expected] = await engine.classify([long]);
      assert.ok(expected.windows > 1, 'the text needs several windows');
      const answer = await post('/v1/classify', { inputs: [long], model: name });
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(answer.json[0], expected.labels);
    });

    const bad: [string, unknown, number, RegExp][] = [
      ['an unknown model', { inputs: ['x'], model: 'nope' }, 404, /unknown model 'nope'/],
      ['no inputs', { model: 'x' }, 400, /"inputs" must be a string or a non-empty array/],
      ['an empty inputs array', { inputs: [] }, 400, /non-empty array/],
      ['a non-string input', { inputs: ['ok', 3] }, 400, /array of strings/],
      ['a bad top_k', { inputs: ['ok'], top_k: 0 }, 400, /"top_k" must be a positive integer/],
      ['too many inputs', { inputs: new Array(17).fill('ok') }, 413, /17 inputs exceed the limit of 16/],
    ];
    for (const [what, body, status, message] of bad) {
      it(`answers ${status} {"error"} for ${what}`, async () => {
        const answer = await post('/v1/classify', body);
        assert.equal(answer.status, status, answer.text);
        assert.match(answer.json.error, message);
      });
    }
  });

  describe('POST /v1/explain', () => {
    it("answers per input the labels /v1/classify gives and each word's contribution to the top label, as the engine explains it", async () => {
      const answer = await post('/v1/explain', { inputs: sentences, model: name });
      assert.equal(answer.status, 200, answer.text);
      const classified = await post('/v1/classify', { inputs: sentences, model: name });
      const expected = await engine.explain(sentences);
      assert.equal(answer.json.length, sentences.length);
      answer.json.forEach((result: { labels: unknown; words_per_group: number; words: { word: string; start: number; end: number; contribution: number }[] }, index: number) => {
        assert.deepEqual(result.labels, classified.json[index]);
        assert.equal(result.words_per_group, 1);
        const reference = contributionsTo(expected[index]);
        assert.deepEqual(result.words.map(({ word, start, end }) => ({ word, start, end })), reference.map(({ word, start, end }) => ({ word, start, end })));
        result.words.forEach((word, k) => {
          assert.equal(sentences[index].slice(word.start, word.end), word.word);
          assert.ok(Math.abs(word.contribution - reference[k].contribution) < 1e-5, `${word.word}: ${word.contribution} vs ${reference[k].contribution}`);
        });
      });
      const gorgeous = answer.json[0].words.find((word: { word: string }) => word.word === 'gorgeous');
      assert.ok(gorgeous.contribution > 0, 'gorgeous raises positive');
    });

    it('takes a single string and top_k, groups the words of a long input, and keeps the limits and the token of /v1/classify', async () => {
      const single = await post('/v1/explain', { inputs: 'what a waste of time', top_k: 1 });
      assert.equal(single.status, 200, single.text);
      assert.equal(single.json[0].labels.length, 1);
      const long = Array.from({ length: 200 }, (_, i) => (i % 2 ? 'a wonderful , heartfelt film' : 'with a few slow moments')).join(' ; ');
      const grouped = await post('/v1/explain', { inputs: [long] });
      assert.equal(grouped.status, 200, grouped.text);
      assert.ok(grouped.json[0].words_per_group > 1 && grouped.json[0].words.length <= 128, `${grouped.json[0].words.length} groups`);
      const tooMany = await post('/v1/explain', { inputs: new Array(17).fill('ok') });
      assert.equal(tooMany.status, 413);
      assert.match(tooMany.json.error, /17 inputs exceed the limit of 16/);
      assert.equal((await post('/v1/explain', { inputs: ['ok', 3] })).status, 400);
      assert.equal((await post('/v1/explain', { inputs: ['x'], model: 'nope' })).status, 404);
      assert.equal((await post('/v1/explain', { inputs: ['x'] }, false)).status, 401);
      assert.equal((await get('/v1/explain')).status, 405);
    });
  });

  describe('several models', () => {
    it('serves each model under its name, and /v1/classify then needs "model"', async function () {
      const topicDir = bundledModel('news-topic');
      if (!fs.existsSync(topicDir)) {
        console.log(`    (skipped: bundled model ${topicDir} not found)`);
        this.skip();
      }
      const both = await startServer({ models: [modelDir, topicDir], port: 0 });
      try {
        const topic = readBundle(topicDir);
        const metadata = await request(both.url, 'GET', `/v2/models/${topic.name}`);
        assert.equal(metadata.status, 200);
        assert.deepEqual(metadata.json.outputs, [{ name: 'logits', datatype: 'FP32', shape: [-1, topic.labels.length] }]);
        const listed = await request(both.url, 'GET', '/v1/models');
        assert.deepEqual(listed.json.models.map((model: any) => model.name), [name, topic.name]);
        assert.deepEqual(listed.json.models[1].labels, topic.labels);
        const classified = await request(both.url, 'POST', '/v1/classify', { body: { inputs: ['stocks fell sharply as oil prices rose'], model: topic.name } });
        assert.equal(classified.status, 200);
        assert.deepEqual(classified.json[0].map((entry: any) => entry.label).sort(), [...topic.labels].sort());
        const unnamed = await request(both.url, 'POST', '/v1/classify', { body: { inputs: ['which model?'] } });
        assert.equal(unnamed.status, 400);
        assert.match(unnamed.json.error, new RegExp(`"model" must name one of this server's models: '${name}', '${topic.name}'`));
      } finally {
        await both.close();
      }
    });

    it('serves the model of a client the caller already has (the editor\'s worker) and leaves that client running', async () => {
      const client = new ClassifierClient();
      try {
        await client.loadModel(modelDir);
        const shared = await startServer({ models: [client], port: 0 });
        const answer = await request(shared.url, 'POST', '/v1/classify', { body: { inputs: sentences } });
        assert.equal(answer.status, 200);
        assert.deepEqual(answer.json, (await client.classify(sentences)).map((result) => result.labels));
        await shared.close();
        assert.equal((await client.classify(['still mine'])).length, 1, 'the client outlives the server');
      } finally {
        await client.dispose();
      }
    });

    it('refuses two model directories with the same name', async () => {
      await assert.rejects(startServer({ models: [modelDir, modelDir], port: 0 }), new RegExp(`two models are named '${name}'`));
    });
  });

  describe('auth and exposure', () => {
    it('answers 401 with WWW-Authenticate: Bearer to a request without the token or with a wrong one', async () => {
      for (const headers of [{}, { Authorization: 'Bearer wrong-token-000000000' }, { Authorization: token }] as Record<string, string>[]) {
        const answer = await request(server.url, 'GET', `/v2/models/${name}`, { headers });
        assert.equal(answer.status, 401);
        assert.match(String(answer.headers['www-authenticate']), /^Bearer/);
        assert.match(answer.json.error, /bearer token/);
      }
      const classify = await post('/v1/classify', { inputs: ['x'] }, false);
      assert.equal(classify.status, 401);
    });

    it('refuses to listen beyond loopback without a token, before loading anything', async () => {
      await assert.rejects(startServer({ models: [modelDir], host: '0.0.0.0', port: 0 }), /refusing to listen on 0\.0\.0\.0 without a token/);
      await assert.rejects(startServer({ models: [modelDir], host: '::', port: 0 }), /refusing to listen on :: without a token/);
    });

    it('binds 127.0.0.1 by default', () => {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    });

    it('without a token, answers only requests addressed to a loopback name (no DNS rebinding)', async () => {
      const open = await startServer({ models: [modelDir], port: 0 });
      try {
        for (const host of ['localhost', `127.0.0.1:${open.port}`, `localhost:${open.port}`, `[::1]:${open.port}`]) {
          assert.equal((await request(open.url, 'GET', '/v2', { headers: { Host: host } })).status, 200, host);
        }
        const rebound = await request(open.url, 'GET', '/v2', { headers: { Host: `attacker.example:${open.port}` } });
        assert.equal(rebound.status, 403);
        assert.match(rebound.json.error, /Host 'attacker\.example:\d+' is not this machine/);
      } finally {
        await open.close();
      }
    });

    it('says which port is taken when it cannot listen, and stops the worker it started', async () => {
      const children = () => fs.readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).length;
      const before = children();
      await assert.rejects(startServer({ models: [modelDir], port: server.port }), new RegExp(`port ${server.port} on 127\\.0\\.0\\.1 is in use; pick another with --port`));
      for (let tries = 0; children() > before && tries < 50; tries++) await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(children(), before, 'no worker process left behind');
    });
  });
});
