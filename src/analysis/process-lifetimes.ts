import type { Recording } from '../formats/recording.js';
import type { Restart } from './verdict.js';

export interface Lifetimes {
  /** One recording per process lifetime, in the order they started; those without samples left out. */
  recordings: Recording[];
  restarts: Restart[];
  warnings: string[];
}

/**
 * Orders the recordings of one service by start time. Each is a segment of its own
 * (one process lifetime); one that starts after the previous one's last sample is a
 * restart. Recordings that overlap in time are replicas running side by side, not
 * restarts. The same process given twice is read once.
 */
export function processLifetimes(recordings: readonly Recording[]): Lifetimes {
  const warnings: string[] = [];
  const seen = new Set<string>();
  const withSamples: Recording[] = [];
  for (const recording of recordings) {
    const identity = `${processIdentity(recording)}\u0000${recording.header.part ?? 0}`;
    if (seen.has(identity)) {
      warnings.push(`${recording.source}: the same process as another recording given; read once`);
      continue;
    }
    seen.add(identity);
    if (recording.samples.length === 0) {
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
  let previous: Recording | undefined;
  for (const recording of ordered) {
    // A further part of the same process (its file was truncated and started again) is no restart.
    if (previous && firstTime(recording) >= latestEnd && processIdentity(previous) !== processIdentity(recording)) {
      restarts.push({
        time: Date.parse(recording.header.startTime) || firstTime(recording),
        previousPid: previous.header.pid,
        pid: recording.header.pid,
        previousPeakRssBytes: previous.samples.reduce((peak, sample) => Math.max(peak, sample.process.memory.rss), 0),
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
function processIdentity(recording: Recording): string {
  const { hostname, pid, startTime, threadId } = recording.header;
  return `${hostname}\u0000${pid}\u0000${startTime}\u0000${threadId ?? 0}`;
}

function firstTime(recording: Recording): number {
  return recording.samples[0]?.time ?? (Date.parse(recording.header.startTime) || 0);
}

function lastTime(recording: Recording): number {
  return recording.samples.at(-1)?.time ?? firstTime(recording);
}
