// textclf serve: the engine as a local inference service (see server.ts).
import { Command, exitCodes, parseCommandLine, positiveInteger, UsageError } from '../cli/command';
import { defaultModelDir } from '../classifier/packagePaths';
import { serveDefaults, startServer } from './server';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve models over HTTP: Open Inference Protocol (KServe v2), /v1/classify and /v1/explain',
  help: `Usage: textclf serve [options]

Serves model directories on the Open Inference Protocol (KServe v2, HTTP/JSON), as Triton would:
  GET  /v2/health/live, /v2/health/ready, /v2, /v2/models/NAME, /v2/models/NAME/ready
  POST /v2/models/NAME/infer        int64 tensors in (input_ids, attention_mask, ...; an int32 graph
                                    gets them as int32), logits out
and a text endpoint:
  POST /v1/classify  {"inputs": ["text", ...], "model": NAME, "top_k": K}
                     -> per input, every label with its score, best first
  POST /v1/explain   the same body
                     -> per input {labels, words_per_group, words: [{word, start, end, contribution}]}:
                        each word's contribution to the top label (start, end: offsets into the input)
Requests arriving together are merged into one engine call (dynamic batching).

Options:
  -m, --model DIR           a model directory to serve; repeat for several (default: the bundled sentiment-sst2)
      --host HOST           address to bind (default: ${serveDefaults.host}); anything but loopback needs --token
  -p, --port N              port (default: ${serveDefaults.port}; 0 picks a free one)
      --token T             bearer token every request but /v2/health/* must send as "Authorization: Bearer T"
                            (or set TEXTCLF_SERVE_TOKEN, which keeps it out of the process list)
      --batch-delay-ms MS   while the engine is busy, how long a request waits for others to share its engine call
                            (default: ${serveDefaults.batchDelayMs}); with the engine idle a request goes at once
      --max-batch N         rows in one engine call and the largest batch of a v2 request (default: ${serveDefaults.maxBatch})
      --no-batching         every request is its own engine call
      --max-in-flight N     merged engine calls per model running at once (default: ${serveDefaults.maxInFlight})
      --max-inputs N        texts in one /v1/classify request (default: ${serveDefaults.maxInputs})
      --max-body-bytes N    largest request body (default: ${serveDefaults.maxBodyBytes})
      --max-text-chars N    characters in one text of /v1/classify (default: ${serveDefaults.maxTextChars}); more answers 413
      --allow-origin ORIGIN a web origin (https://tool.example) whose pages may call the service, with CORS; repeat
                            for several, "*" for any. Requests a browser marks with another Origin get 403
      --threads N           inference threads per model (default: physical cores less one, at least 1: the HTTP
                            server needs a core of its own)
      --engine-batch-size N texts per onnxruntime run inside one engine call (default: ${serveDefaults.engineBatchSize}; requests
                            come in all lengths, and small length-sorted runs pad less)
  -h, --help                show this help

Without a token the server answers only requests addressed to localhost / 127.0.0.1 (a web page
cannot reach it through DNS rebinding). Request bodies must be application/json (or the binary
tensor form); anything else answers 415. Limits answer 413 (body, inputs, text length) or 400 (batch).
Stops on SIGINT/SIGTERM after answering the requests in flight.
Exit codes: 0 stopped, 1 runtime error (e.g. port in use), 2 usage error.`,

  async run(args) {
    const { values, positionals } = parseCommandLine(args, {
      model: { type: 'string', short: 'm', multiple: true },
      host: { type: 'string' },
      port: { type: 'string', short: 'p' },
      token: { type: 'string' },
      'batch-delay-ms': { type: 'string' },
      'max-batch': { type: 'string' },
      'no-batching': { type: 'boolean' },
      'max-in-flight': { type: 'string' },
      'max-inputs': { type: 'string' },
      'max-body-bytes': { type: 'string' },
      'max-text-chars': { type: 'string' },
      'allow-origin': { type: 'string', multiple: true },
      threads: { type: 'string' },
      'engine-batch-size': { type: 'string' },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}" (models are given with --model DIR)`);
    const port = values.port === undefined ? undefined : Number(values.port);
    if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new UsageError(`--port must be 0 to 65535, got "${values.port}"`);
    const batchDelayMs = values['batch-delay-ms'] === undefined ? undefined : Number(values['batch-delay-ms']);
    if (batchDelayMs !== undefined && !(batchDelayMs >= 0 && batchDelayMs <= 1000)) {
      throw new UsageError(`--batch-delay-ms must be 0 to 1000, got "${values['batch-delay-ms']}"`);
    }
    const threads = positiveInteger('--threads', values.threads);
    for (const origin of values['allow-origin'] ?? []) {
      if (origin !== '*' && !/^https?:\/\/[^/]+$/.test(origin)) throw new UsageError(`--allow-origin takes an origin such as https://tool.example (scheme and host, no path) or "*", got "${origin}"`);
    }

    const server = await startServer({
      models: values.model ?? [defaultModelDir()],
      host: values.host,
      port,
      token: values.token ?? (process.env.TEXTCLF_SERVE_TOKEN || undefined),
      batchDelayMs,
      maxBatch: positiveInteger('--max-batch', values['max-batch']),
      dynamicBatching: !values['no-batching'],
      maxInFlight: positiveInteger('--max-in-flight', values['max-in-flight']),
      maxInputs: positiveInteger('--max-inputs', values['max-inputs']),
      maxBodyBytes: positiveInteger('--max-body-bytes', values['max-body-bytes']),
      maxTextChars: positiveInteger('--max-text-chars', values['max-text-chars']),
      allowOrigins: values['allow-origin'],
      engine: { threads, batchSize: positiveInteger('--engine-batch-size', values['engine-batch-size']) ?? serveDefaults.engineBatchSize },
      log: (line) => process.stderr.write(`${line}\n`),
    });
    process.stdout.write(`${server.url}\n`);
    await new Promise<void>((resolve) => {
      const stop = (signal: NodeJS.Signals) => {
        process.stderr.write(`textclf serve: ${signal}, shutting down\n`);
        server.close().then(resolve, resolve);
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
    return exitCodes.ok;
  },
};
