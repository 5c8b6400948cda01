import { median } from './order-statistics.js';
import type { GroupSeries } from './series.js';

/** Fewer old samples dying than this in the newest third is no evidence of turnover. */
const MIN_OLD_DEATHS = 3;

/**
 * A cache at its bound, not a leak: in the newest third of each process lifetime, at
 * least as many of the group's old sampled objects died (lived through several ticks,
 * then went: LRU eviction, TTL expiry) as it gained, and a few at least. A leaked
 * object's sample never dies, so a leak gains far more than it loses. The newest third,
 * not a longer stretch: a cache that filled during most of the window and is full now
 * shows it as soon as a third of the window has passed at its bound (bench/detection).
 * Needs recordings whose rows count old deaths (the inspector sampler tells samples
 * apart by their allocation order).
 */
export function turnsOver(group: GroupSeries): boolean {
  let deaths = 0;
  let gained = 0;
  group.counts.forEach((counts, segment) => {
    const n = counts.length;
    if (n < 4) return;
    const from = n - Math.max(2, Math.round(n / 3));
    // levels as medians of small blocks, so that one noisy sample does not decide
    const block = Math.max(1, Math.round(n / 9));
    const at = Math.max(0, from - (block >> 1));
    gained += median(counts.subarray(n - block, n)) - median(counts.subarray(at, at + block));
    const died = group.deaths[segment]!;
    for (let i = from + 1; i < n; i++) deaths += died[i]!;
  });
  return deaths >= MIN_OLD_DEATHS && deaths >= gained;
}
