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

/**
 * Whether the group's growth is carried by enough sampled objects. A group whose objects
 * grow instead of multiplying (an array's or a Map's backing store, replaced by one twice as
 * big each time it fills; 1.5 times bigger at the end is enough) shows its growth in bytes
 * per sample, not in samples: it is judged by the trend alone. Exact sizes (Python's
 * tracemalloc) count every object and skip this.
 */
export function enoughSamples(group: Pick<GroupSeries, 'counts' | 'bytes'> & Partial<Pick<GroupSeries, 'deaths'>>, sampled: boolean): boolean {
  if (!sampled) return true;
  return objectsGrew(group) || gainedSamples(group) >= MIN_GAINED_SAMPLES;
}

/**
 * Live samples gained to the end of each lifetime, summed (levels as medians of blocks of a
 * ninth of the points), counted from the start, or from where the group's first old sample
 * died when one did. Until its first objects die of age, a population that lives a bounded
 * time rises exactly as a leak does (connections held 30 s by a timer, in a 70 s run, rise
 * for 30 s): that rise is no evidence either way. Once old samples are seen dying, only what
 * the group gains after that outgrows its turnover. A leak's samples never die, so this
 * changes nothing for a pure leak, and a leak beside objects that turn over keeps gaining
 * after their first deaths.
 */
export function gainedSamples(group: Pick<GroupSeries, 'counts'> & Partial<Pick<GroupSeries, 'deaths'>>): number {
  let gained = 0;
  group.counts.forEach((counts, segment) => {
    const n = counts.length;
    if (n < 2) return;
    const block = blockOf(n);
    const firstDeath = group.deaths?.[segment]?.findIndex((died) => died > 0) ?? -1;
    const from = firstDeath <= 0 ? 0 : Math.min(n - block, Math.max(0, firstDeath - (block >> 1)));
    gained += Math.max(0, median(counts.subarray(n - block, n)) - median(counts.subarray(from, from + block)));
  });
  return gained;
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

/** Levels are medians of small blocks, so that one noisy sample does not decide. */
function blockOf(points: number): number {
  return Math.max(1, Math.round(points / 9));
}
