import { analyzeRecordings, type AnalyzeOptions } from '../analysis/analyze.js';
import type { Suspect } from '../analysis/verdict.js';
import type { Recording } from '../formats/recording.js';
import { appDependencies } from './app-dependencies.js';
import { turnoverPending } from './turnover-pending.js';

/** A suspect at least this sure (after the correction for many sites) may start heap snapshots. */
export const TRIGGER_CONFIDENCE = 0.99;
/**
 * Consecutive looks at the growing recording that must each see such a suspect: a verdict that
 * is still forming can call a healthy program `leak` for a few ticks (a fixed version in
 * bench/real-leaks did, for three), a leak stays one.
 */
const CONFIRMATIONS = 4;
/** Up to this many samples the recording is looked at after every tick (an analysis takes milliseconds). */
const LOOK_EVERY_TICK = 60;
/**
 * Beyond that, a look happens once the recording's window grew by this factor since the last
 * one: fewer and fewer in a long run, so the parent analyses a long recording O(log n) times.
 */
const LOOK_GROWTH = 1.1;

/** What one look at a recording so far decided. */
export type Look =
  /** Not looked at: no new sample, or the window has not grown enough since the last look. */
  | { kind: 'skipped' }
  /** Looked at; no request (yet). `why` says what held it back, for the replay. */
  | { kind: 'wait'; why: 'no-sure-suspect' | 'confirming' | 'too-early' | 'turnover-pending'; suspect?: Suspect }
  /** Ask for heap snapshots now, for this suspect. */
  | { kind: 'fire'; suspect: Suspect };

/**
 * When `run` asks one growing recording for heap snapshots. It judges the recording so far
 * with the final verdict's analysis and options (the app's direct dependencies, as
 * `serviceVerdicts` passes them), and asks when that is `leak` with a sure suspect at four
 * looks in a row, no earlier than `earliestMs` into the recording, and only while the
 * suspect's objects are not seen dying of age without any outliving them (turnover-pending.ts:
 * a population held a bounded time rises like a leak until the window is twice its lifetime,
 * and the final verdict on the whole run clears it). Pure but for reading the app's
 * package.json once: the replay (bench/real-leaks/replay-trigger.mjs) feeds it a stored
 * recording's prefixes and sees exactly what `run` would have done.
 */
export class TriggerDecision {
  private streak = 0;
  private last: { samples: number; windowMs: number } | undefined;
  private options: AnalyzeOptions | undefined;

  constructor(
    /** No request before the recording's window is this long (ms). */
    private readonly earliestMs = 0,
  ) {}

  look(recording: Recording): Look {
    const { samples } = recording;
    const first = samples[0];
    const last = samples.at(-1);
    if (!first || !last) return { kind: 'skipped' };
    const windowMs = last.time - first.time;
    const previous = this.last;
    if (previous && (samples.length === previous.samples || (samples.length > LOOK_EVERY_TICK && windowMs < previous.windowMs * LOOK_GROWTH))) return { kind: 'skipped' };
    this.last = { samples: samples.length, windowMs };
    this.options ??= analyzeOptionsOf(recording);
    const suspect = sureSuspect(recording, this.options);
    this.streak = suspect ? this.streak + 1 : 0;
    if (!suspect) return { kind: 'wait', why: 'no-sure-suspect' };
    if (this.streak < CONFIRMATIONS) return { kind: 'wait', why: 'confirming', suspect };
    if (windowMs < this.earliestMs) return { kind: 'wait', why: 'too-early', suspect };
    if (turnoverPending(recording, suspect)) return { kind: 'wait', why: 'turnover-pending', suspect };
    return { kind: 'fire', suspect };
  }
}

/** The options the final verdict analyses this service with (service-verdicts.ts). */
function analyzeOptionsOf(recording: Recording): AnalyzeOptions {
  try {
    const directDependencies = appDependencies([recording]);
    return directDependencies ? { directDependencies } : {};
  } catch {
    return {};
  }
}

/** The verdict's surest suspect when it is a leak with one at TRIGGER_CONFIDENCE or above. */
function sureSuspect(recording: Recording, options: AnalyzeOptions): Suspect | undefined {
  try {
    const verdict = analyzeRecordings([recording], options);
    if (verdict.verdict !== 'leak') return undefined;
    return [...verdict.suspects].sort((a, b) => b.confidence - a.confidence).find((suspect) => suspect.confidence >= TRIGGER_CONFIDENCE);
  } catch {
    return undefined;
  }
}
