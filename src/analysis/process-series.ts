import type { MemoryUsage } from '../model/process.js';
import type { LifetimeSeries } from './lifetime-series.js';

export type MemorySeriesName = 'rss' | 'heapTotal' | 'heapUsed' | 'external' | 'arrayBuffers' | 'nativeGap';
export const MEMORY_SERIES: readonly MemorySeriesName[] = ['rss', 'heapTotal', 'heapUsed', 'external', 'arrayBuffers', 'nativeGap'];

/** Process-wide series, one array per segment (process lifetime). */
export interface ProcessSeries {
  times: Float64Array[];
  memory: Record<MemorySeriesName, Float64Array[]>;
  /** Active handles and requests by type, and open file descriptors as type `fds`; 0 where a type is absent. */
  handles: Map<string, Float64Array[]>;
}

/** RSS that neither the JS heap (as committed) nor external memory explains: native allocations, code, stacks. */
export function nativeGap(memory: MemoryUsage): number {
  return memory.rss - memory.heapTotal - memory.external;
}

export function processSeries(lifetimes: readonly LifetimeSeries[]): ProcessSeries {
  const times = lifetimes.map((lifetime) => lifetime.process.times);
  const memory = Object.fromEntries(MEMORY_SERIES.map((name) => [name, lifetimes.map((lifetime) => lifetime.process.memory[name])])) as Record<
    MemorySeriesName,
    Float64Array[]
  >;
  const handles = new Map<string, Float64Array[]>();
  lifetimes.forEach((lifetime, segment) => {
    for (const [type, values] of lifetime.process.handles) {
      let series = handles.get(type);
      if (!series) handles.set(type, (series = times.map((segmentTimes) => new Float64Array(segmentTimes.length))));
      series[segment] = values;
    }
  });
  return { times, memory, handles };
}
