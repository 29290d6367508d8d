// The dynamic batcher on its own: what it merges, when it sends, what it keeps apart.
import * as assert from 'node:assert/strict';
import { DynamicBatcher } from '../../src/serve/batcher';
import { Cancellation } from '../../src/serve/cancellation';

interface Item {
  id: number;
  rows: number;
  group?: string;
}

/** A batcher whose calls double each id, recording every call's ids; `gate` holds calls open. */
function recordingBatcher(options: { maxBatch: number; delayMs: number; maxInFlight: number }, gate?: Promise<void>) {
  const calls: number[][] = [];
  const batcher = new DynamicBatcher<Item, number>({
    ...options,
    size: (item) => item.rows,
    key: (item) => item.group ?? 'all',
    run: async (items) => {
      calls.push(items.map((item) => item.id));
      await gate;
      return items.map((item) => item.id * 2);
    },
  });
  return { batcher, calls };
}

describe('serve: dynamic batcher', () => {
  it('merges requests that arrive within the delay into one call and answers each its own result', async () => {
    const { batcher, calls } = recordingBatcher({ maxBatch: 64, delayMs: 20, maxInFlight: 1 });
    const results = await Promise.all([1, 2, 3, 4, 5].map((id) => batcher.submit({ id, rows: 1 })));
    assert.deepEqual(results, [2, 4, 6, 8, 10]);
    assert.deepEqual(calls, [[1, 2, 3, 4, 5]]);
  });

  it('sends a full batch at once without waiting for the delay, and never exceeds maxBatch rows', async () => {
    const { batcher, calls } = recordingBatcher({ maxBatch: 4, delayMs: 10_000, maxInFlight: 4 });
    const started = Date.now();
    const results = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((id) => batcher.submit({ id, rows: 1 })));
    assert.ok(Date.now() - started < 5_000, 'full batches leave before the delay');
    assert.deepEqual(results, [2, 4, 6, 8, 10, 12, 14, 16]);
    assert.deepEqual(calls, [[1, 2, 3, 4], [5, 6, 7, 8]]);
  });

  it('counts rows, not requests, and lets a request larger than maxBatch go alone', async () => {
    const { batcher, calls } = recordingBatcher({ maxBatch: 4, delayMs: 5, maxInFlight: 1 });
    await Promise.all([
      batcher.submit({ id: 1, rows: 3 }),
      batcher.submit({ id: 2, rows: 2 }),
      batcher.submit({ id: 3, rows: 9 }),
      batcher.submit({ id: 4, rows: 1 }),
    ]);
    for (const call of calls) {
      const rows = call.reduce((total, id) => total + ({ 1: 3, 2: 2, 3: 9, 4: 1 } as Record<number, number>)[id], 0);
      assert.ok(call.length === 1 || rows <= 4, `call ${JSON.stringify(call)} has ${rows} rows`);
    }
    assert.deepEqual(calls.flat().sort(), [1, 2, 3, 4]);
  });

  it('keeps requests with different keys in different calls', async () => {
    const { batcher, calls } = recordingBatcher({ maxBatch: 64, delayMs: 5, maxInFlight: 2 });
    await Promise.all([
      batcher.submit({ id: 1, rows: 1, group: 'a' }),
      batcher.submit({ id: 2, rows: 1, group: 'b' }),
      batcher.submit({ id: 3, rows: 1, group: 'a' }),
    ]);
    assert.deepEqual(calls.map((call) => call.join(',')).sort(), ['1,3', '2']);
  });

  it('gathers requests while maxInFlight calls run and sends them together when one finishes', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const { batcher, calls } = recordingBatcher({ maxBatch: 64, delayMs: 0, maxInFlight: 1 }, gate);
    const first = batcher.submit({ id: 1, rows: 1 });
    await new Promise((resolve) => setTimeout(resolve, 10));
    const later = [2, 3, 4].map((id) => batcher.submit({ id, rows: 1 }));
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(calls, [[1]], 'the second call waits for the first');
    open();
    assert.deepEqual(await Promise.all([first, ...later]), [2, 4, 6, 8]);
    assert.deepEqual(calls, [[1], [2, 3, 4]]);
  });

  it('with the engine idle, sends what arrived together at once instead of waiting the delay', async () => {
    const { batcher, calls } = recordingBatcher({ maxBatch: 64, delayMs: 60_000, maxInFlight: 2 });
    const results = await Promise.all([1, 2, 3].map((id) => batcher.submit({ id, rows: 1 })));
    assert.deepEqual(results, [2, 4, 6]);
    assert.deepEqual(calls, [[1, 2, 3]], 'one call for the requests of one turn, sent without the minute of delay');
  });

  it('while a call runs, holds later requests for the delay, and sends them together once the engine is idle', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const { batcher, calls } = recordingBatcher({ maxBatch: 64, delayMs: 60_000, maxInFlight: 2 }, gate);
    const first = batcher.submit({ id: 1, rows: 1 });
    await new Promise((resolve) => setTimeout(resolve, 10));
    const later = [2, 3].map((id) => batcher.submit({ id, rows: 1 }));
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(calls, [[1]], 'a free slot alone does not send them while the engine is busy and the delay runs');
    open();
    assert.deepEqual(await Promise.all([first, ...later]), [2, 4, 6]);
    assert.deepEqual(calls, [[1], [2, 3]]);
  });

  it('rejects every request of a failed call with its error, and keeps working afterwards', async () => {
    let fail = true;
    const batcher = new DynamicBatcher<Item, number>({
      maxBatch: 8,
      delayMs: 5,
      maxInFlight: 1,
      size: () => 1,
      key: () => 'all',
      run: async (items) => {
        if (fail) throw new Error('worker restarted');
        return items.map((item) => item.id);
      },
    });
    const failed = await Promise.allSettled([1, 2].map((id) => batcher.submit({ id, rows: 1 })));
    assert.deepEqual(failed.map((result) => result.status), ['rejected', 'rejected']);
    assert.match(String((failed[0] as PromiseRejectedResult).reason), /worker restarted/);
    fail = false;
    assert.equal(await batcher.submit({ id: 7, rows: 1 }), 7);
  });

  it('drops a request cancelled before its batch leaves', async () => {
    const { batcher, calls } = recordingBatcher({ maxBatch: 64, delayMs: 30, maxInFlight: 1 });
    const cancellation = new Cancellation();
    const aborted = batcher.submit({ id: 1, rows: 1 }, cancellation);
    const kept = batcher.submit({ id: 2, rows: 1 });
    cancellation.abort(new Error('client disconnected'));
    await assert.rejects(aborted, /client disconnected/);
    assert.equal(await kept, 4);
    assert.deepEqual(calls, [[2]]);
  });
});
