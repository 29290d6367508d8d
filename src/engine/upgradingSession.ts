// A session that answers at once from a fast-loading graph and moves to a faster-running one when that
// has loaded. The graph cache's packed copy loads in a quarter of the time but runs 8-15 % slower
// (graphCache.ts); the unpacked copy (about 1.7 s of one core to load for a BERT-base-size model) is
// opened once the session has been idle a moment after a run, so that it does not slow the first
// results down, or after a few seconds of continuous work, which it then speeds up. Runs already handed
// to the first session finish there, and it is released once they have. If the second cannot load, the
// first stays.
import type * as ort from 'onnxruntime-node';
import type { InferenceBackend } from './session';

type Outputs = Record<string, { data: unknown; dims: readonly number[] }>;

/** Idle this long after a run: the move starts. */
const IDLE_MS = 100;
/** Busy this long since the first run: the move starts anyway (it pays for itself on a long job). */
const BUSY_MS = 2000;

export class UpgradingSession implements InferenceBackend {
  private current: ort.InferenceSession;
  private upgrade: Promise<void> | undefined;
  private released = false;
  /** Every run not yet settled: a session is never released under one. */
  private readonly inFlight = new Set<Promise<Outputs>>();
  private idleTimer: NodeJS.Timeout | undefined;
  private busyTimer: NodeJS.Timeout | undefined;
  private moved!: () => void;
  /** Resolves when the move is done, or has failed (the first session then stays). */
  private readonly done = new Promise<void>((resolve) => (this.moved = resolve));

  constructor(
    private readonly first: ort.InferenceSession,
    private readonly openFaster: () => Promise<ort.InferenceSession>,
  ) {
    this.current = first;
  }

  get inputNames(): readonly string[] {
    return this.current.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.current.outputNames;
  }

  get inputMetadata(): readonly ort.InferenceSession.ValueMetadata[] {
    return this.current.inputMetadata;
  }

  get outputMetadata(): readonly ort.InferenceSession.ValueMetadata[] {
    return this.current.outputMetadata;
  }

  /** True once runs go to the faster session. */
  get upgraded(): boolean {
    return this.current !== this.first;
  }

  async run(feeds: Record<string, ort.Tensor>, fetches: readonly string[]): Promise<Outputs> {
    const session = this.current;
    clearTimeout(this.idleTimer);
    if (!this.upgrade && !this.busyTimer) this.busyTimer = this.unrefTimer(BUSY_MS);
    const running = session.run(feeds, fetches as string[]);
    this.inFlight.add(running);
    try {
      return await running;
    } finally {
      this.inFlight.delete(running);
      if (!this.upgrade && this.inFlight.size === 0) this.idleTimer = this.unrefTimer(IDLE_MS);
    }
  }

  /** Resolves when the move is done (or has failed: the first session stays); waits for it to start. */
  async settled(): Promise<void> {
    await this.done;
  }

  async release(): Promise<void> {
    this.released = true;
    clearTimeout(this.idleTimer);
    clearTimeout(this.busyTimer);
    await this.upgrade;
    await Promise.allSettled([...this.inFlight]);
    await this.current.release();
  }

  /** A timer that starts the move, and does not keep a program alive that has nothing else to do. */
  private unrefTimer(ms: number): NodeJS.Timeout {
    return setTimeout(() => {
      if (this.released || this.upgrade) return;
      clearTimeout(this.idleTimer);
      clearTimeout(this.busyTimer);
      this.upgrade = this.moveToFaster().finally(() => this.moved());
    }, ms).unref();
  }

  private async moveToFaster(): Promise<void> {
    let faster: ort.InferenceSession;
    try {
      faster = await this.openFaster();
    } catch {
      return; // the first session runs on as it did
    }
    if (this.released) {
      await faster.release();
      return;
    }
    this.current = faster;
    // Every run in flight now was handed to the first session.
    await Promise.allSettled([...this.inFlight]);
    await this.first.release();
  }
}
