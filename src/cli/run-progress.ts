import { readdirSync, readFileSync, statSync } from 'node:fs';
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
  private readonly recordings: GrowingRecordings;

  constructor(private readonly options: RunProgressOptions) {
    this.view = new LiveView(process.stderr, { color: shouldUseColor(process.stderr), quiet: options.quiet });
    this.recordings = new GrowingRecordings(options.outDir);
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
    const main = this.recordings.read().sort((a, b) => b.samples.length - a.samples.length)[0];
    if (main) this.view.update(liveStateFromRecording(main, this.options.durationMs, this.options.startedAt));
  }
}

/**
 * The recordings of a folder as they grow. The view redraws every second but a file grows
 * once a tick: a file is parsed again only when its size changed. Files that cannot be read
 * yet are skipped.
 */
class GrowingRecordings {
  private readonly parsed = new Map<string, { size: number; recording: Recording }>();

  constructor(private readonly outDir: string) {}

  read(): Recording[] {
    let names: string[];
    try {
      names = readdirSync(this.outDir).filter((name) => name.endsWith('.ndjson'));
    } catch {
      return [];
    }
    for (const name of names) {
      const path = join(this.outDir, name);
      try {
        const size = statSync(path).size;
        if (this.parsed.get(name)?.size === size) continue;
        this.parsed.set(name, { size, recording: parseRecording(readFileSync(path, 'utf8'), name) });
      } catch {
        // still being created
      }
    }
    return [...this.parsed.values()].map((entry) => entry.recording);
  }
}
