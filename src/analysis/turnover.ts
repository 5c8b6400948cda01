import { median } from './order-statistics.js';
import type { GroupSeries } from './series.js';

/** Fewer old samples dying than this in the newest third is no evidence of turnover. */
const MIN_OLD_DEATHS = 3;

/** Survivors gained in the newest third from which a group keeps objects for good beside those that turn over. */
const MIN_SURVIVOR_GAIN = 3;

/**
 * A cache at its bound, not a leak: in the newest third of each process lifetime, at
 * least as many of the group's old sampled objects died (lived through several ticks,
 * then went: LRU eviction, TTL expiry) as it gained, and a few at least. A leaked
 * object's sample never dies, so a leak gains far more than it loses. The newest third,
 * not a longer stretch: a cache that filled during most of the window and is full now
 * shows it as soon as a third of the window has passed at its bound (bench/detection).
 * Needs recordings whose rows count old deaths (the inspector sampler tells samples
 * apart by their allocation order).
 *
 * Unless its survivors keep growing (where the recording counts them): objects leaked at
 * the same stack as objects that turn over (every fifth session kept for good, the rest
 * closed after a while) hide among their deaths, but their samples outlive by far every
 * sample of the stack seen to die, and there are ever more of them. A cache's long-lived
 * hot keys stay a fixed few, and the old samples of a cache at its bound are replaced.
 */
export function turnsOver(group: GroupSeries): boolean {
  let deaths = 0;
  let gained = 0;
  let survivorsGained = 0;
  group.counts.forEach((counts, segment) => {
    const n = counts.length;
    if (n < 4) return;
    const from = n - Math.max(2, Math.round(n / 3));
    // levels as medians of small blocks, so that one noisy sample does not decide
    const block = Math.max(1, Math.round(n / 9));
    const at = Math.max(0, from - (block >> 1));
    const rise = (series: Float64Array) => median(series.subarray(n - block, n)) - median(series.subarray(at, at + block));
    gained += rise(counts);
    const died = group.deaths[segment]!;
    for (let i = from + 1; i < n; i++) deaths += died[i]!;
    const survivors = group.survivors?.[segment];
    if (survivors) survivorsGained += rise(survivors);
  });
  return deaths >= MIN_OLD_DEATHS && deaths >= gained && survivorsGained < MIN_SURVIVOR_GAIN;
}
