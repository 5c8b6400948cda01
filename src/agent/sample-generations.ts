import type { Traceback } from '../model/traceback.js';

/** A sample is old once it has been seen alive in this many snapshots: past requests in flight at one tick. */
const OLD_AGE = 3;

/**
 * Tells apart the sampled objects that stay and those that die, by the allocation order
 * number (`ordinal`) V8's inspector gives each sample: from one snapshot to the next, a
 * sample of a leaked object never dies, while a cache at its bound (LRU eviction, TTL
 * expiry) drops its oldest samples. Counts, per stack, the old samples gone since the
 * previous snapshot. The memory it keeps is one entry per live sample.
 */
export class SampleGenerations {
  private readonly born = new Map<number, { snapshot: number; traceback: Traceback }>();
  private snapshot = 0;

  /** Takes the live samples of a new snapshot; returns the old samples that died since the previous one, by stack key. */
  advance(live: ReadonlyMap<number, Traceback>): Map<string, { traceback: Traceback; died: number }> {
    this.snapshot += 1;
    const deaths = new Map<string, { traceback: Traceback; died: number }>();
    for (const [ordinal, sample] of this.born) {
      if (live.has(ordinal)) continue;
      this.born.delete(ordinal);
      if (this.snapshot - sample.snapshot < OLD_AGE) continue;
      const key = sample.traceback.key;
      const entry = deaths.get(key);
      if (entry) entry.died += 1;
      else deaths.set(key, { traceback: sample.traceback, died: 1 });
    }
    for (const [ordinal, traceback] of live) if (!this.born.has(ordinal)) this.born.set(ordinal, { snapshot: this.snapshot, traceback });
    return deaths;
  }
}
