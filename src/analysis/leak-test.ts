import { seriesShape, type BlockLevel, type SeriesShape } from './series-shape.js';
import { totalSpan, type Segment } from './segment.js';
import { pooledMannKendall, trendTest } from './trend.js';

/** What a rise must show to be a leak, for one kind of series. */
export interface LeakCriteria {
  /** Measurement quantum: the sampling interval for sampled heap estimates, 1 for counts, 0 for exact bytes. */
  resolution: number;
  /**
   * How a block of points gives the levels that persistence and the drawdown compare:
   * `floor` for exact series whose transients go up only (series-shape.ts). Default `median`.
   */
  blockLevel?: BlockLevel;
  /** Smallest growth over the window that counts, given where the series started. */
  minGrowth(startLevel: number): number;
  /** The growth must also exceed this many robust scales of the residuals around the trend. */
  noiseZ: number;
  /** The rise from the middle to the end must be at least this share of the rise from the start to the middle. */
  persistenceRatio: number;
  /** The floor (minima of the last vs the first third) must rise by at least this share of what the slope predicts. */
  retentionRatio: number;
  /** The smoothed series may fall back below its running maximum by at most this share of the growth. */
  maxDrawdownRatio: number;
  /**
   * The raw series may fall below its running maximum by at most this share of the growth.
   * Set for sampled heap sites: V8 keeps a leaked object's sample as long as it lives, so a
   * leak's series only steps up, while a saw-tooth drops most of what it gained every tooth.
   */
  maxRawDrawdownRatio?: number;
}

/** The evidence about one series before the correction for testing many. */
export interface SeriesExamination {
  /** One-sided p-value for an increase (Mann-Kendall, autocorrelation corrected, pooled over segments). */
  pValue: number;
  /** Theil-Sen slope per millisecond; 0 when screened out. */
  slopePerMs: number;
  /** Slope times the time covered by the segments. */
  growth: number;
  /** The growth is larger than the noise and the minimum that counts. */
  large: boolean;
  /** The later part still rises: not a warm-up that levelled off. */
  persistent: boolean;
  /** The floor rises and the series does not fall back far: not a saw-tooth, not wandering live memory. */
  retained: boolean;
  shape?: SeriesShape;
}

/**
 * Examines one series. `screenPValue` skips the costly part (autocorrelation
 * correction, slope, shape) when plain Mann-Kendall's p-value is already above it: the
 * correction only raises p-values, so such a series can never pass a test at that level.
 */
export function examineSeries(segments: readonly Segment[], criteria: LeakCriteria, screenPValue = 1): SeriesExamination {
  const screen = pooledMannKendall(segments);
  if (screen.pValue > screenPValue) {
    return { pValue: screen.pValue, slopePerMs: 0, growth: 0, large: false, persistent: false, retained: false };
  }
  const trend = trendTest(segments, criteria.resolution);
  const growth = trend.slopePerMs * totalSpan(segments);
  const shape = seriesShape(segments, trend.slopePerMs, criteria.blockLevel);
  const large = growth > 0 && growth >= criteria.minGrowth(shape.startLevel) && growth >= criteria.noiseZ * shape.residualScale;
  const persistent = risesLate(shape, criteria) && (criteria.blockLevel !== 'floor' || risesLate(seriesShape(segments, trend.slopePerMs, 'median'), criteria));
  const retained =
    shape.floorRise > 0 &&
    shape.floorRise >= criteria.retentionRatio * trend.slopePerMs * shape.floorSpanMs &&
    shape.maxDrawdown <= criteria.maxDrawdownRatio * growth &&
    (criteria.maxRawDrawdownRatio === undefined || shape.maxRawDrawdown <= criteria.maxRawDrawdownRatio * growth);
  return { pValue: trend.pValue, slopePerMs: trend.slopePerMs, growth, large, persistent, retained, shape };
}

/**
 * The rise from the middle of the window to its end is a share of the rise before it. Floors
 * must show it and medians too: a median is pulled up by upward transients in its block
 * (Buffers counted until V8's sweep frees them), a floor is pulled down where the series
 * still rises in its block (a floor is the block's first point there), so a rise that ends
 * near the middle of the window (connections holding Buffers for 30 s of a 70 s run) leaves
 * the middle floor low and a plateau looks like a late rise. A leak's late rise holds under both.
 */
function risesLate(shape: SeriesShape, criteria: LeakCriteria): boolean {
  return shape.lateRise > 0 && shape.lateRise >= criteria.persistenceRatio * shape.earlyRise;
}

/** A leak: significant after the correction for many tests, growing, large enough, persistent and retained. */
export function isLeak(examination: SeriesExamination, adjustedPValue: number, fdr: number): boolean {
  return adjustedPValue <= fdr && examination.slopePerMs > 0 && examination.large && examination.persistent && examination.retained;
}

/**
 * A rise that is over: the series rose beyond the smallest growth that counts (from its
 * first block to its last), its floor rose with it (the objects stay), and the later part
 * of the window no longer rises at a comparable rate (not persistent): a warm-up, a cache
 * that filled, a one-off load. Measured on levels rather than the slope, which says little
 * about a step.
 */
export function levelledOff(examination: SeriesExamination, criteria: LeakCriteria): boolean {
  const shape = examination.shape;
  if (!shape || examination.persistent) return false;
  const risen = shape.earlyRise + shape.lateRise;
  return risen > 0 && risen >= criteria.minGrowth(shape.startLevel) && risen >= criteria.noiseZ * shape.residualScale && shape.floorRise > 0;
}
