// Bounded LRU of classification results, keyed by model fingerprint + text hash, so re-classifying
// a document only runs the units that changed. A Map keeps insertion order: re-inserting on a hit
// makes the first key the least recently used.
import * as crypto from 'node:crypto';

export interface CachedResult {
  /** Probabilities in label order. */
  scores: Float32Array;
  windows: number;
  tokens: number;
}

export class ResultCache {
  private readonly entries = new Map<string, CachedResult>();
  hits = 0;
  misses = 0;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  static key(fingerprint: string, text: string): string {
    return `${fingerprint}:${crypto.createHash('sha1').update(text).digest('base64')}`;
  }

  get(key: string): CachedResult | undefined {
    const found = this.entries.get(key);
    if (found === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.entries.delete(key);
    this.entries.set(key, found);
    return found;
  }

  set(key: string, result: CachedResult): void {
    if (this.capacity <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, result);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }

  clear(): void {
    this.entries.clear();
    this.hits = 0;
    this.misses = 0;
  }
}
