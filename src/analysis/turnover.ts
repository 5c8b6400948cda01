import { median } from './order-statistics.js';
import type { GroupSeries } from './series.js';

/** Fewer old samples dying than this in the later half is no evidence of turnover. */
const MIN_OLD_DEATHS = 3;

/**
 * A cache at its bound, not a leak: in the later half of each process lifetime, at least
 * as many of the group's old sampled objects died (lived through several ticks, then
 * went: LRU eviction, TTL expiry) as it gained, and a few at least. A leaked object's
 * sample never dies, so a leak gains far more than it loses. Needs recordings whose rows
 * count old deaths (the inspector sampler tells samples apart by their allocation order).
 */
export function turnsOver(group: GroupSeries): boolean {
  let deaths = 0;
  let gained = 0;
  group.counts.forEach((counts, segment) => {
    const n = counts.length;
    if (n < 4) return;
    const middle = Math.floor(n / 2);
    // levels as medians of small blocks, so that one noisy sample does not decide
    const block = Math.max(1, Math.round(n / 6));
    gained += median(counts.subarray(n - block, n)) - median(counts.subarray(Math.max(0, middle - (block >> 1)), Math.max(0, middle - (block >> 1)) + block));
    const died = group.deaths[segment]!;
    for (let i = middle + 1; i < n; i++) deaths += died[i]!;
  });
  return deaths >= MIN_OLD_DEATHS && deaths >= gained;
}
