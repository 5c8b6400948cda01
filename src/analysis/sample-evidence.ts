import { median } from './order-statistics.js';
import type { GroupSeries } from './series.js';

/**
 * The fewest sampled objects a sampled group must have gained over the window to be a leak.
 * The trend test sees every tick, but the ticks re-observe the same surviving samples, so
 * the evidence is how many survivors there are, not how many ticks saw them: k survivors
 * that came one after another are in rising order by chance once in k! (4! = 24, 5! = 120),
 * so fewer than 5 cannot carry a leak at a 1% false discovery rate however steadily the
 * series steps up (three 64 KiB buffers kept by a fixed library looked like +9.6 MiB/h).
 */
export const MIN_GAINED_SAMPLES = 5;

/** Live samples gained from the start to the end of each process lifetime, summed. */
export function gainedSamples(group: GroupSeries): number {
  let gained = 0;
  for (const counts of group.counts) {
    const n = counts.length;
    if (n < 2) continue;
    // levels as medians of small blocks, so that one noisy sample does not decide
    const block = Math.max(1, Math.round(n / 9));
    gained += Math.max(0, median(counts.subarray(n - block, n)) - median(counts.subarray(0, block)));
  }
  return gained;
}

/** Sampled groups need enough gained samples; exact sizes (Python's tracemalloc) count every object. */
export function enoughSamples(group: GroupSeries, sampled: boolean): boolean {
  return !sampled || gainedSamples(group) >= MIN_GAINED_SAMPLES;
}
