// The quantize process: forked by runQuantize (src/quantize/runner.ts) so that quantizing and evaluating
// never run on the extension host. One job per process: it receives the job, streams progress, answers
// with the result or the error, and exits. The host cancels by killing it (and removes what it was writing).
import type { HostToQuantizer, QuantizerToHost } from '../quantize/runnerProtocol';
import { runQuantizeJob } from './quantizeJob';

function send(message: QuantizerToHost): Promise<void> {
  return new Promise((resolve) => process.send!(message, undefined, undefined, () => resolve()));
}

let finished = false;

async function run(message: HostToQuantizer): Promise<void> {
  try {
    const result = await runQuantizeJob(message.job, { onProgress: (progress) => void send({ type: 'progress', progress }) });
    await send({ type: 'done', result });
  } catch (error) {
    const { name, message: text } = error instanceof Error ? error : new Error(String(error));
    await send({ type: 'error', name, message: text });
  }
  finished = true;
  process.disconnect();
}

if (!process.send) {
  process.stderr.write('This is the Text Classifier quantize process; it is started by the extension, not by hand (use "textclf quantize").\n');
  process.exit(2);
}
process.once('message', (message: HostToQuantizer) => void run(message));
// The host went away: nobody wants the result any more.
process.on('disconnect', () => {
  if (!finished) process.exit(1);
});
