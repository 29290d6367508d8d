// --remote URL / --remote-model NAME on classify, evaluate and predict: the model's graph runs on an
// Open Inference Protocol server (Triton, KServe, `textclf serve`) through the same backend as the
// editor's textClassifier.remote.* settings (src/engine/remote.ts). Tokenizing, windows and
// batching stay here; several batches are in flight at once. The token comes from the environment,
// never from the command line (where `ps` and shell history would show it).
import * as path from 'node:path';
import type { EngineOptions, EngineStatus } from '../classifier/types';
import { UsageError } from './command';

export const remoteTokenVariable = 'TEXTCLF_REMOTE_TOKEN';
/**
 * A batch job should ride out a server restart or a rolling update: about a minute of retries (the
 * backoff doubles from 100 ms to 5 s), where the editor gives up after a few seconds.
 */
const batchJobRetries = 16;

export const remoteOptions = {
  remote: { type: 'string' },
  'remote-model': { type: 'string' },
} as const;

export const remoteHelp = `      --remote URL         run the model on an Open Inference Protocol (KServe v2) server: Triton,
                           KServe or "textclf serve", e.g. http://gpu-box:8000. Tokenizing stays
                           here; only token ids are sent. The bearer token, if the server wants
                           one, is read from the environment variable ${remoteTokenVariable}.
      --remote-model NAME  the model's name on that server (default: the model directory's name);
                           --model still gives the tokenizer and the labels`;

/** The engine options for --remote/--remote-model (empty without --remote). */
export function remoteEngineOptions(values: { remote?: string; 'remote-model'?: string }, modelDir: string): EngineOptions {
  if (values.remote === undefined) {
    if (values['remote-model'] !== undefined) throw new UsageError('--remote-model needs --remote URL');
    return {};
  }
  if (!/^https?:\/\/[^/]/.test(values.remote.trim())) throw new UsageError(`--remote needs an http:// or https:// URL, e.g. http://localhost:8000 (got "${values.remote}")`);
  const token = process.env[remoteTokenVariable]?.trim() || undefined;
  return { remote: { url: values.remote.trim(), model: values['remote-model'] ?? path.basename(path.resolve(modelDir)), token, retries: batchJobRetries } };
}

/** ", on http://…: 120 requests, 3 retries" for the summary line of a run on a remote server; '' otherwise. */
export function remoteSummary(status: EngineStatus): string {
  const remote = status.remote;
  return remote ? `, on ${remote.url} (model ${remote.model}): ${remote.requests} requests, ${remote.retries} retries` : '';
}
