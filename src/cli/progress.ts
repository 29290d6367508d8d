// A progress line on stderr for long runs. On a terminal it is redrawn in place (at most 10 times a
// second); otherwise nothing is drawn and only the final summary line is written, so logs stay clean.
export class ProgressLine {
  private lastDraw = 0;
  private drawn = false;
  private readonly live: boolean;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.live = stream.isTTY === true;
  }

  update(text: string): void {
    if (!this.live) return;
    const now = Date.now();
    if (now - this.lastDraw < 100) return;
    this.lastDraw = now;
    // A terminal of unknown size (a pty nobody sized) reports 0 columns.
    this.stream.write(`\r\x1b[2K${text.slice(0, (this.stream.columns || 80) - 1)}`);
    this.drawn = true;
  }

  /** Clears the live line and writes the summary (always, terminal or not). */
  done(summary?: string): void {
    if (this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
    if (summary) this.stream.write(`${summary}\n`);
  }
}

export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function formatSeconds(seconds: number): string {
  return seconds < 10 ? `${seconds.toFixed(2)} s` : `${seconds.toFixed(1)} s`;
}
