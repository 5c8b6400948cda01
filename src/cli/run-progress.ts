import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRecording, type Recording } from '../formats/recording.js';
import { LiveView, liveStateFromRecording } from '../report/live-view.js';
import { shouldUseColor } from '../report/color.js';

export interface RunProgressOptions {
  outDir: string;
  durationMs: number | undefined;
  intervalMs: number;
  startedAt: number;
  quiet: boolean;
}

/**
 * Shows a run's progress from the recordings as they grow: the live view on a terminal,
 * one plain line per new sample otherwise (both on stderr). Reads only the recording
 * files, never the target.
 */
export class RunProgress {
  private timer: NodeJS.Timeout | undefined;
  private readonly view: LiveView;
  private live = true;

  constructor(private readonly options: RunProgressOptions) {
    this.view = new LiveView(process.stderr, { color: shouldUseColor(process.stderr), quiet: options.quiet });
  }

  start(): void {
    if (this.options.quiet) return;
    this.timer = setInterval(() => this.poll(), Math.min(1000, this.options.intervalMs));
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.live) this.poll();
    this.view.stop();
  }

  /** A message for people; the live view stops drawing so that it stays readable. */
  note(message: string): void {
    if (this.live) this.poll();
    this.live = false;
    this.view.stop();
    process.stderr.write(`heapsleuth: ${message}\n`);
  }

  private poll(): void {
    if (!this.live) return;
    const main = readRecordingsSoFar(this.options.outDir).sort((a, b) => b.samples.length - a.samples.length)[0];
    if (main) this.view.update(liveStateFromRecording(main, this.options.durationMs, this.options.startedAt));
  }
}

/** Recordings of a folder as they are now; files that cannot be read yet are skipped. */
export function readRecordingsSoFar(outDir: string): Recording[] {
  let names: string[];
  try {
    names = readdirSync(outDir).filter((name) => name.endsWith('.ndjson'));
  } catch {
    return [];
  }
  const recordings: Recording[] = [];
  for (const name of names) {
    try {
      recordings.push(parseRecording(readFileSync(join(outDir, name), 'utf8'), name));
    } catch {
      // still being created
    }
  }
  return recordings;
}
