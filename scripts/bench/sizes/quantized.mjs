// The int8 copy of a model directory, made by `textclf quantize` into .cache/size-models/<name>-int8/
// and reused while the fp32 graph and the quantizer's sources (src/quantize/) are unchanged.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { log, repoRoot } from '../common.mjs';

const QUANTIZED = path.join('onnx', 'model_quantized.onnx');
const cli = path.join(repoRoot, 'bin', 'textclf.js');

function onnxFileOf(dir) {
  return [path.join(dir, 'onnx', 'model.onnx'), path.join(dir, 'model.onnx')].find((file) => fs.existsSync(file));
}

/** What the copy was made from: the fp32 graph (size, mtime) and the quantizer's sources. */
function stampOf(sourceDir) {
  const hash = crypto.createHash('sha256');
  const stat = fs.statSync(onnxFileOf(sourceDir));
  hash.update(`${path.resolve(sourceDir)}:${stat.size}:${stat.mtimeMs}`);
  const quantizerDir = path.join(repoRoot, 'src', 'quantize');
  if (fs.existsSync(quantizerDir)) {
    for (const file of fs.readdirSync(quantizerDir).sort()) hash.update(fs.readFileSync(path.join(quantizerDir, file)));
  }
  return hash.digest('hex');
}

/**
 * {dir} of a directory holding onnx/model_quantized.onnx for `sourceDir` (the directory itself when it has
 * one), or {notAvailable: why}.
 */
export async function quantizedDir(name, sourceDir) {
  if (fs.existsSync(path.join(sourceDir, QUANTIZED))) return { dir: sourceDir };
  const out = path.join(repoRoot, '.cache', 'size-models', `${name}-int8`);
  const stampFile = `${out}.stamp`;
  const stamp = stampOf(sourceDir);
  if (fs.existsSync(path.join(out, QUANTIZED)) && fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stamp) return { dir: out };
  log(`${name}: textclf quantize ${path.relative(repoRoot, sourceDir)} --out ${path.relative(repoRoot, out)}`);
  try {
    await promisify(execFile)(process.execPath, [cli, 'quantize', sourceDir, '--out', out, '--overwrite'], { maxBuffer: 16 << 20 });
  } catch (error) {
    const reason = (error.stderr || error.message).trim().split('\n')[0];
    return { notAvailable: `no quantized file (textclf quantize: ${reason})` };
  }
  fs.writeFileSync(stampFile, stamp);
  return { dir: out };
}
