import type { Traceback } from '../model/traceback.js';

/** A sample is old once it has been seen alive in this many snapshots: past requests in flight at one tick. */
const OLD_AGE = 3;

/** What one snapshot's samples tell, by stack key. */
export interface GenerationCounts {
  /** Old samples that died since the previous snapshot. */
  deaths: Map<string, { traceback: Traceback; died: number }>;
  /** Snapshots the oldest live sample was seen alive in before this one (stacks whose live samples are all new are left out). */
  oldestAge: Map<string, number>;
}

/**
 * Tells apart the sampled objects that stay and those that die, by the allocation order
 * number (`ordinal`) V8's inspector gives each sample: from one snapshot to the next, a
 * sample of a leaked object never dies, while a cache at its bound (LRU eviction, TTL
 * expiry) drops its oldest samples. Counts, per stack, the old samples gone since the
 * previous snapshot, and how long its oldest live sample has lived (a leak's oldest sample
 * is as old as the leak; objects of a bounded lifetime never get older than it). The
 * memory it keeps is one entry per live sample.
 */
export class SampleGenerations {
  private readonly born = new Map<number, { snapshot: number; traceback: Traceback }>();
  private snapshot = 0;

  /** Takes the live samples of a new snapshot (the samples of one stack share one Traceback object). */
  advance(live: ReadonlyMap<number, Traceback>): GenerationCounts {
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
    // the first snapshot each stack's oldest sample was seen in, by Traceback object (no key
    // hashing per sample; a stack's samples come one after another, so mostly no lookup at all)
    const oldestBorn = new Map<Traceback, number>();
    let current: Traceback | undefined;
    let currentBorn = Infinity;
    for (const [ordinal, traceback] of live) {
      if (traceback !== current) {
        if (current && currentBorn < (oldestBorn.get(current) ?? Infinity)) oldestBorn.set(current, currentBorn);
        current = traceback;
        currentBorn = Infinity;
      }
      const known = this.born.get(ordinal);
      if (known) {
        if (known.snapshot < currentBorn) currentBorn = known.snapshot;
      } else this.born.set(ordinal, { snapshot: this.snapshot, traceback });
    }
    if (current && currentBorn < (oldestBorn.get(current) ?? Infinity)) oldestBorn.set(current, currentBorn);
    const oldestAge = new Map<string, number>();
    for (const [traceback, born] of oldestBorn) {
      const age = this.snapshot - born;
      if (age > (oldestAge.get(traceback.key) ?? 0)) oldestAge.set(traceback.key, age);
    }
    return { deaths, oldestAge };
  }
}
