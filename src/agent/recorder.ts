import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { RecordingEncoder, type RecordingHeader, type SampleDetails } from '../formats/recording.js';
import type { ProcessSample } from '../model/process.js';
import type { Snapshot } from '../model/snapshot.js';

export type RecordingHeaderFields = Omit<RecordingHeader, 'type' | 'format' | 'version'>;

/**
 * Appends a process's ticks to its recording file. Each tick is one synchronous write
 * of whole lines, so a process killed at any moment leaves at most a torn last line,
 * and every completed sample is in the kernel's hands before the tick returns.
 * Files are created readable by their owner only: they name source files and functions.
 */
export class Recorder {
  private readonly encoder = new RecordingEncoder();
  private fd: number | undefined;
  /** A failed write may have left half a line: the next write starts on a fresh line. */
  private lineMayBeTorn = false;

  private constructor(readonly path: string) {}

  /** Creates the folder and file and writes the header; throws when that is impossible. */
  static open(path: string, header: RecordingHeaderFields): Recorder {
    const recorder = new Recorder(path);
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    recorder.fd = openSync(path, 'a', 0o600);
    recorder.writeAll(recorder.encoder.encodeHeader(header));
    return recorder;
  }

  /** Appends one sample; throws (and keeps its state consistent) when the write fails. */
  writeSample(snapshot: Snapshot, processSample: ProcessSample, details: SampleDetails = {}): void {
    const text = this.encoder.encodeSample(snapshot, processSample, details);
    try {
      this.writeAll(text);
    } catch (error) {
      this.encoder.rollback();
      throw error;
    }
    this.encoder.commit();
  }

  /** Writes the `end` line and closes the file. Never throws. */
  close(reason: string): void {
    if (this.fd === undefined) return;
    try {
      this.writeAll(this.encoder.encodeEnd({ time: Date.now(), reason }));
    } catch {
      // the samples are what matter; an end line that cannot be written is no loss
    }
    try {
      closeSync(this.fd);
    } catch {
      // already gone
    }
    this.fd = undefined;
  }

  get isOpen(): boolean {
    return this.fd !== undefined;
  }

  /** Distinct stacks written so far. */
  get stackCount(): number {
    return this.encoder.stackCount;
  }

  private writeAll(text: string): void {
    if (this.fd === undefined) throw new Error('recording is closed');
    const buffer = Buffer.from(this.lineMayBeTorn ? '\n' + text : text);
    let offset = 0;
    try {
      while (offset < buffer.length) offset += writeSync(this.fd, buffer, offset);
    } catch (error) {
      if (offset > 0) this.lineMayBeTorn = true;
      throw error;
    }
    this.lineMayBeTorn = false;
  }
}
