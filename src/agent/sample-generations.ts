import type { Traceback } from '../model/traceback.js';
import { siteKeyOf } from '../model/grouping.js';

/** A sample is old once it has been seen alive in this many snapshots: past requests in flight at one tick. */
const OLD_AGE = 3;

/**
 * A live sample outlives its stack's turnover once it is more than this many times as old as
 * the oldest of the stack's samples seen to die old: a margin wide enough that objects of a
 * bounded lifetime whose lifetimes vary (a TTL plus its sweep, an LRU whose eviction age
 * drifts with the load) are not counted, while a leak's samples all get there in time.
 */
const SURVIVOR_FACTOR = 2;

/** What one snapshot's samples tell, by stack key. */
export interface GenerationCounts {
  /** Old samples that died since the previous snapshot. */
  deaths: Map<string, { traceback: Traceback; died: number }>;
  /** Snapshots the oldest live sample was seen alive in before this one (stacks whose live samples are all new are left out). */
  oldestAge: Map<string, number>;
  /**
   * Live samples more than twice as old as the oldest of the stack's samples that died old, over
   * the whole run; for a stack none of whose samples died old, the oldest of its allocation's
   * (allocationKeyOf: the stacks with the same site and the same allocating frame). Stacks whose
   * allocation had no sample die old, or with no such survivor, are left out.
   */
  survivors: Map<string, number>;
}

/**
 * One allocation reached through any caller: the stack's site (its blame frame, as the analysis
 * groups sites) and the frame that allocates (its most recent, often a builtin). Not the site
 * alone: a Map's or an array's backing store, replaced by a bigger one as it grows, dies young
 * at the line whose entries it holds, and entries that have not been evicted yet (a cache still
 * filling) would count as outliving it.
 */
function allocationKeyOf(traceback: Traceback): string {
  const top = traceback.frames[0];
  return top ? `${siteKeyOf(traceback)}\u0002${top.key}` : siteKeyOf(traceback);
}

/**
 * Tells apart the sampled objects that stay and those that die, by the allocation order
 * number (`ordinal`) V8's inspector gives each sample: from one snapshot to the next, a
 * sample of a leaked object never dies, while a cache at its bound (LRU eviction, TTL
 * expiry) drops its oldest samples. Counts, per stack, the old samples gone since the
 * previous snapshot, how long its oldest live sample has lived (a leak's oldest sample
 * is as old as the leak; objects of a bounded lifetime never get older than it), and how
 * many live samples have outlived by far every sample of the stack seen to die (a leak at
 * the same stack as objects that turn over: its survivors keep growing in number, while an
 * LRU's hot keys stay a fixed few). A stack none of whose samples ever died is measured
 * against the turnover of the same allocation through other callers instead: one helper that
 * allocates for a caller that drops its objects after a while and for one that keeps them for
 * good has one stack of each, and the second one's samples outlive by far every sample of the
 * first seen to die. The memory it keeps is one entry per live sample and one number per stack
 * and per allocation that had a sample die old.
 */
export class SampleGenerations {
  private readonly born = new Map<number, { snapshot: number; traceback: Traceback }>();
  /** The greatest age (snapshots seen alive after its first) at which a sample of each stack died old. */
  private readonly deathAge = new Map<string, number>();
  /** The same, by allocation (allocationKeyOf): the greatest over the allocation's stacks. */
  private readonly allocationDeathAge = new Map<string, number>();
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
      // the age it was last seen alive with
      const age = this.snapshot - 1 - sample.snapshot;
      if (age > (this.deathAge.get(key) ?? 0)) this.deathAge.set(key, age);
    }
    // once per stack with deaths, not per death
    for (const [key, { traceback }] of deaths) {
      const allocation = allocationKeyOf(traceback);
      const age = this.deathAge.get(key)!;
      if (age > (this.allocationDeathAge.get(allocation) ?? 0)) this.allocationDeathAge.set(allocation, age);
    }
    // the first snapshot each stack's oldest sample was seen in, by Traceback object (no key
    // hashing per sample; a stack's samples come one after another, so mostly no lookup at all)
    const oldestBorn = new Map<Traceback, number>();
    const survivorsOf = new Map<Traceback, number>();
    let current: Traceback | undefined;
    let currentBorn = Infinity;
    // samples born before this snapshot outlived the current stack's turnover
    let outlivedBefore = -Infinity;
    let outlived = 0;
    for (const [ordinal, traceback] of live) {
      if (traceback !== current) {
        if (current) this.close(current, currentBorn, outlived, oldestBorn, survivorsOf);
        current = traceback;
        currentBorn = Infinity;
        outlived = 0;
        // a stack that never lost an old sample outlives its allocation's turnover, if any
        const deathAge = this.deathAge.get(traceback.key) ?? (this.allocationDeathAge.size > 0 ? this.allocationDeathAge.get(allocationKeyOf(traceback)) : undefined);
        outlivedBefore = deathAge === undefined ? -Infinity : this.snapshot - SURVIVOR_FACTOR * deathAge;
      }
      const known = this.born.get(ordinal);
      if (known) {
        if (known.snapshot < currentBorn) currentBorn = known.snapshot;
        if (known.snapshot < outlivedBefore) outlived++;
      } else this.born.set(ordinal, { snapshot: this.snapshot, traceback });
    }
    if (current) this.close(current, currentBorn, outlived, oldestBorn, survivorsOf);
    const oldestAge = new Map<string, number>();
    for (const [traceback, born] of oldestBorn) {
      const age = this.snapshot - born;
      if (age > (oldestAge.get(traceback.key) ?? 0)) oldestAge.set(traceback.key, age);
    }
    const survivors = new Map<string, number>();
    for (const [traceback, count] of survivorsOf) survivors.set(traceback.key, (survivors.get(traceback.key) ?? 0) + count);
    return { deaths, oldestAge, survivors };
  }

  /** Keeps what one run of a stack's samples told (a stack's samples may come in more than one run). */
  private close(traceback: Traceback, born: number, outlived: number, oldestBorn: Map<Traceback, number>, survivorsOf: Map<Traceback, number>): void {
    if (born < (oldestBorn.get(traceback) ?? Infinity)) oldestBorn.set(traceback, born);
    if (outlived > 0) survivorsOf.set(traceback, (survivorsOf.get(traceback) ?? 0) + outlived);
  }
}
