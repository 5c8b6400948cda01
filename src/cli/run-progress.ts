import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRecording, type Recording } from '../formats/recording.js';
import { formatSize } from '../model/size-format.js';

export interface RunProgressOptions {
  outDir: string;
  durationMs: number | undefined;
  intervalMs: number;
  startedAt: number;
  quiet: boolean;
}

/**
 * Shows a run's progress from the recordings as they grow: one plain line per new
 * sample on stderr. Reads only the recording files, never the target.
 */
export class RunProgress {
  private timer: NodeJS.Timeout | undefined;
  private printed = 0;

  constructor(private readonly options: RunProgressOptions) {}

  start(): void {
    if (this.options.quiet) return;
    this.timer = setInterval(() => this.poll(), Math.min(1000, this.options.intervalMs));
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (!this.options.quiet) this.poll();
  }

  note(message: string): void {
    process.stderr.write(`heapsleuth: ${message}\n`);
  }

  private poll(): void {
    const recordings = readRecordingsSoFar(this.options.outDir);
    const main = recordings.sort((a, b) => b.samples.length - a.samples.length)[0];
    if (!main) return;
    for (const sample of main.samples.slice(this.printed)) {
      const { rss, heapUsed, external } = sample.process.memory;
      process.stderr.write(
        `heapsleuth: ${elapsed(sample.time - this.options.startedAt, this.options.durationMs)}  sample ${sample.seq + 1}  ` +
          `rss ${formatSize(rss)}  heap ${formatSize(heapUsed)}  external ${formatSize(external)}\n`,
      );
    }
    this.printed = Math.max(this.printed, main.samples.length);
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

function elapsed(ms: number, durationMs: number | undefined): string {
  const clock = (value: number) => {
    const seconds = Math.max(0, Math.round(value / 1000));
    return `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
  };
  return durationMs === undefined ? clock(ms) : `${clock(ms)}/${clock(durationMs)}`;
}
