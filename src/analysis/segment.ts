import { medianOfSorted } from './order-statistics.js';

/**
 * A series within one process lifetime: values at times (epoch milliseconds, rising).
 * A series that spans restarts is a list of segments; trends are fitted within each
 * segment and pooled, never across a restart.
 */
export interface Segment {
  times: ArrayLike<number>;
  values: ArrayLike<number>;
}

/** Milliseconds between the first and the last point. */
export function segmentSpan(segment: Segment): number {
  const n = segment.times.length;
  return n < 2 ? 0 : segment.times[n - 1]! - segment.times[0]!;
}

/** Total milliseconds covered by the segments (gaps between processes excluded). */
export function totalSpan(segments: readonly Segment[]): number {
  return segments.reduce((sum, segment) => sum + segmentSpan(segment), 0);
}

/**
 * At most `maxPoints` points: consecutive buckets of equal size replaced by their
 * median value at their median time. Medians keep steps sharp and ignore a lone spike,
 * and the trend tests stay O(maxPoints²) however long the recording is.
 */
export function downsampleSegment(segment: Segment, maxPoints: number): Segment {
  const n = segment.values.length;
  if (n <= maxPoints) return segment;
  const buckets = Math.max(1, Math.floor(maxPoints));
  const all = Float64Array.from(segment.values);
  const times = new Float64Array(buckets);
  const values = new Float64Array(buckets);
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor((b * n) / buckets);
    const to = Math.floor(((b + 1) * n) / buckets);
    values[b] = medianOfSorted(all.slice(from, to).sort());
    times[b] = segment.times[(from + to - 1) >> 1]!;
  }
  return { times, values };
}
