import { writeFileSync } from 'node:fs';
import { analyzeRecordings } from '../analysis/analyze.js';
import type { Suspect } from '../analysis/verdict.js';
import { retainersRequestPath } from '../agent/heap-snapshots.js';
import type { GrowingRecordings } from './growing-recordings.js';

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

/** What `run` asked a recording's agent for, and why. */
export interface RetainerRequest {
  /** The recording's path. */
  recording: string;
  /** When the leak was seen (ISO time of the last sample looked at). */
  time: string;
  /** Samples in the recording then (the early snapshot comes with the next tick). */
  sample: number;
  /** Seconds since the recording's first sample. */
  elapsedSeconds: number;
  /** The surest suspect then: `file:line`, and its confidence. */
  suspect: string;
  confidence: number;
}

/**
 * `run`'s automatic retainer paths: while the command runs, looks at each growing recording
 * with the same analysis as the final verdict, and when it is `leak` with a suspect at high
 * confidence at four looks in a row (and two thirds of --duration are over), writes `<recording>.retainers-request`; the agent
 * (HEAPSLEUTH_RETAINERS=auto) then starts its heap snapshots. A program that does not leak
 * is never asked, so it never pays a snapshot's pause or the dearer GCs after it.
 */
export class RetainerTrigger {
  readonly requests: RetainerRequest[] = [];
  private readonly settled = new Set<string>();
  private readonly streaks = new Map<string, number>();
  private readonly lastLooks = new Map<string, { samples: number; windowMs: number }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly recordings: GrowingRecordings,
    private readonly intervalMs: number,
    /** Called after each request is written. */
    private readonly onRequest: (request: RetainerRequest) => void = () => {},
    /**
     * No request before the recording is this old (`run` passes two thirds of its --duration): a cache
     * filling up or a warm-up in the first part of a run is `leak` in a short window (in
     * bench/detection, the LRU and warm-up look-alikes are, for their first third).
     */
    private readonly earliestMs = 0,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.poll(), Math.min(1000, this.intervalMs));
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One look at every recording that grew; public so that a test can drive it. */
  poll(): void {
    let recordings;
    try {
      recordings = this.recordings.read();
    } catch {
      return;
    }
    for (const { path, recording } of recordings) {
      if (this.settled.has(path)) continue;
      // heap snapshots are a Node agent's; a tick taken at the stop is too late to start them
      if (recording.header.runtime !== 'node' || recording.samples.some((sample) => sample.final !== undefined)) {
        this.settled.add(path);
        continue;
      }
      const { samples } = recording;
      const first = samples[0];
      const last = samples.at(-1);
      if (!first || !last) continue;
      const windowMs = last.time - first.time;
      const previous = this.lastLooks.get(path);
      if (previous && (samples.length === previous.samples || (samples.length > LOOK_EVERY_TICK && windowMs < previous.windowMs * LOOK_GROWTH))) continue;
      this.lastLooks.set(path, { samples: samples.length, windowMs });
      const suspect = sureSuspect(recording);
      const streak = suspect ? (this.streaks.get(path) ?? 0) + 1 : 0;
      this.streaks.set(path, streak);
      if (!suspect || streak < CONFIRMATIONS || windowMs < this.earliestMs) continue;
      this.settled.add(path);
      const request: RetainerRequest = {
        recording: path,
        time: new Date(last.time).toISOString(),
        sample: samples.length,
        elapsedSeconds: Math.round(windowMs / 1000),
        suspect: `${suspect.file}:${suspect.line}`,
        confidence: suspect.confidence,
      };
      try {
        writeFileSync(retainersRequestPath(path.replace(/\.ndjson$/, '')), JSON.stringify(request) + '\n');
        this.requests.push(request);
        this.onRequest(request);
      } catch {
        // the folder went away; the run goes on without retainer paths
      }
    }
  }
}

/** The verdict's surest suspect when it is a leak with one at TRIGGER_CONFIDENCE or above. */
function sureSuspect(recording: Parameters<typeof analyzeRecordings>[0][number]): Suspect | undefined {
  try {
    const verdict = analyzeRecordings([recording]);
    if (verdict.verdict !== 'leak') return undefined;
    return [...verdict.suspects].sort((a, b) => b.confidence - a.confidence).find((suspect) => suspect.confidence >= TRIGGER_CONFIDENCE);
  } catch {
    return undefined;
  }
}
