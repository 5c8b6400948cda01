import { median } from './order-statistics.js';
import type { GroupSeries } from './series.js';

/**
 * The late rise of a group that keeps growing at a steady rate is about its early rise; a
 * warm-up's falls short of this share of it.
 */
const STEADY_SHARE = 0.5;
/** How many standard deviations of counting noise the shortfall must exceed. */
const NOISE_Z = 2;

/**
 * The group's rise slowed down beyond counting noise: from the middle of each process
 * lifetime to its end it gained fewer live samples than half of what it gained from the
 * start to the middle (levels as medians of blocks of a sixth, as the persistence test
 * takes them), by at least `NOISE_Z` standard deviations. Surviving samples arrive like
 * counts of a Poisson process, so the shortfall of late - early / 2 has a variance of
 * about late + early / 4. A leak's staircase of a few samples can look slower by chance
 * and is not called slowed down; a table that warms up by hundreds of samples is.
 */
export function slowsDown(group: GroupSeries): boolean {
  let early = 0;
  let late = 0;
  for (const counts of group.counts) {
    const n = counts.length;
    if (n < 3) continue;
    const block = Math.max(1, Math.round(n / 6));
    const midFrom = Math.max(0, Math.floor((n - block) / 2));
    const middle = median(counts.subarray(midFrom, midFrom + block));
    early += middle - median(counts.subarray(0, block));
    late += median(counts.subarray(n - block, n)) - middle;
  }
  if (early <= 0) return false;
  const shortfall = STEADY_SHARE * early - Math.max(0, late);
  return shortfall > 0 && shortfall >= NOISE_Z * Math.sqrt(Math.max(1, Math.max(0, late) + STEADY_SHARE * STEADY_SHARE * early));
}
