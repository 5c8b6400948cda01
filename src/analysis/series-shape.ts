import { median, minimum } from './order-statistics.js';
import type { Segment } from './segment.js';

/**
 * How a block of consecutive points gives one level: its median, or its floor (the
 * minimum). The floor is for exact series whose transients go up only: memory counted
 * until it is freed lazily (a Buffer that died but whose backing store V8 frees after the
 * next GC's sweep, in-flight work held for a moment). A retained allocation is counted at
 * every tick, so it is in the floor; a transient is in some ticks only. A median of a block
 * of four is pulled up half way by two such spikes in it.
 */
export type BlockLevel = 'median' | 'floor';

/**
 * How a rise is spread over a series, pooled over its segments. Levels are block levels
 * (medians, or floors: BlockLevel) of small blocks (a sixth of the points) at the start,
 * middle and end; floors are minima of the first and last thirds.
 */
export interface SeriesShape {
  /** Start level of the first segment: the mean of its first third (what sampling noise is measured against). */
  startLevel: number;
  /** Rise from the start to the middle, summed over segments. */
  earlyRise: number;
  /** Rise from the middle to the end, summed over segments. */
  lateRise: number;
  /** Rise of the floor: minimum of the last third minus minimum of the first third, summed. */
  floorRise: number;
  /** Milliseconds between the centres of the first and last thirds, summed (what the floor rise spans). */
  floorSpanMs: number;
  /** Robust scale (1.4826 x MAD) of the residuals around the fitted line. */
  residualScale: number;
  /**
   * The deepest fall back of the smoothed series (block levels of blocks of a tenth of the
   * points, at least 3) below its running maximum, the largest over segments. A leak's
   * retained part never falls back; wandering live memory and saw-tooths do.
   */
  maxDrawdown: number;
  /** The deepest fall of the raw series below its running maximum, the largest over segments. */
  maxRawDrawdown: number;
}

export function seriesShape(segments: readonly Segment[], slopePerMs: number, blockLevel: BlockLevel = 'median'): SeriesShape {
  const level = blockLevel === 'floor' ? minimum : median;
  let earlyRise = 0;
  let lateRise = 0;
  let floorRise = 0;
  let floorSpanMs = 0;
  let maxDrawdown = 0;
  let maxRawDrawdown = 0;
  const residuals: number[] = [];
  for (const { times, values } of segments) {
    const n = values.length;
    if (n < 3) continue;
    const block = Math.max(1, Math.round(n / 6));
    const start = level(slice(values, 0, block));
    const midFrom = Math.max(0, Math.floor((n - block) / 2));
    const middle = level(slice(values, midFrom, midFrom + block));
    const end = level(slice(values, n - block, n));
    earlyRise += middle - start;
    lateRise += end - middle;

    const third = Math.max(1, Math.floor(n / 3));
    floorRise += minimum(slice(values, n - third, n)) - minimum(slice(values, 0, third));
    floorSpanMs += times[n - 1 - (third >> 1)]! - times[third >> 1]!;

    maxDrawdown = Math.max(maxDrawdown, drawdownOfBlockLevels(values, level));
    maxRawDrawdown = Math.max(maxRawDrawdown, drawdown(slice(values, 0, n)));

    const shifted = Array.from({ length: n }, (_, i) => values[i]! - slopePerMs * (times[i]! - times[0]!));
    const intercept = median(shifted);
    for (const value of shifted) residuals.push(value - intercept);
  }
  const firstValues = segments.find((segment) => segment.values.length > 0)?.values;
  const startLevel = firstValues ? mean(slice(firstValues, 0, Math.max(1, Math.floor(firstValues.length / 3)))) : 0;
  const residualScale = residuals.length > 0 ? 1.4826 * median(residuals.map(Math.abs)) : 0;
  return { startLevel, earlyRise, lateRise, floorRise, floorSpanMs, residualScale, maxDrawdown, maxRawDrawdown };
}

function drawdown(levels: readonly number[]): number {
  let peak = -Infinity;
  let deepest = 0;
  for (const level of levels) {
    peak = Math.max(peak, level);
    deepest = Math.max(deepest, peak - level);
  }
  return deepest;
}

function drawdownOfBlockLevels(values: ArrayLike<number>, level: (block: readonly number[]) => number): number {
  const n = values.length;
  const size = Math.max(3, Math.round(n / 10));
  const levels: number[] = [];
  for (let from = 0; from + size <= n; from += size) levels.push(level(slice(values, from, from + size)));
  return drawdown(levels);
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function slice(values: ArrayLike<number>, from: number, to: number): number[] {
  return Array.prototype.slice.call(values, from, to) as number[];
}
