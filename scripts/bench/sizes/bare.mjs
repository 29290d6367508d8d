// The floor under the engine: onnxruntime alone on the same texts (bare-worker.mjs), in the two forms
// the engine can run a model on the CPU: lanes (one single-thread session per thread, each process
// taking every other text of the length-sorted list) or one session with intra-op threads. All of a
// form's processes start a pass at once; its rate is all texts over the slowest process's time.
import { fork } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'bare-worker.mjs');

function ask(child, message) {
  return new Promise((resolve, reject) => {
    const onExit = (code) => reject(new Error(`bare onnxruntime process exited with ${code}`));
    child.once('exit', onExit);
    child.once('message', (reply) => {
      child.off('exit', onExit);
      if (reply.error) reject(new Error(`bare onnxruntime: ${reply.error}`));
      else resolve(reply);
    });
    child.send(message);
  });
}

/**
 * Starts the processes of one form ('lanes' or 'intra-op') for `threads` threads over `texts`; resolves
 * once they have tokenized and loaded. `model`: {onnxFile, tokenizerFile}.
 */
export async function openBare(form, threads, texts, model) {
  const processes = form === 'lanes' ? threads : 1;
  const threadsEach = form === 'lanes' ? 1 : threads;
  const children = Array.from({ length: processes }, () => fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  // Every other text of the sorted list, so each lane gets the same mix of lengths.
  const byLength = [...texts].sort((a, b) => a.length - b.length);
  await Promise.all(children.map((child, i) => ask(child, { ...model, threads: threadsEach, texts: byLength.filter((_, j) => j % processes === i) })));
  return {
    form,
    processes,
    threadsEach,
    /** One timed pass of every process at once: texts per second. */
    async perSecond() {
      const replies = await Promise.all(children.map((child) => ask(child, { run: true })));
      return texts.length / Math.max(...replies.map((reply) => reply.seconds));
    },
    close: () => children.forEach((child) => child.kill()),
  };
}
