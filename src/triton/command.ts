// textclf export-triton: a model directory as an entry of a Triton / KServe model repository.
import { Command, exitCodes, parseCommandLine, positiveInteger, UsageError } from '../cli/command';
import { defaultModelDir } from '../classifier/packagePaths';
import { exportTriton } from './export';

export const exportTritonCommand: Command = {
  name: 'export-triton',
  summary: 'write a Triton Inference Server / KServe model repository entry for a model',
  help: `Usage: textclf export-triton --out REPO [options]

Writes REPO/NAME/config.pbtxt (onnxruntime backend, the graph's input and output names, datatypes
and dynamic dims, dynamic batching), REPO/NAME/labels.txt and REPO/NAME/1/model.onnx: the ONNX file
the local engine loads, so a server running it scores exactly as the editor does.

Options:
  -m, --model DIR          model directory (default: the bundled sentiment-sst2)
  -o, --out REPO           model repository to write into (created if missing)
      --name NAME          model name on the server (default: the model's name)
      --max-batch N        max_batch_size (default: 64)
      --batch-delay-ms MS  dynamic batching queue delay (default: 2)
      --overwrite          replace an existing REPO/NAME
  -h, --help               show this help

Serve the repository with Triton (onnxruntime backend), e.g.
  docker run --rm -p 8000:8000 -v REPO:/models nvcr.io/nvidia/tritonserver:<version>-py3 \\
    tritonserver --model-repository=/models
then point the editor at it: "textClassifier.remote.url": "http://HOST:8000",
"textClassifier.remote.model": "NAME" (and "textClassifier.remote.token" if the server wants one).

Exit codes: 0 ok, 1 runtime error, 2 usage error.`,

  async run(args) {
    const { values, positionals } = parseCommandLine(args, {
      model: { type: 'string', short: 'm' },
      out: { type: 'string', short: 'o' },
      name: { type: 'string' },
      'max-batch': { type: 'string' },
      'batch-delay-ms': { type: 'string' },
      overwrite: { type: 'boolean' },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    if (!values.out) throw new UsageError('--out REPO is required');
    const batchDelayMs = values['batch-delay-ms'] === undefined ? undefined : Number(values['batch-delay-ms']);
    if (batchDelayMs !== undefined && !(batchDelayMs >= 0)) throw new UsageError(`--batch-delay-ms must be a number >= 0, got "${values['batch-delay-ms']}"`);
    const exported = await exportTriton({
      modelDir: values.model ?? defaultModelDir(),
      repository: values.out,
      name: values.name,
      maxBatchSize: positiveInteger('--max-batch', values['max-batch']),
      batchDelayMs,
      overwrite: values.overwrite,
    });
    const describe = (tensor: { name: string; dataType: string; dims: number[] }) => `${tensor.name} ${tensor.dataType} [${tensor.dims.join(', ')}]`;
    process.stdout.write(
      `wrote ${exported.modelDir}\n` +
        `  config.pbtxt  inputs: ${exported.config.inputs.map(describe).join('; ')}\n` +
        `                outputs: ${exported.config.outputs.map(describe).join('; ')}\n` +
        `  1/model.onnx  from ${exported.sourceOnnxFile}\n`,
    );
    return exitCodes.ok;
  },
};
