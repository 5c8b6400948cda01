import type { Recording } from '../formats/recording.js';
import { OPEN_FDS_TYPE, type MemoryUsage } from '../model/process.js';

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

export function processSeries(recordings: readonly Recording[]): ProcessSeries {
  const times = recordings.map((recording) => Float64Array.from(recording.samples, (sample) => sample.time));
  const memory = Object.fromEntries(
    MEMORY_SERIES.map((name) => [
      name,
      recordings.map((recording) =>
        Float64Array.from(recording.samples, ({ process: { memory: usage } }) => (name === 'nativeGap' ? nativeGap(usage) : (usage[name] ?? 0))),
      ),
    ]),
  ) as Record<MemorySeriesName, Float64Array[]>;

  const handles = new Map<string, Float64Array[]>();
  const seriesOf = (type: string) => {
    let series = handles.get(type);
    if (!series) handles.set(type, (series = recordings.map((recording) => new Float64Array(recording.samples.length))));
    return series;
  };
  recordings.forEach((recording, segment) => {
    recording.samples.forEach((sample, i) => {
      for (const [type, count] of Object.entries(sample.process.handles ?? {})) {
        if (typeof count === 'number') seriesOf(type)[segment]![i] = count;
      }
      if (typeof sample.process.openFds === 'number') seriesOf(OPEN_FDS_TYPE)[segment]![i] = sample.process.openFds;
    });
  });
  return { times, memory, handles };
}
