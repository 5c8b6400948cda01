import { closeSync, fstatSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { createFolder } from './create-folder.js';
import { RecordingEncoder, type RecordingHeader, type SampleDetails } from '../formats/recording.js';
import type { ProcessSample } from '../model/process.js';
import type { Snapshot } from '../model/snapshot.js';

export type RecordingHeaderFields = Omit<RecordingHeader, 'type' | 'format' | 'version'>;

/**
 * Appends a process's ticks to its recording file. Each tick is one synchronous write
 * of whole lines, so a process killed at any moment leaves at most a torn last line,
 * and every completed sample is in the kernel's hands before the tick returns.
 * Files are created readable by their owner only: they name source files and functions.
 * A file removed while the process runs (or its folder) is created again at the next
 * sample, header and definitions included: writing on into a deleted file loses it all.
 */
export class Recorder {
  private readonly encoder = new RecordingEncoder();
  private fd: number | undefined;
  private closed = false;
  /** A failed write may have left half a line: the next write starts on a fresh line. */
  private lineMayBeTorn = false;
  /** Times the file was found removed and created again. */
  private recreations = 0;
  /** Times the file was found truncated in place (logrotate's copytruncate) and started again. */
  private truncations = 0;
  /** What the file holds at least, by what was written to it: a smaller file was truncated under us. */
  private knownSize = 0;

  private constructor(
    readonly path: string,
    private readonly header: RecordingHeaderFields,
  ) {}

  /** Creates the folder and file and writes the header; throws when that is impossible. */
  static open(path: string, header: RecordingHeaderFields): Recorder {
    const recorder = new Recorder(path, header);
    recorder.create('a');
    return recorder;
  }

  /** Appends one sample; throws (and keeps its state consistent) when the write fails. */
  writeSample(snapshot: Snapshot, processSample: ProcessSample, details: SampleDetails = {}): void {
    this.recreateIfRemoved();
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
    this.closed = true;
    if (this.fd === undefined) return;
    try {
      this.writeAll(this.encoder.encodeEnd({ time: Date.now(), reason }));
    } catch {
      // the samples are what matter; an end line that cannot be written is no loss
    }
    closeQuietly(this.fd);
    this.fd = undefined;
  }

  get isOpen(): boolean {
    return this.fd !== undefined;
  }

  /** Times the file was removed while recording and created again. */
  get recreated(): number {
    return this.recreations;
  }

  /** Times the file was truncated in place while recording and started again. */
  get truncated(): number {
    return this.truncations;
  }

  private create(flags: 'a' | 'w'): void {
    createFolder(dirname(this.path));
    const fd = openSync(this.path, flags, 0o600);
    try {
      this.fd = fd;
      this.knownSize = fstatSync(fd).size;
      this.writeAll(this.encoder.encodeHeader(this.header));
    } catch (error) {
      this.fd = undefined;
      closeQuietly(fd);
      throw error;
    }
  }

  /** Starts the file again when it was removed (or is still to be started again after a failed try). */
  private recreateIfRemoved(): void {
    if (this.closed) return; // writeAll says so
    if (this.fd !== undefined) {
      const stats = fstatSync(this.fd);
      if (stats.nlink > 0 && stats.size >= this.knownSize) return;
      if (stats.nlink > 0) {
        this.startAgainAfterTruncation(stats.size);
        return;
      }
      closeQuietly(this.fd);
      this.fd = undefined;
      this.recreations += 1;
    }
    this.encoder.forgetDefinitions();
    this.lineMayBeTorn = false;
    this.create('w'); // 'w': a header torn by a failed try is written over
  }

  /**
   * The file was truncated in place (logrotate's copytruncate copies it, then cuts it to
   * zero while we keep our descriptor): what follows would refer to frames and stacks
   * defined in the copy. Write the header again, marked as a further part of this process,
   * and define everything again from here on.
   */
  private startAgainAfterTruncation(size: number): void {
    this.truncations += 1;
    this.encoder.forgetDefinitions();
    this.lineMayBeTorn = false;
    this.knownSize = size;
    this.writeAll(this.encoder.encodeHeader({ ...this.header, part: this.truncations }));
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
      this.knownSize += offset;
      throw error;
    }
    this.knownSize += offset;
    this.lineMayBeTorn = false;
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already gone
  }
}
