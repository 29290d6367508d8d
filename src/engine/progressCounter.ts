// Texts finished, reported in steps: a scored batch marks the texts it completed, and the engine reports
// once per batch (not once per text) through the caller's onProgress.
export class ProgressCounter {
  private finishedSinceReport = 0;

  constructor(
    private readonly total: number,
    private readonly onProgress?: (done: number, total: number) => void,
    /** Texts already done before any batch ran (cache hits). */
    public done = 0,
  ) {}

  finish(): void {
    this.finishedSinceReport++;
  }

  report(): void {
    if (this.finishedSinceReport === 0) return;
    this.done += this.finishedSinceReport;
    this.finishedSinceReport = 0;
    this.onProgress?.(this.done, this.total);
  }
}
