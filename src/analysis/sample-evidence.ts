import { median } from './order-statistics.js';
import type { GroupSeries } from './series.js';
import { MIN_SURVIVOR_GAIN } from './turnover.js';

/**
 * The fewest sampled objects a sampled group must have gained over the window to be a leak.
 * The trend test sees every tick, but the ticks re-observe the same surviving samples, so
 * the evidence is how many survivors there are, not how many ticks saw them: k survivors
 * that came one after another are in rising order by chance once in k! (4! = 24, 5! = 120),
 * so fewer than 5 cannot carry a leak at a 1% false discovery rate however steadily the
 * series steps up (three 64 KiB buffers kept by a fixed library looked like +9.6 MiB/h).
 */
export const MIN_GAINED_SAMPLES = 5;

/**
 * Whether the group's growth is carried by enough sampled objects. A group whose objects
 * grow instead of multiplying (an array's or a Map's backing store, replaced by one twice as
 * big each time it fills; 1.5 times bigger at the end is enough) shows its growth in bytes
 * per sample, not in samples: it is judged by the trend alone. Exact sizes (Python's
 * tracemalloc) count every object and skip this.
 */
export function enoughSamples(group: Pick<GroupSeries, 'counts' | 'bytes'> & Partial<Pick<GroupSeries, 'deaths' | 'survivors'>>, sampled: boolean): boolean {
  if (!sampled) return true;
  return objectsGrew(group) || gainedSamples(group) >= MIN_GAINED_SAMPLES;
}

/**
 * Live samples gained from the start to the end of each lifetime, summed (levels as medians
 * of blocks of a ninth of the points), less the group's old samples seen dying in it. A
 * leak's samples never die; a sample that lived several ticks and then went shows objects
 * at this site that live a bounded time, and such a population rises as a leak does until
 * its first objects die of age (agents held 30 s by their connection's timer rise for 30 s
 * of a 70 s run), to a level of about as many samples as die in one lifetime. So each old
 * death is one sample of the rise a turnover may explain. Unless the group's survivors
 * (samples far older than any of its samples seen dying, where the recording counts them)
 * keep growing: a leak beside objects that turn over, whose deaths say nothing about it.
 */
export function gainedSamples(group: Pick<GroupSeries, 'counts'> & Partial<Pick<GroupSeries, 'deaths' | 'survivors'>>): number {
  let gained = 0;
  let died = 0;
  let survivorsGained = 0;
  group.counts.forEach((counts, segment) => {
    if (counts.length < 2) return;
    gained += levelRise(counts);
    for (const deaths of group.deaths?.[segment] ?? []) died += deaths;
    const survivors = group.survivors?.[segment];
    if (survivors) survivorsGained += levelRise(survivors);
  });
  return survivorsGained >= MIN_SURVIVOR_GAIN ? gained : Math.max(0, gained - died);
}

/**
 * Whether the group's live objects are bigger per sample at the end of some lifetime than
 * where it first held any (1.5 times): objects that grow instead of multiplying. Meant for
 * one site: a sum of sites changes its bytes per sample with its mix of sites.
 */
export function objectsGrew(group: Pick<GroupSeries, 'counts' | 'bytes'>): boolean {
  return group.counts.some((counts, segment) => {
    const n = counts.length;
    if (n < 2) return false;
    const bytes = group.bytes[segment]!;
    const block = blockOf(n);
    const last = { count: median(counts.subarray(n - block, n)), bytes: median(bytes.subarray(n - block, n)) };
    const firstHeld = counts.findIndex((count) => count > 0);
    const early = firstHeld < 0 ? 0 : bytes[firstHeld]! / counts[firstHeld]!;
    return early > 0 && last.count > 0 && last.bytes / last.count >= 1.5 * early;
  });
}

/**
 * How much one lifetime's series rose from its start to its end, never below 0: levels are the
 * medians of blocks of a ninth of the points at both ends.
 */
export function levelRise(series: Float64Array): number {
  const n = series.length;
  if (n < 2) return 0;
  const block = blockOf(n);
  return Math.max(0, median(series.subarray(n - block, n)) - median(series.subarray(0, block)));
}

/** Levels are medians of small blocks, so that one noisy sample does not decide. */
function blockOf(points: number): number {
  return Math.max(1, Math.round(points / 9));
}
