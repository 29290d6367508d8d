// The Hugging Face download against the Hub look-alike of the integration tests (plain Node).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkModel } from '../../src/engine/inspect';
import { downloadModel, HubError } from '../../src/hub/hub';
import { bundledModel } from '../support/paths';
import { startHubServer, type HubServer } from '../integration/hubServer';

describe('Hugging Face download', function () {
  this.timeout(30_000);
  let hub: HubServer;
  let modelsRoot: string;
  const source = bundledModel('sentiment-sst2');
  const incomplete = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-hub-incomplete-'));

  before(async () => {
    fs.copyFileSync(path.join(source, 'config.json'), path.join(incomplete, 'config.json'));
    hub = await startHubServer({
      'textclf/sentiment': [source, 'none'], 'textclf/corrupted': [source, 'corrupt'],
      'textclf/interrupted': [source, 'interrupt'], 'textclf/incomplete': [incomplete, 'none'],
    });
  });
  beforeEach(() => { modelsRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-hub-')); });
  afterEach(() => fs.rmSync(modelsRoot, { recursive: true, force: true }));
  after(async () => {
    await hub.close();
    fs.rmSync(incomplete, { recursive: true, force: true });
  });

  // The check the editor's worker makes (ClassifierClient.checkModel), run here in-process.
  const verify = async (dir: string) => {
    const check = await checkModel(dir);
    if (!check.supported) throw new HubError(check.problems.join(' '));
  };
  const download = (repoId: string, extra: { signal?: AbortSignal } = {}) => downloadModel({ endpoint: hub.endpoint, repoId, modelsRoot, verify, ...extra });
  const contents = () => fs.readdirSync(modelsRoot);

  it('downloads the files byte for byte and records where they came from', async () => {
    const dir = await download('textclf/sentiment');
    assert.equal(dir, path.join(modelsRoot, 'textclf--sentiment'));
    for (const file of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx']) {
      assert.ok(fs.readFileSync(path.join(dir, file)).equals(fs.readFileSync(path.join(source, file))), file);
    }
    const record = JSON.parse(fs.readFileSync(path.join(dir, 'source.json'), 'utf8'));
    assert.equal(record.repoId, 'textclf/sentiment');
    assert.match(record.files.find((file: { path: string }) => file.path === 'onnx/model.onnx').sha256, /^[0-9a-f]{64}$/);
    assert.deepEqual(contents(), ['textclf--sentiment']);
  });

  it('a second download replaces the first', async () => {
    const dir = await download('textclf/sentiment');
    fs.writeFileSync(path.join(dir, 'stale.txt'), 'old');
    await download('textclf/sentiment');
    assert.ok(!fs.existsSync(path.join(dir, 'stale.txt')));
    assert.deepEqual(contents(), ['textclf--sentiment']);
  });

  it('a corrupted file fails the sha256 check and leaves nothing', async () => {
    await assert.rejects(download('textclf/corrupted'), /onnx\/model\.onnx: sha256 [0-9a-f]{64} does not match [0-9a-f]{64} reported by the Hub/);
    assert.deepEqual(contents(), []);
  });

  it('an interrupted transfer leaves nothing', async () => {
    await assert.rejects(download('textclf/interrupted'), (error: Error) => error instanceof HubError && /onnx\/model\.onnx/.test(error.message));
    assert.deepEqual(contents(), []);
  });

  it('cancelling mid-download leaves nothing', async () => {
    const controller = new AbortController();
    const running = downloadModel({ endpoint: hub.endpoint, repoId: 'textclf/sentiment', modelsRoot, verify, signal: controller.signal,
      onProgress: ({ bytesDone }) => { if (bytesDone > 1_000_000) controller.abort(); } });
    await assert.rejects(running, /Download of textclf\/sentiment cancelled/);
    assert.deepEqual(contents(), []);
  });

  it('names what is wrong: bad id, unknown repository, no model files, unreachable endpoint', async () => {
    await assert.rejects(download('not a repo'), /"not a repo" is not a Hugging Face repository id/);
    await assert.rejects(download('textclf/missing'), /textclf\/missing: no such repository or revision "main" on http:\/\/127\.0\.0\.1:\d+/);
    await assert.rejects(download('textclf/incomplete'), /textclf\/incomplete: not a model directory for Text Classifier \(missing tokenizer\.json\)/);
    await assert.rejects(downloadModel({ endpoint: 'http://127.0.0.1:9', repoId: 'a/b', modelsRoot, verify }), /cannot reach http:\/\/127\.0\.0\.1:9.*textClassifier\.hubEndpoint/);
    assert.deepEqual(contents(), []);
  });
});
