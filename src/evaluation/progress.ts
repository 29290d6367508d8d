// The progress line of a running evaluation: rows done, rows/s and the time left (estimated from
// the share of the file's bytes read so far).
import type { EvaluationProgress } from '../datasets/evaluate';

const count = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function describeProgress(progress: EvaluationProgress): string {
  const parts = [`${count.format(progress.rows)} rows`, `${count.format(progress.rowsPerSecond)} rows/s`];
  const fraction = progress.bytesRead / Math.max(progress.totalBytes, 1);
  if (fraction > 0 && fraction < 1 && progress.elapsedSeconds > 0.5) {
    parts.push(`about ${formatDuration((progress.elapsedSeconds * (1 - fraction)) / fraction)} left`);
  }
  if (progress.skipped > 0) parts.push(`${count.format(progress.skipped)} skipped`);
  return parts.join(' · ');
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
