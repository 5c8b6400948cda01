import { closeSync, fstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { Snapshot } from '../model/snapshot.js';
import { snapshotFromJSON, SNAPSHOT_FORMAT } from '../model/snapshot-json.js';
import { isHeapProfileJSON, snapshotFromHeapProfile } from './heapprofile.js';
import { isGzip, looksLikePprof, snapshotFromPprof } from './pprof.js';
import { parseRecording, RECORDING_FORMAT, RecordingFormatError, snapshotOfSample, type Recording } from './recording.js';
import { readRecordingTicks } from './recording-ticks.js';
import { indexInRange, missingChoiceMessage, parseSnapshotChoice, timeChoiceTakes, unreadableChoiceMessage, type SnapshotChoice } from './snapshot-choice.js';

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
  if (file.times.length === 0) throw new ProfileLoadError(`${file.source}: holds no samples yet`);
  const choice = parseSnapshotChoice(at, fallback);
  if (!choice) throw new ProfileLoadError(unreadableChoiceMessage(at));
  const index = resolveChoice(file.times, choice);
  if (index === undefined) throw new ProfileLoadError(missingChoiceMessage(file.source, choice, file.times.length, file.times[0]));
  return index;
}

/** The index of the snapshot a choice names among snapshots taken at `times` (in file order), or undefined. */
function resolveChoice(times: number[], choice: SnapshotChoice): number | undefined {
  if ('index' in choice) return indexInRange(choice.index, times.length);
  let chosen: number | undefined;
  times.forEach((time, i) => {
    if (timeChoiceTakes(choice, time, chosen === undefined ? undefined : times[chosen])) chosen = i;
  });
  return chosen;
}

/** Reads one snapshot of a file, chosen by `--at` as selectSnapshotIndex() does (a recording is streamed, keeping that tick only). */
export function loadSnapshot(path: string, at?: string, options: ProfileReadOptions = {}): Snapshot {
  const choice = parseSnapshotChoice(at);
  if (!choice) throw new ProfileLoadError(unreadableChoiceMessage(at));
  return readSnapshotPicks(path, [choice], options).pick(0).snapshot;
}

/** Snapshots chosen from one file, with what it holds. */
export interface SnapshotPicks {
  source: string;
  kind: ProfileKind;
  /** Snapshots the file holds (samples, for a recording). */
  count: number;
  /** What was skipped while reading. */
  warnings: string[];
  /** The snapshot the i-th choice names; throws a ProfileLoadError saying what the file holds when it names none. */
  pick(i: number): { index: number; snapshot: Snapshot };
}

/**
 * Reads the snapshots `choices` name from a file of any kind. A recording is streamed once,
 * keeping only the ticks named (memory bounded by them, not by the file's length: see
 * readRecordingTicks); the other kinds hold one snapshot and are read whole.
 */
export function readSnapshotPicks(path: string, choices: SnapshotChoice[], options: ProfileReadOptions = {}): SnapshotPicks {
  if (!startsAsRecording(path)) {
    const file = readProfileFile(path, options);
    return {
      source: file.source,
      kind: file.kind,
      count: file.times.length,
      warnings: file.warnings,
      pick: (i) => {
        if (file.times.length === 0) throw new ProfileLoadError(`${file.source}: holds no samples yet`);
        const index = resolveChoice(file.times, choices[i]!);
        if (index === undefined) throw new ProfileLoadError(missingChoiceMessage(file.source, choices[i]!, file.times.length, file.times[0]));
        return { index, snapshot: file.snapshot(index) };
      },
    };
  }
  let read;
  try {
    read = readRecordingTicks(path, choices);
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    const code = (error as NodeJS.ErrnoException).code;
    if (!(error instanceof RecordingFormatError) && code !== undefined) throw new ProfileLoadError(`${path}: cannot read: ${code}`);
    throw new ProfileLoadError(message.startsWith(path) ? message : `${path}: ${message}`);
  }
  const { count, firstTime, ticks } = read;
  return {
    source: path,
    kind: 'recording',
    count,
    warnings: read.warnings,
    pick: (i) => {
      const tick = ticks[i];
      if (!tick) throw new ProfileLoadError(missingChoiceMessage(path, choices[i]!, count, firstTime));
      return tick;
    },
  };
}

/** Bytes read to tell a recording from the start of a file: its header line must fit. */
const SNIFF_BYTES = 1024 * 1024;

/**
 * Whether a file is a plain (not gzipped) recording, told as parseProfileFile tells it: from
 * its first line. False for anything else, unreadable files included (read whole, they get
 * their one-line message there).
 */
function startsAsRecording(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    if (!fstatSync(fd).isFile()) return false;
    const start = Buffer.alloc(SNIFF_BYTES);
    const got = readSync(fd, start, 0, SNIFF_BYTES, 0);
    const head = start.subarray(0, got);
    const newline = head.indexOf(0x0a);
    if (newline < 0 && got === SNIFF_BYTES) return false;
    return startsLikeJSON(head) && isRecordingText(head.toString('utf8', 0, newline < 0 ? got : newline));
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
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
