import { normalUpperTail } from './normal-distribution.js';
import { averageRanks, medianOfSorted } from './order-statistics.js';
import type { Segment } from './segment.js';

/** Mann-Kendall's S and its variance under no trend, corrected for ties. */
export interface MannKendall {
  n: number;
  s: number;
  variance: number;
}

export function mannKendall(values: ArrayLike<number>): MannKendall {
  const n = values.length;
  let s = 0;
  for (let i = 0; i < n - 1; i++) {
    const vi = values[i]!;
    for (let j = i + 1; j < n; j++) {
      const d = values[j]! - vi;
      if (d > 0) s++;
      else if (d < 0) s--;
    }
  }
  return { n, s, variance: tieCorrectedVariance(values) };
}

/** Var(S) = [n(n-1)(2n+5) - sum over tie groups of t(t-1)(2t+5)] / 18. */
export function tieCorrectedVariance(values: ArrayLike<number>): number {
  const n = values.length;
  const sorted = Float64Array.from(values).sort();
  let ties = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && sorted[j + 1] === sorted[i]) j++;
    const t = j - i + 1;
    if (t > 1) ties += t * (t - 1) * (2 * t + 5);
    i = j + 1;
  }
  return (n * (n - 1) * (2 * n + 5) - ties) / 18;
}

/**
 * Hamed and Rao's (1998) variance inflation n/n* for autocorrelated series: the
 * autocorrelations of the ranks of the detrended series, only at lags where they are
 * significant (|r| > 1.96/sqrt(n)). Floored at 1: negative autocorrelation is not
 * allowed to make a trend look more certain than plain Mann-Kendall says.
 *
 * `resolution` is the measurement quantum (a sampled heap estimate moves in steps of
 * about one sampling interval): residuals are rounded to it, so the saw-tooth a
 * staircase leaves around its fitted line is not mistaken for autocorrelated noise.
 */
export function hamedRaoFactor(segment: Segment, slopePerMs: number, resolution = 0): number {
  const n = segment.values.length;
  if (n < 4) return 1;
  const t0 = segment.times[0]!;
  const detrended = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const residual = segment.values[i]! - slopePerMs * (segment.times[i]! - t0);
    detrended[i] = resolution > 0 ? Math.round(residual / resolution) : residual;
  }
  const ranks = averageRanks(detrended);
  const mean = (n + 1) / 2;
  let denominator = 0;
  for (let i = 0; i < n; i++) denominator += (ranks[i]! - mean) ** 2;
  if (denominator === 0) return 1;
  const bound = 1.96 / Math.sqrt(n);
  let sum = 0;
  for (let k = 1; k <= n - 3; k++) {
    let covariance = 0;
    for (let i = 0; i < n - k; i++) covariance += (ranks[i]! - mean) * (ranks[i + k]! - mean);
    const r = covariance / denominator;
    if (Math.abs(r) > bound) sum += (n - k) * (n - k - 1) * (n - k - 2) * r;
  }
  return Math.max(1, 1 + (2 * sum) / (n * (n - 1) * (n - 2)));
}

/** Pairwise slopes kept at most, per series; above it every k-th pair is used (deterministic). */
export const MAX_SLOPE_PAIRS = 40_000;

/**
 * Theil-Sen slope in value units per millisecond: the median of the slopes between all
 * pairs of points of the same segment (pairs across a restart are never formed).
 */
export function theilSenSlope(segments: readonly Segment[], maxPairs = MAX_SLOPE_PAIRS): number {
  let total = 0;
  for (const segment of segments) total += (segment.values.length * (segment.values.length - 1)) / 2;
  if (total === 0) return 0;
  const stride = Math.max(1, Math.ceil(total / maxPairs));
  const slopes = new Float64Array(Math.ceil(total / stride));
  let kept = 0;
  let counter = 0;
  for (const { times, values } of segments) {
    const n = values.length;
    for (let i = 0; i < n - 1; i++) {
      for (let j = i + 1; j < n; j++) {
        if (counter++ % stride !== 0) continue;
        const dt = times[j]! - times[i]!;
        if (dt > 0) slopes[kept++] = (values[j]! - values[i]!) / dt;
      }
    }
  }
  return kept === 0 ? 0 : medianOfSorted(slopes.subarray(0, kept).sort());
}

/** One-sided p-value of S for an increasing trend, with continuity correction. */
export function increasePValue(s: number, variance: number): number {
  if (!(variance > 0)) return s > 0 ? 0 : 1;
  const z = s > 0 ? (s - 1) / Math.sqrt(variance) : s < 0 ? (s + 1) / Math.sqrt(variance) : 0;
  return normalUpperTail(z);
}

/** Mann-Kendall pooled over segments (S and variances summed), without autocorrelation correction: cheap, for screening. */
export function pooledMannKendall(segments: readonly Segment[]): { s: number; variance: number; pValue: number } {
  return poolSegments(segments, () => 1);
}

/** Mann-Kendall S and variance summed over segments of 3 or more points, each variance scaled by `inflation`. */
function poolSegments(segments: readonly Segment[], inflation: (segment: Segment) => number): { s: number; variance: number; pValue: number } {
  let s = 0;
  let variance = 0;
  for (const segment of segments) {
    if (segment.values.length < 3) continue;
    const test = mannKendall(segment.values);
    s += test.s;
    variance += test.variance * inflation(segment);
  }
  return { s, variance, pValue: increasePValue(s, variance) };
}

export interface TrendTest {
  /** Pooled S. */
  s: number;
  /** Pooled variance of S after the autocorrelation correction. */
  variance: number;
  /** One-sided p-value for an increase. */
  pValue: number;
  /** Theil-Sen slope, value units per millisecond. */
  slopePerMs: number;
}

/**
 * Is there an upward trend? Mann-Kendall per segment, each variance inflated by the
 * Hamed-Rao factor of its autocorrelation, pooled over segments (restarts), with the
 * pooled Theil-Sen slope.
 */
export function trendTest(segments: readonly Segment[], resolution = 0): TrendTest {
  const slopePerMs = theilSenSlope(segments);
  return { ...poolSegments(segments, (segment) => hamedRaoFactor(segment, slopePerMs, resolution)), slopePerMs };
}
