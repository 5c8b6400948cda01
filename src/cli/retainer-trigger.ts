import { writeFileSync } from 'node:fs';
import { retainersRequestPath } from '../agent/heap-snapshots.js';
import type { GrowingRecordings } from './growing-recordings.js';
import { TriggerDecision } from './trigger-decision.js';

export { TRIGGER_CONFIDENCE } from './trigger-decision.js';

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
  private readonly decisions = new Map<string, TriggerDecision>();
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
      let decision = this.decisions.get(path);
      if (!decision) this.decisions.set(path, (decision = new TriggerDecision(this.earliestMs)));
      const look = decision.look(recording);
      if (look.kind !== 'fire') continue;
      const { suspect } = look;
      const { samples } = recording;
      const last = samples.at(-1)!;
      const windowMs = last.time - samples[0]!.time;
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
