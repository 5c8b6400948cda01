import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RecordingDecoder } from '../formats/recording-decoder.js';
import { RecordingCollector, type Recording } from '../formats/recording.js';

/** A recording read so far, with the file it is read from. */
export interface GrowingRecording {
  path: string;
  recording: Recording;
}

/** Bytes read from a growing file at a time. */
const CHUNK_BYTES = 1024 * 1024;

/** One file being followed: what was read of it, and the decoder that read it. */
interface Tail {
  offset: number;
  decoder: RecordingDecoder;
  collector: RecordingCollector;
}

/**
 * The recordings of a folder as they grow, while `run`'s command writes them. Each file is
 * followed like `tail -f`: only the bytes added since the last look are read and decoded
 * (a line still being written waits for its end), so a run of a day costs what its new
 * ticks cost, not a parse of the whole file at every tick. A file that shrank (rewritten)
 * is read again from its start. One instance serves the live view and the retainer
 * trigger. The recordings returned grow in place as later looks read more.
 */
export class GrowingRecordings {
  private readonly tails = new Map<string, Tail>();

  constructor(private readonly outDir: string) {}

  read(): GrowingRecording[] {
    let names: string[];
    try {
      names = readdirSync(this.outDir).filter((name) => name.endsWith('.ndjson'));
    } catch {
      return [];
    }
    for (const name of names) this.follow(join(this.outDir, name), name);
    const read: GrowingRecording[] = [];
    for (const [path, tail] of this.tails) {
      const recording = tail.collector.firstSoFar();
      if (recording) read.push({ path, recording });
    }
    return read;
  }

  private follow(path: string, name: string): void {
    let tail = this.tails.get(path);
    try {
      const size = statSync(path).size;
      if (tail && size < tail.offset) tail = undefined;
      if (!tail) {
        const collector = new RecordingCollector(name);
        tail = { offset: 0, decoder: new RecordingDecoder(name, collector), collector };
        this.tails.set(path, tail);
      }
      if (size === tail.offset) return;
      const fd = openSync(path, 'r');
      try {
        const buffer = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, size - tail.offset));
        while (tail.offset < size) {
          const got = readSync(fd, buffer, 0, Math.min(buffer.length, size - tail.offset), tail.offset);
          if (got === 0) break;
          tail.decoder.push(buffer.subarray(0, got));
          tail.offset += got;
        }
      } finally {
        closeSync(fd);
      }
    } catch {
      // still being created, or gone: looked at again next time
    }
  }
}
