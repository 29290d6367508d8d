// A request's cancellation (its client went away), with an AbortSignal made only when something
// must listen to it: the engine call of a request that went alone. Most requests never need one,
// and making an AbortController costs more per request than the batcher's whole work.
export class Cancellation {
  private controller: AbortController | undefined;
  private cancelled = false;
  private why: unknown;

  get aborted(): boolean {
    return this.cancelled;
  }

  get reason(): unknown {
    return this.why;
  }

  private listeners: (() => void)[] | undefined;

  abort(reason: unknown): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.why = reason;
    this.controller?.abort(reason);
    for (const listener of this.listeners ?? []) listener();
    this.listeners = undefined;
  }

  /** Calls `listener` once when cancelled (a plain callback: cheaper than an AbortSignal listener). */
  onAbort(listener: () => void): void {
    if (this.cancelled) listener();
    else (this.listeners ??= []).push(listener);
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.cancelled) this.controller.abort(this.why);
    }
    return this.controller.signal;
  }
}
