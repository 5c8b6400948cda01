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
 * big each time it fills; 1.5 times bigger at the end is enough) shows its growth in bytes per sample, not in samples: it is judged
 * by the trend alone. Exact sizes (Python's tracemalloc) count every object and skip this.
 */
export function enoughSamples(group: Pick<GroupSeries, 'counts' | 'bytes'>, sampled: boolean): boolean {
  if (!sampled) return true;
  let gained = 0;
  let objectsGrew = false;
  group.counts.forEach((counts, segment) => {
    const n = counts.length;
    if (n < 2) return;
    // levels as medians of small blocks, so that one noisy sample does not decide
    const block = Math.max(1, Math.round(n / 9));
    const first = { count: median(counts.subarray(0, block)), bytes: median(group.bytes[segment]!.subarray(0, block)) };
    const last = { count: median(counts.subarray(n - block, n)), bytes: median(group.bytes[segment]!.subarray(n - block, n)) };
    gained += Math.max(0, last.count - first.count);
    // bytes per sample where the group first held any, against the end
    const firstHeld = counts.findIndex((count) => count > 0);
    const early = firstHeld < 0 ? 0 : group.bytes[segment]![firstHeld]! / counts[firstHeld]!;
    if (early > 0 && last.count > 0 && last.bytes / last.count >= 1.5 * early) objectsGrew = true;
  });
  return objectsGrew || gained >= MIN_GAINED_SAMPLES;
}
