// Dynamic batching: requests that arrive within a short delay of each other are merged into one
// engine call, as Triton's dynamic batcher does. A batch goes out when it is full (maxBatch rows),
// when its first request has waited delayMs, or at once when the engine has no call running (waiting
// then only adds latency: the requests that arrived together still go as one batch); and only while
// fewer than maxInFlight batches are running, so requests keep gathering meanwhile and a busy engine
// gets bigger batches. Without the idle rule, clients that all wait on one call come back together,
// wait the delay together and leave the engine idle for it every round.
// Requests that cannot share a call (different models, tensor shapes or outputs) get different keys.

import type { Cancellation } from './cancellation';

export interface BatcherOptions<In, Out> {
  maxBatch: number;
  delayMs: number;
  maxInFlight: number;
  /** Rows an item adds to a batch (texts of a classify request, batch dim of a tensor request). */
  size(item: In): number;
  /** Items with the same key may share one call. */
  key(item: In): string;
  /**
   * Runs one merged call; answers one result per item, in order. A call of a single item gets that
   * item's cancellation signal, so a client that goes away cancels its own work; a merged call gets a
   * signal that aborts once every one of its items is cancelled.
   */
  run(items: In[], signal?: AbortSignal): Promise<Out[]>;
}

interface Pending<In, Out> {
  item: In;
  size: number;
  cancellation?: Cancellation;
  resolve(value: Out): void;
  reject(error: unknown): void;
}

interface Queue<In, Out> {
  items: Pending<In, Out>[];
  rows: number;
  timer?: NodeJS.Timeout;
  due: boolean;
}

export class DynamicBatcher<In, Out> {
  private readonly queues = new Map<string, Queue<In, Out>>();
  private inFlight = 0;
  private idleFlush: NodeJS.Immediate | undefined;
  /** Keys whose batch is due but waits for a free slot, oldest first. */
  private readonly waiting: string[] = [];
  /** Engine calls made, requests and rows they carried. */
  readonly stats = { calls: 0, requests: 0, rows: 0 };

  constructor(private readonly options: BatcherOptions<In, Out>) {
    if (options.maxBatch < 1 || options.maxInFlight < 1 || options.delayMs < 0) {
      throw new Error('batcher needs maxBatch >= 1, maxInFlight >= 1 and delayMs >= 0');
    }
  }

  /**
   * Queues an item. An item cancelled before its batch leaves is dropped then (rejected with the
   * reason); after, its result is dropped. No listener per item: EventTarget listeners cost more
   * than the rest of the batcher's work per request.
   */
  submit(item: In, cancellation?: Cancellation): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      if (cancellation?.aborted) return reject(cancellation.reason);
      const key = this.options.key(item);
      let queue = this.queues.get(key);
      if (!queue) {
        queue = { items: [], rows: 0, due: false };
        this.queues.set(key, queue);
      }
      const size = this.options.size(item);
      queue.items.push({ item, size, cancellation, resolve, reject });
      queue.rows += size;
      if (queue.rows >= this.options.maxBatch) this.markDue(key, queue);
      else {
        if (!queue.timer && !queue.due) queue.timer = setTimeout(() => this.markDue(key, queue!), this.options.delayMs);
        if (this.inFlight === 0) this.flushWhenIdle();
      }
    });
  }

  /** With no call running, what waits goes now: after this turn's I/O, so requests that arrived together leave together. */
  private flushWhenIdle(): void {
    this.idleFlush ??= setImmediate(() => {
      this.idleFlush = undefined;
      if (this.inFlight > 0) return;
      for (const [key, queue] of this.queues) if (queue.items.length > 0) this.markDue(key, queue);
    });
  }

  private markDue(key: string, queue: Queue<In, Out>): void {
    clearTimeout(queue.timer);
    queue.timer = undefined;
    if (!queue.due) {
      queue.due = true;
      this.waiting.push(key);
    }
    this.dispatch();
  }

  private dispatch(): void {
    while (this.inFlight < this.options.maxInFlight && this.waiting.length > 0) {
      const key = this.waiting.shift()!;
      const queue = this.queues.get(key)!;
      queue.due = false;
      const batch = this.take(queue);
      if (queue.items.length === 0) this.queues.delete(key);
      else if (queue.rows >= this.options.maxBatch) this.markDue(key, queue);
      else queue.timer = setTimeout(() => this.markDue(key, queue), this.options.delayMs);
      if (batch.length > 0) this.launch(batch);
    }
  }

  /** Takes items up to maxBatch rows; an item larger than maxBatch goes alone; cancelled items are dropped. */
  private take(queue: Queue<In, Out>): Pending<In, Out>[] {
    const batch: Pending<In, Out>[] = [];
    let rows = 0;
    while (queue.items.length > 0) {
      const next = queue.items[0];
      if (next.cancellation?.aborted) {
        queue.items.shift();
        queue.rows -= next.size;
        next.reject(next.cancellation.reason);
        continue;
      }
      if (batch.length > 0 && rows + next.size > this.options.maxBatch) break;
      batch.push(queue.items.shift()!);
      rows += next.size;
      queue.rows -= next.size;
    }
    return batch;
  }

  private launch(batch: Pending<In, Out>[]): void {
    this.inFlight++;
    this.stats.calls++;
    this.stats.requests += batch.length;
    this.stats.rows += batch.reduce((rows, pending) => rows + pending.size, 0);
    let run: Promise<Out[]>;
    try {
      run = this.options.run(
        batch.map((pending) => pending.item),
        batch.length === 1 ? batch[0].cancellation?.signal : signalWhenAllCancelled(batch),
      );
    } catch (error) {
      run = Promise.reject(error);
    }
    run
      .then(
        (results) => {
          if (results.length !== batch.length) {
            throw new Error(`batched call answered ${results.length} results for ${batch.length} requests`);
          }
          batch.forEach((pending, index) => pending.resolve(results[index]));
        },
        (error) => batch.forEach((pending) => pending.reject(error)),
      )
      .catch((error) => batch.forEach((pending) => pending.reject(error)))
      .finally(() => {
        this.inFlight--;
        this.dispatch();
        if (this.inFlight === 0) this.flushWhenIdle();
      });
  }
}

/** A signal that aborts when every item of a merged batch has been cancelled; none if an item cannot be. */
function signalWhenAllCancelled<In, Out>(batch: Pending<In, Out>[]): AbortSignal | undefined {
  if (!batch.every((pending) => pending.cancellation)) return undefined;
  const controller = new AbortController();
  let remaining = batch.length;
  for (const pending of batch) {
    pending.cancellation!.onAbort(() => {
      if (--remaining === 0) controller.abort(new Error('every client of this batch disconnected'));
    });
  }
  return controller.signal;
}
