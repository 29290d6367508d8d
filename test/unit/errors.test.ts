// errorMessage and errorStack: what a catch block shows for anything that was thrown.
import * as assert from 'node:assert/strict';
import { errorMessage, errorStack } from '../../src/classifier/errors';

describe('errorMessage and errorStack', () => {
  it('give an Error its message, and its stack for logs', () => {
    const error = new RangeError('batchSize must be at least 1');
    assert.equal(errorMessage(error), 'batchSize must be at least 1');
    assert.match(errorStack(error), /^RangeError: batchSize must be at least 1\n\s+at /);
  });

  it('fall back to the message when an Error has no stack', () => {
    const error = new Error('no stack here');
    error.stack = undefined;
    assert.equal(errorStack(error), 'no stack here');
  });

  it('write any other thrown value as text', () => {
    for (const [thrown, text] of [['plain string', 'plain string'], [42, '42'], [undefined, 'undefined'], [null, 'null'], [{ code: 'EPIPE' }, '[object Object]']] as const) {
      assert.equal(errorMessage(thrown), text);
      assert.equal(errorStack(thrown), text);
    }
  });
});
