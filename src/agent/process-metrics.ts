import { readdirSync } from 'node:fs';
import { PerformanceObserver, constants as perfConstants } from 'node:perf_hooks';
import v8 from 'node:v8';
import type { GcStats, MemoryLimits, ProcessSample } from '../model/process.js';
import { readCgroupMemoryLimit } from './cgroup.js';

const GC_KINDS: Record<number, string> = {
  [perfConstants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [perfConstants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [perfConstants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/**
 * Reads what the process looks like: memory, heap spaces, GC counts and pauses by
 * kind, active handles by type and open file descriptors. GC numbers come from a
 * performance observer that runs while the reader is open.
 */
export class ProcessMetrics {
  private readonly gc: GcStats = {};
  private observer: PerformanceObserver | undefined;
  /** Called after each garbage collection with its kind (`minor`, `major`, ...). */
  onGc: ((kind: string) => void) | undefined;

  open(): void {
    if (this.observer) return;
    this.observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const detail = (entry as { detail?: { kind?: number } }).detail;
        const kind = GC_KINDS[detail?.kind ?? -1] ?? 'other';
        const stats = (this.gc[kind] ??= { count: 0, pauseMs: 0 });
        stats.count += 1;
        stats.pauseMs += entry.duration;
        this.onGc?.(kind);
      }
    });
    this.observer.observe({ entryTypes: ['gc'] });
  }

  close(): void {
    this.observer?.disconnect();
    this.observer = undefined;
  }

  sample(now = Date.now()): ProcessSample {
    const memory = process.memoryUsage();
    const heapSpaces: ProcessSample['heapSpaces'] = {};
    for (const space of v8.getHeapSpaceStatistics()) {
      heapSpaces[space.space_name] = { size: space.space_size, used: space.space_used_size };
    }
    const sample: ProcessSample = {
      time: now,
      memory: {
        rss: memory.rss,
        heapTotal: memory.heapTotal,
        heapUsed: memory.heapUsed,
        external: memory.external,
        arrayBuffers: memory.arrayBuffers,
      },
      heapSpaces,
      gc: structuredClone(this.gc),
      handles: activeResources(),
    };
    const fds = openFileDescriptors();
    if (fds !== undefined) sample.openFds = fds;
    return sample;
  }
}

/** Active handles and requests by type, e.g. `{ Timeout: 3, TCPSocketWrap: 12 }`. */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

export function openFileDescriptors(): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    return readdirSync('/proc/self/fd').length - 1; // minus the descriptor readdir itself holds
  } catch {
    return undefined;
  }
}

export function memoryLimits(): MemoryLimits {
  const limits: MemoryLimits = { heapLimitBytes: v8.getHeapStatistics().heap_size_limit };
  const cgroup = readCgroupMemoryLimit();
  if (cgroup !== undefined) limits.cgroupLimitBytes = cgroup;
  return limits;
}
