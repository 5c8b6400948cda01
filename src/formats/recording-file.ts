import { closeSync, openSync, readSync } from 'node:fs';
import { RecordingDecoder, type DecoderOptions, type RecordingSink } from './recording-decoder.js';
import { RecordingCollector, type Recording } from './recording.js';

const CHUNK_BYTES = 4 * 1024 * 1024;

export interface StreamedFile {
  /** Bytes read: a second pass over a file still being written reads exactly as far. */
  bytesRead: number;
  warnings: string[];
}

/**
 * Reads a recording file chunk by chunk into a sink: memory stays bounded by the
 * longest line, however long the recording. `maxBytes` stops at that offset (a file that
 * grows while it is read); a line cut there is not read. Throws RecordingFormatError for
 * a file that is not a recording, and the file system's errors as they are.
 */
export function streamRecordingFile(path: string, sink: RecordingSink, options: DecoderOptions & { maxBytes?: number } = {}): StreamedFile {
  const decoder = new RecordingDecoder(path, sink, options);
  const fd = openSync(path, 'r');
  let bytesRead = 0;
  try {
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    const limit = options.maxBytes ?? Infinity;
    for (;;) {
      const want = Math.min(chunk.length, limit - bytesRead);
      if (want <= 0) break;
      const got = readSync(fd, chunk, 0, want, null);
      if (got === 0) break;
      bytesRead += got;
      decoder.push(chunk.subarray(0, got));
    }
  } finally {
    closeSync(fd);
  }
  decoder.finish();
  return { bytesRead, warnings: decoder.warnings };
}

/** Every process lifetime a recording file holds, whole in memory (see parseRecordings). */
export function readRecordingFile(path: string): Recording[] {
  const collector = new RecordingCollector(path);
  const { warnings } = streamRecordingFile(path, collector);
  return collector.recordings(warnings);
}
