// The worker's job queue. Jobs that only use the loaded engine run side by side (their inference
// batches interleave, so a one-sentence hover is not stuck behind a dataset evaluation); a job that
// replaces the engine runs alone: it waits for the running ones and holds back those after it.
export interface Job {
  id: number;
  exclusive: boolean;
  run(): Promise<void>;
}

export class JobQueue {
  private readonly waiting: Job[] = [];
  private running = 0;
  private exclusiveRunning = false;

  /** Jobs running or waiting. */
  get size(): number {
    return this.waiting.length + this.running;
  }

  add(job: Job): void {
    this.waiting.push(job);
    this.pump();
  }

  /** Takes out a job that has not started yet; false when it is running or unknown. */
  remove(id: number): boolean {
    const index = this.waiting.findIndex((job) => job.id === id);
    if (index < 0) return false;
    this.waiting.splice(index, 1);
    this.pump();
    return true;
  }

  private pump(): void {
    while (this.waiting.length > 0 && !this.exclusiveRunning) {
      const job = this.waiting[0];
      if (job.exclusive && this.running > 0) return;
      this.waiting.shift();
      this.running++;
      this.exclusiveRunning = job.exclusive;
      void job.run().finally(() => {
        this.running--;
        if (job.exclusive) this.exclusiveRunning = false;
        this.pump();
      });
    }
  }
}
