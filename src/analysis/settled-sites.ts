import { toSegments } from './group-segments.js';
import { examineSeries, levelledOff, type LeakCriteria } from './leak-test.js';
import type { AllocationSeries, GroupSeries } from './series.js';
import { turnsOver } from './turnover.js';
import { boundedLifetime } from './bounded-lifetime.js';

/** What the allocation sites whose growth has settled hold, on the process series' clock. */
export interface SettledSites {
  /** Sites at a cache's bound: their old sampled objects die as fast as they gain (an LRU evicting, a TTL expiring). */
  cachesAtBound: number;
  /** Sites whose objects live a bounded time: no live sample older than ones that died (bounded-lifetime.ts). */
  shortLived: number;
  /** The longest such lifetime, in ms (0 when `shortLived` is 0). */
  longestLifetimeMs: number;
  /** Sites that rose and kept what they gained, but whose rise levelled off early in the window (a warm-up, a one-off load). */
  levelledOff: number;
  /** Their summed live bytes at each process sample, one array per process lifetime. */
  bytes: Float64Array[];
}

/**
 * The allocation sites whose own series says their growth is over, and what they hold.
 * The used heap holds their bytes too: while a cache fills or a table warms up, the heap
 * grows with it, and that part of its growth is explained by sites already judged. A site
 * counts when it turns over (turnover.ts, where the recording counts old deaths), when its
 * objects live a bounded time (bounded-lifetime.ts, where it records the oldest sample's age), or when
 * its rise is large and retained but not persistent: its surviving objects date from the
 * early part of the window. Sites that leak are never among them (persistence is one of
 * the leak tests), so what a leak adds to the heap stays in the rest. Sums are taken at
 * the process samples' times (the newest allocation sample at or before each).
 * Undefined when no site has settled.
 */
export function settledSites(series: AllocationSeries, processTimes: readonly Float64Array[], criteria: LeakCriteria, maxPoints: number, generations: boolean): SettledSites | undefined {
  const caches = generations ? series.lineno.filter(turnsOver) : [];
  const lifetimes = new Map<GroupSeries, number>();
  if (generations) {
    for (const site of series.lineno) {
      if (caches.includes(site)) continue;
      const lifetime = boundedLifetime(site, series);
      if (lifetime !== undefined) lifetimes.set(site, lifetime);
    }
  }
  const warmUps = series.lineno.filter((site) => {
    if (caches.includes(site) || lifetimes.has(site)) return false;
    return levelledOff(examineSeries(toSegments(series.times, site.bytes, maxPoints), criteria, SCREEN_P_VALUE), criteria);
  });
  const settled = [...caches, ...lifetimes.keys(), ...warmUps];
  if (settled.length === 0) return undefined;
  const bytes = processTimes.map((times, segment) => {
    const allocationTimes = series.times[segment] ?? new Float64Array(0);
    const summed = new Float64Array(allocationTimes.length);
    for (const site of settled) {
      const values = site.bytes[segment]!;
      for (let i = 0; i < summed.length; i++) summed[i]! += values[i]!;
    }
    const aligned = new Float64Array(times.length);
    let j = -1;
    for (let i = 0; i < times.length; i++) {
      while (j + 1 < allocationTimes.length && allocationTimes[j + 1]! <= times[i]!) j++;
      aligned[i] = summed.length > 0 ? summed[Math.max(0, j)]! : 0;
    }
    return aligned;
  });
  return { cachesAtBound: caches.length, shortLived: lifetimes.size, longestLifetimeMs: Math.max(0, ...lifetimes.values()), levelledOff: warmUps.length, bytes };
}

/**
 * A site whose rise is not even this significant on its own holds nothing worth taking
 * out of the heap: its bytes stay in (the heap's own test decides), and the screen keeps
 * the examination of hundreds of flat sites cheap.
 */
const SCREEN_P_VALUE = 0.05;
