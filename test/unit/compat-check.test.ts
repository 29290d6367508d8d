// `textclf models --check DIR` explains any model directory: what it found (family, tokenizer, inputs
// with their types, outputs, problem type, labels, variant, window, external data) and, for one the
// engine cannot run, one sentence that says why; never a stack trace. Run as users run it (the bundled
// CLI in a child process) on the scripts/compat directories and on broken ones made here.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ModelVariant } from '../../src/classifier/types';
import type { ModelCheck } from '../../src/classifier/types';
import { checkModel } from '../../src/engine/inspect';
import { COMPAT_FAMILIES, compatModelsOrSkip } from '../support/compatModels';
import { repoRoot } from '../support/paths';

const bin = path.join(repoRoot, 'bin', 'textclf.js');

function check(dir: string, ...extra: string[]): { code: number | null; result: ModelCheck; stderr: string } {
  const run = spawnSync(process.execPath, [bin, 'models', '--check', dir, '--format', 'json', ...extra], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
  return { code: run.status, result: JSON.parse(run.stdout) as ModelCheck, stderr: run.stderr };
}

/** In-process (the same function the CLI prints), for the many directories where a process per check would cost seconds each. */
async function inspect(dir: string, variant?: ModelVariant): Promise<ModelCheck> {
  return JSON.parse(JSON.stringify(await checkModel(dir, { variant })));
}

describe('compat: textclf models --check', function () {
  this.timeout(60_000);
  let root: string;
  let scratch: string;
  before(function () {
    this.timeout(180_000);
    root = compatModelsOrSkip(this);
    if (!fs.existsSync(path.join(repoRoot, 'dist', 'cli.js'))) {
      const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, encoding: 'utf8' });
      assert.equal(build.status, 0, build.stderr);
    }
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'textclf-check-'));
  });
  after(() => scratch && fs.rmSync(scratch, { recursive: true, force: true }));

  it('JSON has the documented keys; every family is supported, with its tokenizer model and inputs', async () => {
    const { code, result } = check(path.join(root, 'bert'));
    assert.equal(code, 0);
    assert.equal(result.supported, true);
    const tokenizerModel: Record<string, string> = { roberta: 'BPE', modernbert: 'BPE', 'xlm-roberta': 'Unigram', albert: 'Unigram', 'deberta-v3': 'Unigram' };
    for (const family of COMPAT_FAMILIES) {
      const result = await inspect(path.join(root, family));
      for (const key of ['family', 'tokenizer', 'inputs', 'outputs', 'problem_type', 'labels', 'variant', 'window', 'supported', 'problems']) {
        assert.ok(key in result, `${family}: key ${key}`);
      }
      assert.equal(result.supported, true, `${family}: ${result.problems.join(' ')}`);
      assert.deepEqual(result.problems, []);
      assert.ok(result.tokenizer!.startsWith(tokenizerModel[family] ?? 'WordPiece'), `${family}: ${result.tokenizer}`);
      const config = JSON.parse(fs.readFileSync(path.join(root, family, 'config.json'), 'utf8'));
      assert.equal(result.family, config.model_type);
      assert.deepEqual(result.labels, Object.values(config.id2label));
      assert.equal(result.inputs.some((input) => input.name === 'token_type_ids'), config.type_vocab_size > 0, family);
      assert.ok(result.inputs.every((input) => input.dtype === 'int64'));
      assert.deepEqual(result.outputs.map((output) => output.name), ['logits']);
    }
  });

  it('reports int32 inputs, position_ids, fp16 logits, regression, LABEL_i, variants, windows and external data', async () => {
    const at = (name: string, variant?: ModelVariant) => inspect(path.join(root, name), variant);
    assert.deepEqual((await at('bert-int32')).inputs.map((i) => i.dtype), ['int32', 'int32', 'int32']);
    assert.ok((await at('roberta-position-ids')).inputs.some((i) => i.name === 'position_ids'));
    const fp16 = await at('bert-fp16-only');
    assert.equal(fp16.variant?.name, 'fp16');
    assert.equal(fp16.outputs[0].dtype, 'float16');
    assert.equal((await at('bert-regression')).problem_type, 'regression');
    assert.deepEqual((await at('bert-no-id2label')).labels, ['LABEL_0', 'LABEL_1', 'LABEL_2']);
    assert.deepEqual((await at('bert-variants', 'q4')).variant, { name: 'q4', file: path.join('onnx', 'model_q4.onnx'), available: ['fp32', 'fp16', 'quantized', 'int8', 'uint8', 'q4', 'bnb4'] });
    assert.equal((await at('roberta-window')).window, 32);
    assert.equal((await at('bert-window')).window, 24);
    assert.deepEqual((await at('bert-external-data')).external_data, [path.join('onnx', 'model.onnx_data')]);
    assert.equal((await at('bert-root')).variant?.file, 'model.onnx');
  });

  it('an unsupported directory: supported false, exit code 1, one sentence per problem, no stack trace', () => {
    const broken = path.join(scratch, 'unknown-problem-type');
    fs.cpSync(path.join(root, 'bert'), broken, { recursive: true });
    const config = JSON.parse(fs.readFileSync(path.join(broken, 'config.json'), 'utf8'));
    fs.writeFileSync(path.join(broken, 'config.json'), JSON.stringify({ ...config, problem_type: 'ranking' }));
    for (const [dir, pattern] of [
      [path.join(root, 'bert-token-classification'), /this is a token-classification graph/],
      [path.join(root, 'bart-seq2seq'), /this is an encoder-decoder \(seq2seq\) graph/],
      [broken, /"problem_type" "ranking" is not supported/],
      [path.join(scratch, 'missing'), /model directory not found/],
    ] as const) {
      const { code, result, stderr } = check(dir);
      assert.equal(code, 1, dir);
      assert.equal(result.supported, false);
      assert.equal(result.problems.length, 1, JSON.stringify(result.problems));
      assert.match(result.problems[0], pattern);
      assert.ok(!/\n|\s+at /.test(result.problems[0] + stderr), `no stack trace: ${result.problems[0]} ${stderr}`);
    }
    const { code, result } = check(path.join(root, 'bert-fp16-only'), '--variant', 'int8');
    assert.equal(code, 1);
    assert.match(result.problems[0], /variant "int8" is missing; this model has fp16/);
  });

  it('the table names each finding, and the problem', () => {
    const run = spawnSync(process.execPath, [bin, 'models', '--check', path.join(root, 'bert-token-classification')], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(run.status, 1);
    for (const row of ['family', 'tokenizer', 'inputs', 'outputs', 'problem type', 'labels', 'variant', 'window', 'external data', 'supported', 'problem']) {
      assert.match(run.stdout, new RegExp(`^${row} +\\S`, 'm'), row);
    }
    assert.match(run.stdout, /^supported +no$/m);
  });
});
