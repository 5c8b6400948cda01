import { closeSync, openSync, readSync } from 'node:fs';
import { RecordingDecoder, type RecordingSink } from './recording-decoder.js';
import { RecordingCollector, type Recording } from './recording.js';
import { ReducingCollector } from './recording-reducer.js';

const CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * Reads a recording file chunk by chunk into a sink: the decoder's memory stays bounded by
 * the longest line (no string of the whole file). Returns the decoder's warnings. Throws
 * RecordingFormatError for a file that is not a recording, and the file system's errors.
 */
function streamRecordingFile(path: string, sink: RecordingSink): string[] {
  const decoder = new RecordingDecoder(path, sink);
  const fd = openSync(path, 'r');
  try {
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      const got = readSync(fd, chunk, 0, chunk.length, null);
      if (got === 0) break;
      decoder.push(chunk.subarray(0, got));
    }
  } finally {
    closeSync(fd);
  }
  decoder.finish();
  return decoder.warnings;
}

export interface ReadRecordingOptions {
  /**
   * Keep at most this many running points per process lifetime, merging adjacent ticks
   * beyond it (ReducingCollector); absent: every tick, whole in memory.
   */
  maxPointsPerLifetime?: number;
}

/** Every process lifetime a recording file holds (see parseRecordings), whole or reduced to bounded memory. */
export function readRecordingFile(path: string, options: ReadRecordingOptions = {}): Recording[] {
  const collector = options.maxPointsPerLifetime === undefined ? new RecordingCollector(path) : new ReducingCollector(path, options.maxPointsPerLifetime);
  return collector.recordings(streamRecordingFile(path, collector));
}
