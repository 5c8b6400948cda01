import { analyzeRecordings, type AnalyzeOptions } from '../analysis/analyze.js';
import type { Suspect } from '../analysis/verdict.js';
import type { Recording } from '../formats/recording.js';
import { appDependencies } from './app-dependencies.js';
import { suspectSites } from './suspect-sites.js';

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
/**
 * The trigger waits while sites whose objects have not been seen to outlive a lifetime the
 * verdict can clear hold this share of what the suspect gained (suspect-sites.ts): objects
 * that die of age, or that are all at most half the window old. A population held a bounded
 * time (agents held 30 s by a timer, sessions until their timeout) rises like a leak until the
 * window is twice its lifetime, and the final verdict on the whole run clears it; a heap
 * snapshot taken before that pauses a healthy program for nothing. A leak keeps its first
 * objects: once they are older than half the window (a leak that started late: once the
 * window is twice as long as when it started), the trigger asks.
 */
const UNPROVEN_SHARE = 0.5;

/** What one look at a recording so far decided. */
export type Look =
  /** Not looked at: no new sample, or the window has not grown enough since the last look. */
  | { kind: 'skipped' }
  /** Looked at; no request (yet). `why` says what held it back, for the replay. */
  | { kind: 'wait'; why: 'no-sure-suspect' | 'confirming' | 'too-early' | 'may-turn-over'; suspect?: Suspect }
  /** Ask for heap snapshots now, for this suspect. */
  | { kind: 'fire'; suspect: Suspect };

/**
 * When `run` asks one growing recording for heap snapshots. It judges the recording so far
 * with the final verdict's analysis and options (the app's direct dependencies, as
 * `serviceVerdicts` passes them), and asks when that is `leak` with a sure suspect at four
 * looks in a row, no earlier than `earliestMs` into the recording, and only once the suspect's
 * growth is carried by objects that outlived what the verdict could clear as a bounded
 * lifetime (UNPROVEN_SHARE). Pure but for reading the app's
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
    const sites = suspectSites(recording, suspect);
    if (sites && sites.gained > 0 && sites.unprovenGained >= UNPROVEN_SHARE * sites.gained) return { kind: 'wait', why: 'may-turn-over', suspect };
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
