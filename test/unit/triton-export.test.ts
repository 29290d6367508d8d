// export-triton writes a Triton model repository whose config.pbtxt is real protobuf text format
// (parsed by the protobuf library against Triton's ModelConfig field names) and names the ONNX
// graph's real inputs, outputs, datatypes and shapes (read back from the copied file by the onnx
// Python package, independently of onnxruntime).
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readBundle } from '../../src/engine/bundle';
import { exportTriton } from '../../src/triton/export';
import { bundledModel, repoRoot } from '../support/paths';

const python = '/usr/bin/python3';

// Parses config.pbtxt strictly (unknown fields or enum values fail) into a message built from the
// field names and numbers of Triton's model_config.proto, and reads the graph's inputs and outputs.
const parseScript = String.raw`
import json, sys
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory, text_format
import onnx

F = descriptor_pb2.FieldDescriptorProto
proto = descriptor_pb2.FileDescriptorProto(name='triton_model_config_subset.proto', package='inference', syntax='proto3')
data_type = proto.enum_type.add(name='DataType')
for number, name in enumerate(['TYPE_INVALID', 'TYPE_BOOL', 'TYPE_UINT8', 'TYPE_UINT16', 'TYPE_UINT32', 'TYPE_UINT64',
                               'TYPE_INT8', 'TYPE_INT16', 'TYPE_INT32', 'TYPE_INT64', 'TYPE_FP16', 'TYPE_FP32',
                               'TYPE_FP64', 'TYPE_STRING', 'TYPE_BF16']):
    data_type.value.add(name=name, number=number)

def message(name, fields):
    m = proto.message_type.add(name=name)
    for field_name, number, kind, repeated, type_name in fields:
        f = m.field.add(name=field_name, number=number, type=kind,
                        label=F.LABEL_REPEATED if repeated else F.LABEL_OPTIONAL)
        if type_name:
            f.type_name = '.inference.' + type_name

message('ModelInput', [('name', 1, F.TYPE_STRING, False, None), ('data_type', 2, F.TYPE_ENUM, False, 'DataType'),
                       ('dims', 4, F.TYPE_INT64, True, None)])
message('ModelOutput', [('name', 1, F.TYPE_STRING, False, None), ('data_type', 2, F.TYPE_ENUM, False, 'DataType'),
                        ('dims', 3, F.TYPE_INT64, True, None), ('label_filename', 4, F.TYPE_STRING, False, None)])
message('ModelDynamicBatching', [('preferred_batch_size', 1, F.TYPE_INT32, True, None),
                                 ('max_queue_delay_microseconds', 2, F.TYPE_UINT64, False, None)])
message('ModelConfig', [('name', 1, F.TYPE_STRING, False, None), ('platform', 2, F.TYPE_STRING, False, None),
                        ('backend', 17, F.TYPE_STRING, False, None), ('max_batch_size', 4, F.TYPE_INT32, False, None),
                        ('input', 5, F.TYPE_MESSAGE, True, 'ModelInput'), ('output', 6, F.TYPE_MESSAGE, True, 'ModelOutput'),
                        ('dynamic_batching', 11, F.TYPE_MESSAGE, False, 'ModelDynamicBatching')])
pool = descriptor_pool.DescriptorPool()
pool.Add(proto)
descriptor = pool.FindMessageTypeByName('inference.ModelConfig')
ModelConfig = (message_factory.GetMessageClass(descriptor) if hasattr(message_factory, 'GetMessageClass')
               else message_factory.MessageFactory(pool).GetPrototype(descriptor))

config = text_format.Parse(open(sys.argv[1]).read(), ModelConfig())
tensor = lambda t: {'name': t.name, 'data_type': data_type.value[t.data_type].name, 'dims': list(t.dims)}
graph = onnx.load(sys.argv[2], load_external_data=False).graph
initializers = {i.name for i in graph.initializer}
elem = lambda t: onnx.TensorProto.DataType.Name(t.type.tensor_type.elem_type)
shape = lambda t: [d.dim_value if d.HasField('dim_value') else (d.dim_param or None) for d in t.type.tensor_type.shape.dim]
print(json.dumps({
  'config': {
    'name': config.name, 'platform': config.platform, 'backend': config.backend, 'max_batch_size': config.max_batch_size,
    'input': [tensor(t) for t in config.input],
    'output': [dict(tensor(t), label_filename=t.label_filename) for t in config.output],
    'dynamic_batching': config.HasField('dynamic_batching'),
    'max_queue_delay_microseconds': config.dynamic_batching.max_queue_delay_microseconds,
  },
  'graph': {
    'inputs': [{'name': t.name, 'type': elem(t), 'shape': shape(t)} for t in graph.input if t.name not in initializers],
    'outputs': [{'name': t.name, 'type': elem(t), 'shape': shape(t)} for t in graph.output],
  },
}))
`;

function pythonWithProtobufAndOnnx(): boolean {
  try {
    execFileSync(python, ['-c', 'import google.protobuf.text_format, onnx'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('export-triton', function () {
  this.timeout(60_000);
  const model = bundledModel('sentiment-sst2');
  let repository: string;

  before(function () {
    if (!fs.existsSync(model)) {
      console.log(`    (skipped: bundled model ${model} not found)`);
      this.skip();
    }
    repository = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-triton-'));
  });
  after(() => repository && fs.rmSync(repository, { recursive: true, force: true }));

  it('writes REPO/<name>/1/model.onnx (the engine\'s file), labels.txt and a config.pbtxt that parses and names the graph\'s tensors', function () {
    if (!pythonWithProtobufAndOnnx()) {
      console.log(`    (skipped: ${python} lacks google.protobuf or onnx; apt-get install python3-protobuf python3-onnx)`);
      this.skip();
    }
    return (async () => {
      const exported = await exportTriton({ modelDir: model, repository, maxBatchSize: 32, batchDelayMs: 1.5 });
      const bundle = readBundle(model);
      assert.equal(exported.modelDir, path.join(repository, bundle.name));
      assert.deepEqual(fs.readFileSync(exported.onnxFile), fs.readFileSync(bundle.onnxFile), 'the exported graph is the one the engine loads');
      assert.equal(fs.readFileSync(path.join(exported.modelDir, 'labels.txt'), 'utf8'), bundle.labels.join('\n') + '\n');

      const parsed = JSON.parse(execFileSync(python, ['-c', parseScript, exported.configFile, exported.onnxFile], { encoding: 'utf8' }));
      const { config, graph } = parsed;
      assert.equal(config.name, bundle.name);
      assert.equal(config.platform, 'onnxruntime_onnx');
      assert.equal(config.backend, 'onnxruntime');
      assert.equal(config.max_batch_size, 32);
      assert.equal(config.dynamic_batching, true);
      assert.equal(config.max_queue_delay_microseconds, 1500);

      const tritonType = (onnxType: string) => ({ INT64: 'TYPE_INT64', FLOAT: 'TYPE_FP32' })[onnxType];
      // Triton dims leave out the batch dim; a named (symbolic) dim is -1.
      const tritonDims = (shape: (number | string | null)[]) => shape.slice(1).map((dim) => (typeof dim === 'number' && dim > 0 ? dim : -1));
      assert.ok(graph.inputs.length >= 2, 'a BERT-family graph takes at least input_ids and attention_mask');
      assert.deepEqual(
        config.input,
        graph.inputs.map((t: any) => ({ name: t.name, data_type: tritonType(t.type), dims: tritonDims(t.shape) })),
      );
      assert.deepEqual(
        config.output.map(({ label_filename, ...tensor }: any) => tensor),
        graph.outputs.map((t: any) => ({ name: t.name, data_type: tritonType(t.type), dims: tritonDims(t.shape) })),
      );
      assert.deepEqual(config.input.map((t: any) => t.name).slice(0, 2), ['input_ids', 'attention_mask']);
      assert.equal(config.output.find((t: any) => t.name === 'logits')?.label_filename, 'labels.txt');
      for (const input of config.input) assert.deepEqual(input.dims, [-1], `${input.name} is [batch, sequence]: dims [-1]`);
    })();
  });

  it('refuses to overwrite an existing model directory unless asked, and rejects a name Triton cannot use', async () => {
    await assert.rejects(exportTriton({ modelDir: model, repository }), /already exists; pass --overwrite/);
    await exportTriton({ modelDir: model, repository, overwrite: true });
    await assert.rejects(exportTriton({ modelDir: model, repository, name: '../escape' }), /cannot be a Triton model directory/);
  });

  it('runs as `textclf export-triton` (exit 0, paths printed; exit 2 without --out)', function () {
    const cli = path.join(repoRoot, 'bin', 'textclf.js');
    if (!fs.existsSync(path.join(repoRoot, 'dist', 'cli.js'))) {
      console.log('    (skipped: dist/cli.js not built; run "npm run build")');
      this.skip();
    }
    const out = execFileSync(process.execPath, [cli, 'export-triton', '--model', model, '--out', repository, '--name', 'cli-export', '--max-batch', '16'], { encoding: 'utf8' });
    assert.match(out, /wrote .*cli-export/);
    assert.match(out, /inputs: input_ids TYPE_INT64 \[-1\]; attention_mask TYPE_INT64 \[-1\]/);
    assert.match(fs.readFileSync(path.join(repository, 'cli-export', 'config.pbtxt'), 'utf8'), /^name: "cli-export"\n[\s\S]*max_batch_size: 16\n/);
    const missingOut = spawnSync(process.execPath, [cli, 'export-triton', '--model', model], { encoding: 'utf8' });
    assert.equal(missingOut.status, 2);
    assert.match(missingOut.stderr, /--out REPO is required/);
  });

  it('names the missing file when the model directory is wrong', async () => {
    await assert.rejects(exportTriton({ modelDir: path.join(repository, 'no-such-model'), repository }), /no-such-model.*not found/);
  });
});
