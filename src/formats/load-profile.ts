import { readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { Snapshot } from '../model/snapshot.js';
import { snapshotFromJSON, SNAPSHOT_FORMAT } from '../model/snapshot-json.js';
import { isHeapProfileJSON, snapshotFromHeapProfile } from './heapprofile.js';
import { isGzip, looksLikePprof, snapshotFromPprof } from './pprof.js';
import { parseRecording, RECORDING_FORMAT, snapshotOfSample, type Recording } from './recording.js';

/**
 * Any file heapsleuth reads as snapshots, told apart by content (not by name): a
 * recording (`.ndjson`, one snapshot per sample), a pprof heap profile (`.pb.gz`,
 * `.pb`), a Chrome `.heapprofile`, or a `heapsleuth-snapshot` dump (Snapshot.dump()).
 */
export type ProfileKind = 'recording' | 'pprof' | 'heapprofile' | 'snapshot';

export interface ProfileFile {
  source: string;
  kind: ProfileKind;
  /** Epoch milliseconds of each snapshot the file holds, oldest first (one, except recordings). */
  times: number[];
  /** The snapshot at `index` (0-based, as in `times`). */
  snapshot(index: number): Snapshot;
  /** Set for recordings. */
  recording?: Recording;
  /** What was skipped while reading. */
  warnings: string[];
}

/** An error meant for people: a file that cannot be read as a snapshot, in one line. */
export class ProfileLoadError extends Error {
  override name = 'ProfileLoadError';
}

export interface ProfileReadOptions {
  /** Make absolute paths of foreign profiles relative to this folder (default: the current one). */
  cwd?: string;
}

/** Reads a file as snapshots. */
export function readProfileFile(path: string, options: ProfileReadOptions = {}): ProfileFile {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ProfileLoadError(code === 'ENOENT' ? `${path}: no such file` : code === 'EISDIR' ? `${path}: is a folder, not a file` : `${path}: cannot read: ${code ?? String(error)}`);
  }
  return parseProfileFile(bytes, path, { ...options, modifiedAt: modifiedTime(path) });
}

/** Reads bytes as snapshots; `source` names them in messages. */
export function parseProfileFile(bytes: Uint8Array, source: string, options: ProfileReadOptions & { modifiedAt?: string } = {}): ProfileFile {
  const cwd = options.cwd ?? process.cwd();
  const fallbackTime = options.modifiedAt ?? new Date(0).toISOString();
  try {
    let content = bytes;
    if (isGzip(bytes)) {
      content = gunzipSync(bytes);
      if (!startsLikeJSON(content)) return single('pprof', snapshotFromPprof(content, { source, cwd, takenAt: fallbackTime }), source);
    }
    if (!startsLikeJSON(content)) {
      if (looksLikePprof(content)) return single('pprof', snapshotFromPprof(content, { source, cwd, takenAt: fallbackTime }), source);
      throw new ProfileLoadError(`${source}: not a profile heapsleuth reads (expected a recording, pprof, .heapprofile or heapsleuth snapshot)`);
    }
    const text = Buffer.from(content.buffer, content.byteOffset, content.byteLength).toString('utf8');
    if (isRecordingText(text)) return recordingFile(parseRecording(text, source));
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ProfileLoadError(`${source}: invalid JSON, and not a heapsleuth recording`);
    }
    if (isObject(json) && json['format'] === SNAPSHOT_FORMAT) return single('snapshot', snapshotFromJSON(json, source), source);
    if (isHeapProfileJSON(json)) return single('heapprofile', snapshotFromHeapProfile(json, { source, cwd, takenAt: fallbackTime }), source);
    throw new ProfileLoadError(`${source}: JSON, but not a .heapprofile, heapsleuth snapshot or recording`);
  } catch (error) {
    if (error instanceof ProfileLoadError) throw error;
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    throw new ProfileLoadError(message.startsWith(source) ? message : `${source}: ${message}`);
  }
}

/**
 * Picks a snapshot by `--at`: an index (negative counts from the end; default the
 * last) or an ISO time (the latest snapshot taken at or before it).
 */
export function selectSnapshotIndex(file: ProfileFile, at: string | undefined, fallback = -1): number {
  const count = file.times.length;
  if (count === 0) throw new ProfileLoadError(`${file.source}: holds no samples yet`);
  const text = at?.trim();
  if (text === undefined || text === '') return resolveIndex(file, fallback);
  if (/^[-+]?\d+$/.test(text)) return resolveIndex(file, Number(text));
  const time = parseUtcTime(text);
  if (!Number.isFinite(time)) throw new ProfileLoadError(`cannot read ${JSON.stringify(at)} as a sample index or an ISO time (e.g. 0, -1, 2024-05-01T12:00:00Z)`);
  let chosen = -1;
  file.times.forEach((t, i) => {
    if (t <= time && (chosen < 0 || t >= file.times[chosen]!)) chosen = i;
  });
  if (chosen < 0) {
    throw new ProfileLoadError(`${file.source}: no sample at or before ${new Date(time).toISOString()} (the first is at ${new Date(file.times[0]!).toISOString()})`);
  }
  return chosen;
}

/** An ISO time; one without a zone is UTC, as every time heapsleuth prints is (Date.parse would take it as local time). */
function parseUtcTime(text: string): number {
  const zoneless = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text);
  return Date.parse(zoneless ? `${text.replace(' ', 'T')}Z` : text);
}

/** Reads one snapshot of a file, chosen by `--at` as selectSnapshotIndex() does. */
export function loadSnapshot(path: string, at?: string, options: ProfileReadOptions = {}): Snapshot {
  const file = readProfileFile(path, options);
  return file.snapshot(selectSnapshotIndex(file, at));
}

function resolveIndex(file: ProfileFile, index: number): number {
  const count = file.times.length;
  const resolved = index < 0 ? count + index : index;
  if (resolved < 0 || resolved >= count) {
    throw new ProfileLoadError(`${file.source}: sample ${index} does not exist (it holds ${count} sample${count === 1 ? '' : 's'}: 0..${count - 1}, or -1 for the last)`);
  }
  return resolved;
}

function single(kind: ProfileKind, snapshot: Snapshot, source: string): ProfileFile {
  const time = Date.parse(snapshot.metadata.takenAt);
  return {
    source,
    kind,
    times: [Number.isFinite(time) ? time : 0],
    snapshot: (index) => {
      if (index !== 0) throw new ProfileLoadError(`${source}: holds one snapshot, not ${index + 1}`);
      return snapshot;
    },
    warnings: [],
  };
}

function recordingFile(recording: Recording): ProfileFile {
  return {
    source: recording.source,
    kind: 'recording',
    times: recording.samples.map((sample) => sample.time),
    snapshot: (index) => {
      const sample = recording.samples[index];
      if (!sample) throw new ProfileLoadError(`${recording.source}: sample ${index} does not exist`);
      return snapshotOfSample(recording, sample);
    },
    recording,
    warnings: recording.warnings,
  };
}

function isRecordingText(text: string): boolean {
  const newline = text.indexOf('\n');
  const firstLine = (newline < 0 ? text : text.slice(0, newline)).trim();
  if (!firstLine.includes(RECORDING_FORMAT)) return false;
  try {
    const header = JSON.parse(firstLine) as unknown;
    return isObject(header) && header['format'] === RECORDING_FORMAT;
  } catch {
    return false;
  }
}

function startsLikeJSON(bytes: Uint8Array): boolean {
  for (const byte of bytes.subarray(0, 64)) {
    if (byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09 || byte === 0xef || byte === 0xbb || byte === 0xbf) continue;
    return byte === 0x7b; // '{'
  }
  return false;
}

function modifiedTime(path: string): string | undefined {
  try {
    return statSync(path).mtime.toISOString();
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
