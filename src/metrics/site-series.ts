import type { TickResult } from '../agent/tracer.js';
import type { StatisticDiff } from '../model/statistic.js';

/** What the metrics read from: a Tracer (traceLeaks()), or anything that emits its ticks. */
export interface TickSource {
  on(event: 'tick', listener: (tick: TickResult) => void): unknown;
  off?(event: 'tick', listener: (tick: TickResult) => void): unknown;
  /** When the first snapshot was taken (epoch milliseconds), as Tracer tells. */
  readonly startTime?: number;
}

/** One growing group, as metrics report it. */
export interface SiteGrowth {
  /** `src/cache.ts:42 remember`: the group's blame frame, the way a person reads it. */
  site: string;
  liveBytes: number;
  /** Bytes gained since the tracer's first snapshot. */
  growthBytes: number;
  /** growthBytes over the time since the first snapshot (0 when unknown). */
  growthBytesPerSecond: number;
}

/** The label that names a group: `src/cache.ts:42 remember`, or the file alone when grouped by file. */
export function siteLabel(diff: StatisticDiff): string {
  const frame = diff.traceback.blameFrame;
  if (!frame) return '(no frames)';
  if (diff.keyType === 'filename') return frame.file || '(native)';
  return `${frame.toString()} ${frame.functionName || '(anonymous)'}`;
}

/**
 * The `k` groups that grew most since the start, biggest growth first. Groups that
 * share a label (tracebacks with the same blame frame) are summed, so every label is
 * reported once and the number of series never exceeds `k`.
 *
 * Sites in `members` (those reported last time) stay eligible when their growth falls to
 * zero or below: a site is dropped only when `k` others grew more. Without that, a site
 * would be reported only while it is above where it started, and a metrics backend
 * would see every noisy site as one that grows.
 */
export function topGrowingSites(sinceStart: readonly StatisticDiff[], k: number, elapsedMs: number, members: ReadonlySet<string> = new Set()): SiteGrowth[] {
  const bySite = new Map<string, SiteGrowth>();
  for (const diff of sinceStart) {
    const site = siteLabel(diff);
    const known = bySite.get(site);
    if (known) {
      known.liveBytes += diff.size;
      known.growthBytes += diff.sizeDiff;
    } else {
      bySite.set(site, { site, liveBytes: diff.size, growthBytes: diff.sizeDiff, growthBytesPerSecond: 0 });
    }
  }
  const top = [...bySite.values()]
    .filter((site) => site.growthBytes > 0 || members.has(site.site))
    .sort((a, b) => b.growthBytes - a.growthBytes || (a.site < b.site ? -1 : 1))
    .slice(0, Math.max(0, k));
  for (const site of top) {
    site.liveBytes = Math.round(site.liveBytes);
    site.growthBytes = Math.round(site.growthBytes);
    site.growthBytesPerSecond = elapsedMs > 0 ? site.growthBytes / (elapsedMs / 1000) : 0;
  }
  return top;
}

/** The sites reported at each tick, remembering the last ones (see topGrowingSites). */
export class SiteSelection {
  private members = new Set<string>();

  constructor(private readonly k: number) {}

  select(sinceStart: readonly StatisticDiff[], elapsedMs: number): SiteGrowth[] {
    const sites = topGrowingSites(sinceStart, this.k, elapsedMs, this.members);
    this.members = new Set(sites.map((site) => site.site));
    return sites;
  }
}

/** Milliseconds from the tracer's first snapshot to this tick (from the first tick seen when the source does not tell). */
export class StartClock {
  private startTime: number | undefined;

  constructor(source: TickSource) {
    this.startTime = source.startTime;
  }

  elapsed(tick: Pick<TickResult, 'time'>): number {
    this.startTime ??= tick.time;
    return tick.time - this.startTime;
  }
}
