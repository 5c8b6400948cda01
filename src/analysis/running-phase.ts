import type { Recording } from '../formats/recording.js';
import type { Teardown } from './verdict.js';

/**
 * The recording without the ticks taken as the process stopped (marked `final`: at exit,
 * on `stop()`, on a stop signal). A program that frees its objects on the way out still
 * leaked while it ran, so trends are judged on the running phase only.
 */
export function runningPhase(recording: Recording): Recording {
  const running = recording.samples.filter((sample) => sample.final === undefined);
  if (running.length === recording.samples.length) return recording;
  return { ...recording, samples: running };
}

/**
 * What the newest process that stopped with a final tick released between its last
 * running tick and that final tick: a fact to report, never evidence against a leak.
 */
export function teardownOf(recordings: readonly Recording[]): Teardown | undefined {
  let found: Teardown | undefined;
  for (const recording of recordings) {
    const final = lastOf(recording, true);
    const running = lastOf(recording, false);
    if (!final || !running || final.time < running.time) continue;
    if (found && final.time <= found.time) continue;
    const before = running.process.memory;
    const after = final.process.memory;
    found = {
      reason: final.final!,
      time: final.time,
      releasedBytes: Math.max(0, before.heapUsed + before.external - (after.heapUsed + after.external)),
      lastRunningTime: running.time,
    };
  }
  return found;
}

function lastOf(recording: Recording, final: boolean): Recording['samples'][number] | undefined {
  for (let i = recording.samples.length - 1; i >= 0; i--) {
    const sample = recording.samples[i]!;
    if ((sample.final !== undefined) === final) return sample;
  }
  return undefined;
}
