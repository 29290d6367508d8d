// The training process: forked by runTraining (runner.ts) so that feature extraction and training never
// run on the extension host. One job per process: it receives the job, streams progress, answers with
// the report or the error, and exits. A cancel message aborts the job; the partial model is removed by
// trainClassifier itself.
import { readTrainingDataset } from './datasetFiles';
import type { HostToTrainer, TrainerToHost } from './runnerProtocol';
import { trainClassifier } from './train';

const cancel = new AbortController();

function send(message: TrainerToHost): Promise<void> {
  return new Promise((resolve) => process.send!(message, undefined, undefined, () => resolve()));
}

async function run(message: HostToTrainer & { type: 'train' }): Promise<void> {
  const { dataset, ...job } = message.job;
  try {
    const resolved = 'files' in dataset ? await readTrainingDataset({ ...dataset.files, signal: cancel.signal }) : dataset;
    const report = await trainClassifier({
      ...job,
      dataset: resolved,
      signal: cancel.signal,
      onProgress: (progress) => void send({ type: 'progress', progress }),
    });
    await send({ type: 'done', report });
  } catch (error) {
    const { name, message: text } = error instanceof Error ? error : new Error(String(error));
    await send({ type: 'error', name, message: text });
  }
  process.disconnect();
}

if (!process.send) {
  process.stderr.write('This is the Text Classifier training process; it is started by the extension or the CLI, not by hand.\n');
  process.exit(2);
}
process.on('message', (message: HostToTrainer) => {
  if (message.type === 'cancel') cancel.abort();
  else if (message.type === 'train') void run(message);
});
// The host went away: nobody wants the result any more.
process.on('disconnect', () => cancel.abort());
