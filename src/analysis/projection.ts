import type { MemoryLimits } from '../model/process.js';
import type { Projection } from './verdict.js';

export interface ProjectionInput {
  limits: MemoryLimits;
  /** Current RSS and used heap, bytes. */
  rssBytes: number;
  heapUsedBytes: number;
  /** Measured growth per hour. */
  rssGrowthPerHour: number;
  heapUsedGrowthPerHour: number;
  /** Whether each series is itself judged to grow: only those are projected (a flat, noisy series has a slope too). */
  rssGrowing: boolean;
  heapUsedGrowing: boolean;
}

/**
 * Hours until the process runs into a limit at the measured growth: RSS against the
 * container (cgroup) limit, the used heap against V8's heap limit, whichever comes first.
 */
export function projectToLimit(input: ProjectionInput): Projection {
  const candidates: Projection[] = [];
  const { cgroupLimitBytes, heapLimitBytes } = input.limits;
  if (cgroupLimitBytes && cgroupLimitBytes > 0) {
    candidates.push({ limitBytes: cgroupLimitBytes, limitKind: 'cgroup', hoursToLimit: hours(cgroupLimitBytes, input.rssBytes, input.rssGrowthPerHour, input.rssGrowing) });
  }
  if (heapLimitBytes && heapLimitBytes > 0) {
    candidates.push({ limitBytes: heapLimitBytes, limitKind: 'heap', hoursToLimit: hours(heapLimitBytes, input.heapUsedBytes, input.heapUsedGrowthPerHour, input.heapUsedGrowing) });
  }
  const timed = candidates.filter((candidate) => candidate.hoursToLimit !== null).sort((a, b) => a.hoursToLimit! - b.hoursToLimit!);
  return timed[0] ?? candidates[0] ?? { limitBytes: 0, limitKind: 'none', hoursToLimit: null };
}

function hours(limit: number, now: number, growthPerHour: number, growing: boolean): number | null {
  if (!growing || !(growthPerHour > 0)) return null;
  return Math.max(0, limit - now) / growthPerHour;
}
