import { downsampleSegment, type Segment } from './segment.js';
import type { SeriesPoint } from './verdict.js';

/** A series as segments (one per process lifetime), each reduced to at most `maxPoints` points. */
export function toSegments(times: readonly Float64Array[], values: readonly Float64Array[], maxPoints: number): Segment[] {
  return times.map((segmentTimes, i) => downsampleSegment({ times: segmentTimes, values: values[i]! }, maxPoints));
}

/** Points for charts, segment after segment. */
export function seriesPoints(segments: readonly Segment[]): SeriesPoint[] {
  const points: SeriesPoint[] = [];
  for (const { times, values } of segments) {
    for (let i = 0; i < values.length; i++) points.push({ time: times[i]!, value: values[i]! });
  }
  return points;
}

/** The value at the last sample. */
export function lastValue(values: readonly Float64Array[]): number {
  const last = values.at(-1);
  return last && last.length > 0 ? last[last.length - 1]! : 0;
}
