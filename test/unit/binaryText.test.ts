// Binary files are told from text as the editor and the CLI read them (decoded as UTF-8).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { binaryReason } from '../../src/classifier/binaryText';
import { bundledModel, repoRoot } from '../support/paths';

const decoded = (bytes: Buffer) => bytes.toString('utf8');

describe('binaryReason', () => {
  it('an ONNX model file and a PNG header are binary (NUL bytes)', () => {
    const model = bundledModel('sentiment-sst2');
    const onnx = ['model.onnx', 'onnx/model.onnx', 'onnx/model_quantized.onnx'].map((name) => path.join(model, name)).find((file) => fs.existsSync(file))!;
    const head = Buffer.alloc(65536);
    const fd = fs.openSync(onnx, 'r');
    const read = fs.readSync(fd, head, 0, head.length, 0);
    fs.closeSync(fd);
    assert.equal(binaryReason(decoded(head.subarray(0, read))), 'it contains NUL bytes');
    assert.equal(binaryReason(decoded(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]))), 'it contains NUL bytes');
  });

  it('random bytes without NUL are binary by their share of control characters and invalid UTF-8', () => {
    const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => ((i * 7919 + 13) % 255) + 1));
    assert.match(binaryReason(decoded(bytes)) ?? '', /^\d+ % of its characters are control characters or invalid UTF-8$/);
  });

  it('text is text: the README, the tokenizer JSON, CRLF and tabs, emoji, and Latin-1 prose read as UTF-8', () => {
    assert.equal(binaryReason(fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8')), undefined);
    assert.equal(binaryReason(fs.readFileSync(path.join(bundledModel('sentiment-sst2'), 'tokenizer.json'), 'utf8')), undefined);
    assert.equal(binaryReason('a\tb\r\nc 😀 \x1b[1mbold\x1b[0m\f\n'), undefined);
    assert.equal(binaryReason(decoded(Buffer.from('Le café était très agréable, merci à toute l’équipe.', 'latin1'))), undefined);
    assert.equal(binaryReason(''), undefined);
  });
});
