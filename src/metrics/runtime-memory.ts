import v8 from 'node:v8';
import type { ProcessSample } from '../model/process.js';

/** Memory of this process now, in the shape the tracer records it (for metrics read without a tracer). */
export function liveRuntimeMemory(): Required<Pick<ProcessSample, 'memory' | 'heapSpaces' | 'handles'>> {
  const memory = process.memoryUsage();
  const heapSpaces: Record<string, { size: number; used: number }> = {};
  for (const space of v8.getHeapSpaceStatistics()) heapSpaces[space.space_name] = { size: space.space_size, used: space.space_used_size };
  const handles: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) handles[type] = (handles[type] ?? 0) + 1;
  return {
    memory: { rss: memory.rss, heapTotal: memory.heapTotal, heapUsed: memory.heapUsed, external: memory.external, arrayBuffers: memory.arrayBuffers },
    heapSpaces,
    handles,
  };
}
