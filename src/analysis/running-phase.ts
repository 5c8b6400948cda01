import type { Recording } from '../formats/recording.js';
import type { Teardown } from './verdict.js';

/**
 * The recording without the ticks taken as the process stopped: the tick marked `final`
 * (at exit, on `stop()`, on a stop signal) and the regular ticks that already saw the
 * teardown (teardownTicks). A program that frees its objects on the way out still leaked
 * while it ran, so trends are judged on the running phase only.
 */
export function runningPhase(recording: Recording): Recording {
  const running = recording.samples.filter((sample) => sample.final === undefined);
  const ended = teardownTicks(recording);
  if (running.length === recording.samples.length) return recording;
  return { ...recording, samples: running.slice(0, running.length - ended) };
}

/**
 * How many regular ticks at the end of a recording that stopped with a `final` tick
 * already saw the teardown (a tick 79 ms before exit, after `agent.close()`). Going back
 * from the last regular tick, each one counts that (1) came less than one tick interval
 * (the median gap between regular ticks) before the final tick and (2) had already
 * fallen more than half way from the tick before it toward the final tick's level in JS
 * memory (heapUsed + external), where the final tick is at most 80% of that tick before
 * (a collapse, not a steady program's wobble), and (3) had no more open handles than the
 * tick before it (a program tearing down closes them). The handle count alone does not
 * decide: a few timers come and go in any program, and what hides a leak is the heap. Without a final tick there is no
 * teardown: a running service that drops memory is judged on all its ticks.
 */
export function teardownTicks(recording: Recording): number {
  const final = recording.samples.at(-1);
  if (final?.final === undefined) return 0;
  const running = recording.samples.filter((sample) => sample.final === undefined);
  const interval = medianGap(running.map((sample) => sample.time));
  if (interval === undefined) return 0;
  let cut = running.length;
  while (cut >= 2) {
    const tick = running[cut - 1]!;
    const before = running[cut - 2]!;
    if (final.time - tick.time >= interval) break;
    if (!fellHalfWay(jsMemory(before), jsMemory(tick), jsMemory(final)) || grew(openHandles(before), openHandles(tick))) break;
    cut--;
  }
  return running.length - cut;
}

type Sample = Recording['samples'][number];

/**
 * The final tick collapsed from `before` (to at most COLLAPSED of it) and `tick` already
 * fell more than half way there. Small moves of a steady program are no collapse.
 */
function fellHalfWay(before: number | undefined, tick: number | undefined, final: number | undefined): boolean {
  if (before === undefined || tick === undefined || final === undefined || final > before * COLLAPSED) return false;
  return before - tick > (before - final) / 2;
}

const COLLAPSED = 0.8;

/** Open handles rose: a program that tears down closes them, it does not open more. */
function grew(before: number | undefined, tick: number | undefined): boolean {
  return before !== undefined && tick !== undefined && tick > before;
}

function jsMemory(sample: Sample): number {
  return sample.process.memory.heapUsed + sample.process.memory.external;
}

function openHandles(sample: Sample): number | undefined {
  const handles = sample.process.handles;
  return handles ? Object.values(handles).reduce((sum, count) => sum + count, 0) : undefined;
}

function medianGap(times: readonly number[]): number | undefined {
  const gaps = times.slice(1).map((time, i) => time - times[i]!).sort((a, b) => a - b);
  return gaps.length === 0 ? undefined : gaps[Math.floor(gaps.length / 2)];
}

/**
 * What the newest process that stopped with a final tick released between its last
 * running tick and that final tick: a fact to report, never evidence against a leak.
 */
export function teardownOf(recordings: readonly Recording[]): Teardown | undefined {
  let found: Teardown | undefined;
  for (const recording of recordings) {
    const final = lastOf(recording, true);
    const running = runningPhase(recording).samples.at(-1);
    if (!final || !running || running.final !== undefined || final.time < running.time) continue;
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

function lastOf(recording: Recording, final: boolean): Sample | undefined {
  for (let i = recording.samples.length - 1; i >= 0; i--) {
    const sample = recording.samples[i]!;
    if ((sample.final !== undefined) === final) return sample;
  }
  return undefined;
}
