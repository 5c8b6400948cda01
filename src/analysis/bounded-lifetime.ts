import type { AllocationSeries, GroupSeries } from './series.js';

/** Fewer old sampled objects seen dying in a lifetime than this is no evidence that the site's objects die at all. */
const MIN_OLD_DEATHS = 2;

/** Points a lifetime needs before its ages say anything. */
const MIN_POINTS = 6;

/**
 * Ticks the oldest live sample at the end may be older than the oldest sample proven dead:
 * the same lifetime spans one tick more or less depending on when in a tick it started.
 */
const SLACK_TICKS = 1;

/**
 * The longest lifetime still "bounded": at most this share of the lifetime's ticks, so that
 * the window held at least two generations of the site's objects, one of which died.
 */
export const MAX_SHARE_OF_SPAN = 0.5;

/**
 * A population that grows only in number: its live objects at the end may be at most this
 * many times the size of those it held before. A structure that grows by reallocation (an
 * array's backing store, a string or Buffer concatenated onto itself) replaces its sampled
 * objects by bigger ones: their samples die young, but what the site holds is a leak.
 */
const MAX_SIZE_RATIO = 1.5;

/**
 * The longest time the site's objects live, in ms, when every process lifetime in which it
 * holds samples at the end shows them living a bounded time; undefined otherwise (and where
 * the recording does not carry the oldest live sample's age).
 *
 * Why it clears a rising site: a leaked object's sample never dies, so a leaking site's
 * oldest live sample is as old as the leak. A sample seen at a point with an age that it
 * could not have at the end (its age there plus the ticks since exceed the oldest live age
 * now, E) has died. When some such dead sample had lived within a tick of E, no live sample
 * has outlived what the site's objects are seen to live: they live at most about E (a
 * connection held 30 s by a timer, a TTL cache, requests in flight), and the site's rise,
 * however steady it looks in a short window with few samples, is a population that turns
 * over, not a leak. Required as well: that lifetime at most half the window (two generations
 * seen), a few old deaths counted, and no growth in the size of the live objects (see
 * MAX_SIZE_RATIO).
 *
 * A leak's own first sample is never proven dead, so it never vouches for itself: a leak at
 * the same stack as short-lived objects, or one that starts late in the run, is judged as
 * before from the moment its first sample has outlived the short-lived ones by a tick.
 */
export function boundedLifetime(group: GroupSeries, series: Pick<AllocationSeries, 'ticks' | 'tickMs'>, maxShareOfSpan = MAX_SHARE_OF_SPAN): number | undefined {
  const oldest = group.oldest;
  if (!oldest) return undefined;
  let longest: number | undefined;
  for (let segment = 0; segment < oldest.length; segment++) {
    const counts = group.counts[segment]!;
    const n = counts.length;
    if (n === 0 || counts[n - 1]! <= 0) continue; // holds nothing at the end: no claim either way
    const ticks = segmentBound(oldest[segment]!, counts, group.bytes[segment]!, group.deaths[segment]!, series.ticks[segment]!, maxShareOfSpan);
    if (ticks === undefined) return undefined;
    longest = Math.max(longest ?? 0, ticks * series.tickMs[segment]!);
  }
  return longest;
}

/**
 * The bound in ticks of one process lifetime, or undefined. `maxShareOfSpan` is the verdict's
 * MAX_SHARE_OF_SPAN; `run`'s live trigger passes 1 to ask whether a window too short for the
 * verdict already shows the site's objects dying of age (it then waits, see cli/suspect-sites.ts).
 */
export function segmentBound(oldest: Float64Array, counts: Float64Array, bytes: Float64Array, deaths: Float64Array, ticks: Float64Array, maxShareOfSpan = MAX_SHARE_OF_SPAN): number | undefined {
  const n = counts.length;
  if (n < MIN_POINTS) return undefined;
  const end = ticks[n - 1]!;
  const now = oldest[n - 1]!;
  // the oldest age among samples proven dead: alive at the end, it would be older than `now`
  let dead = 0;
  for (let i = 0; i < n - 1; i++) if (oldest[i]! + (end - ticks[i]!) > now) dead = Math.max(dead, oldest[i]!);
  if (dead <= 0 || now > dead + SLACK_TICKS) return undefined;
  const longest = Math.max(now, dead);
  if (longest > maxShareOfSpan * (end - ticks[0]!)) return undefined;
  let died = 0;
  for (let i = 0; i < n; i++) died += deaths[i]!;
  if (died < MIN_OLD_DEATHS) return undefined;
  // the live objects' size at the end, against what the site held before its oldest live sample was born
  let bytesBefore = 0;
  let countsBefore = 0;
  for (let i = 0; i < n && ticks[i]! < end - now; i++) {
    bytesBefore += bytes[i]!;
    countsBefore += counts[i]!;
  }
  if (countsBefore <= 0) return undefined;
  if (bytes[n - 1]! / counts[n - 1]! > MAX_SIZE_RATIO * (bytesBefore / countsBefore)) return undefined;
  return longest;
}
