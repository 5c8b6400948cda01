import type { LifetimeSeries } from './lifetime-series.js';
import type { Restart } from './verdict.js';

export interface Lifetimes {
  /** Process lifetimes in the order they started; those without samples left out. */
  recordings: LifetimeSeries[];
  restarts: Restart[];
  warnings: string[];
}

/**
 * Orders the recordings of one service by start time. Each is a segment of its own
 * (one process lifetime); one that starts after the previous one's last sample is a
 * restart. Recordings that overlap in time are replicas running side by side, not
 * restarts. The same process given twice is read once.
 */
export function processLifetimes(recordings: readonly LifetimeSeries[]): Lifetimes {
  const warnings: string[] = [];
  const seen = new Set<string>();
  const withSamples: LifetimeSeries[] = [];
  for (const recording of recordings) {
    const identity = `${processIdentity(recording)}\u0000${recording.header.part ?? 0}`;
    if (seen.has(identity)) {
      warnings.push(`${recording.source}: the same process as another recording given; read once`);
      continue;
    }
    seen.add(identity);
    if (recording.samples === 0) {
      warnings.push(`${recording.source}: no samples (the process ended before its first tick)`);
      continue;
    }
    withSamples.push(recording);
  }
  const ordered = withSamples.sort((a, b) => firstTime(a) - firstTime(b) || a.header.pid - b.header.pid);
  const services = new Set(ordered.map((recording) => recording.header.service));
  if (services.size > 1) warnings.push(`recordings of several services analysed together: ${[...services].join(', ')}`);

  const restarts: Restart[] = [];
  let latestEnd = -Infinity;
  let previous: LifetimeSeries | undefined;
  for (const recording of ordered) {
    // A further part of the same process (its file was truncated and started again) is no restart.
    if (previous && firstTime(recording) >= latestEnd && processIdentity(previous) !== processIdentity(recording)) {
      restarts.push({
        time: Date.parse(recording.header.startTime) || firstTime(recording),
        previousPid: previous.header.pid,
        pid: recording.header.pid,
        previousPeakRssBytes: previous.peakRssBytes,
      });
    }
    if (lastTime(recording) >= latestEnd) {
      latestEnd = lastTime(recording);
      previous = recording;
    }
  }
  return { recordings: ordered, restarts, warnings };
}

/** Who wrote a recording: the same process writes the same identity in every part of its file. */
function processIdentity(recording: LifetimeSeries): string {
  const { hostname, pid, startTime, threadId } = recording.header;
  return `${hostname}\u0000${pid}\u0000${startTime}\u0000${threadId ?? 0}`;
}

function firstTime(recording: LifetimeSeries): number {
  return recording.firstTime ?? (Date.parse(recording.header.startTime) || 0);
}

function lastTime(recording: LifetimeSeries): number {
  return recording.lastTime ?? firstTime(recording);
}
