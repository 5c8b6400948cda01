import { GrowingRecordings } from './growing-recordings.js';
import { LiveView, liveStateFromRecording } from '../report/live-view.js';
import { shouldUseColor } from '../report/color.js';

export interface RunProgressOptions {
  outDir: string;
  durationMs: number | undefined;
  intervalMs: number;
  startedAt: number;
  quiet: boolean;
  /** The folder's recordings as they grow, shared with whatever else reads them during the run. */
  recordings?: GrowingRecordings;
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
    this.recordings = options.recordings ?? new GrowingRecordings(options.outDir);
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
    const main = this.recordings
      .read()
      .map((entry) => entry.recording)
      .sort((a, b) => b.samples.length - a.samples.length)[0];
    if (main) this.view.update(liveStateFromRecording(main, this.options.durationMs, this.options.startedAt));
  }
}
