import { snapshotOfSample, type Recording } from '../formats/recording.js';

/** A site that grew since the recording started. */
export interface LiveGrower {
  file: string;
  line: number;
  function: string;
  liveBytes: number;
  bytesPerHour: number;
}

/** What the live view shows: everything it needs, nothing it has to compute. */
export interface LiveState {
  service: string;
  pid: number;
  /** Milliseconds since the run started. */
  elapsedMs: number;
  /** How long the run lasts, when it has a `--duration`. */
  durationMs?: number;
  samples: number;
  /** Recent values, oldest first, in bytes. */
  rss: number[];
  heapUsed: number[];
  external: number[];
  /** Fastest growers since the first sample, fastest first. */
  growers: LiveGrower[];
}

const HISTORY = 120;
const TOP_GROWERS = 5;
const HOUR_MS = 3_600_000;

/**
 * The live state of a recording read so far. Growth is measured between the first and
 * the last sample (tracemalloc's compare-to-start), per file, line and function.
 */
export function liveStateFromRecording(recording: Recording, durationMs: number | undefined, startedAt: number, now = Date.now()): LiveState {
  const { samples } = recording;
  const recent = samples.slice(-HISTORY);
  const state: LiveState = {
    service: recording.header.service,
    pid: recording.header.pid,
    elapsedMs: Math.max(0, now - startedAt),
    samples: samples.length,
    rss: recent.map((sample) => sample.process.memory.rss),
    heapUsed: recent.map((sample) => sample.process.memory.heapUsed),
    external: recent.map((sample) => sample.process.memory.external),
    growers: [],
  };
  if (durationMs !== undefined) state.durationMs = durationMs;
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (first && last && last.time > first.time) {
    const hours = (last.time - first.time) / HOUR_MS;
    state.growers = snapshotOfSample(recording, last)
      .compareTo(snapshotOfSample(recording, first), 'lineno')
      .filter((diff) => diff.sizeDiff > 0)
      .sort((a, b) => b.sizeDiff - a.sizeDiff)
      .slice(0, TOP_GROWERS)
      .map((diff) => {
        const frame = diff.traceback.mostRecent;
        return { file: frame?.file ?? '', line: frame?.line ?? 0, function: frame?.functionName ?? '', liveBytes: diff.size, bytesPerHour: diff.sizeDiff / hours };
      });
  }
  return state;
}
