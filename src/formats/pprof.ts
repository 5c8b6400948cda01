import { gunzipSync, gzipSync } from 'node:zlib';
import { Function as PprofFunction, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import { Frame } from '../model/frame.js';
import { Snapshot, type SnapshotMetadata } from '../model/snapshot.js';
import { Traceback } from '../model/traceback.js';
import type { Trace } from '../model/trace.js';
import { readableScriptPath } from './script-paths.js';

/**
 * pprof heap profiles (gzipped `profile.proto`), both ways. A snapshot becomes one
 * sample per trace with the values `[inuse_objects/count, inuse_space/bytes]`, its
 * frames as locations (one line each) and functions; the period is the sampling
 * interval in bytes. Reading accepts heap profiles of other tools: `@datadog/pprof`
 * and Pyroscope (`objects`/`space`) and Go (`inuse_objects`/`inuse_space`).
 * Documented in docs/formats.md.
 */

/** Keys of the `comment` strings that carry what profile.proto has no field for. */
const COMMENT_PREFIX = 'heapsleuth:';

/** An error meant for people: the bytes are not a pprof heap profile heapsleuth can read. */
export class PprofFormatError extends Error {
  override name = 'PprofFormatError';
}

export interface PprofReadOptions {
  /** Where the bytes came from, for messages. */
  source?: string;
  /** Show absolute paths inside this folder as relative ones, packages as `node_modules/...`. */
  cwd?: string;
  /** When the profile was taken, if it does not say (ISO 8601; default: the Unix epoch). */
  takenAt?: string;
}

/** The snapshot as a gzipped pprof heap profile. */
export function snapshotToPprof(snapshot: Snapshot): Uint8Array {
  const strings = new StringTable();
  const functionIds = new Map<string, number>();
  const locationIds = new Map<string, number>();
  const functions: PprofFunction[] = [];
  const locations: Location[] = [];
  const startLineKnown = snapshot.metadata.runtime === 'node'; // V8 reports a function's first line

  const functionOf = (frame: Frame): number => {
    const startLine = startLineKnown ? frame.line : 0;
    const key = `${frame.file}\u0000${frame.functionName}\u0000${startLine}`;
    let id = functionIds.get(key);
    if (id === undefined) {
      id = functions.length + 1;
      functionIds.set(key, id);
      const name = strings.dedup(frame.functionName);
      functions.push(new PprofFunction({ id, name, systemName: name, filename: strings.dedup(frame.file), startLine }));
    }
    return id;
  };
  const locationOf = (frame: Frame): number => {
    let id = locationIds.get(frame.key);
    if (id === undefined) {
      id = locations.length + 1;
      locationIds.set(frame.key, id);
      // profile.proto's column is 1-based with 0 for unknown; Frame.column is 0-based with -1 for unknown, as V8's.
      const column = frame.column >= 0 ? frame.column + 1 : 0;
      locations.push(new Location({ id, line: [new Line({ functionId: functionOf(frame), line: frame.line, column })] }));
    }
    return id;
  };

  const objects = new ValueType({ type: strings.dedup('inuse_objects'), unit: strings.dedup('count') });
  const space = new ValueType({ type: strings.dedup('inuse_space'), unit: strings.dedup('bytes') });
  const period = new ValueType({ type: strings.dedup('space'), unit: strings.dedup('bytes') });
  const samples = snapshot.traces.map(
    (trace) => new Sample({ locationId: trace.traceback.frames.map(locationOf), value: [Math.round(trace.count), Math.round(trace.size)] }),
  );
  const comment = [`runtime=${snapshot.metadata.runtime}`, `stackDepth=${snapshot.metadata.stackDepth}`].map((text) =>
    strings.dedup(COMMENT_PREFIX + text),
  );
  const takenAtMs = Date.parse(snapshot.metadata.takenAt);
  const profile = new Profile({
    sampleType: [objects, space],
    sample: samples,
    location: locations,
    function: functions,
    stringTable: strings,
    timeNanos: Number.isFinite(takenAtMs) ? BigInt(takenAtMs) * 1_000_000n : 0,
    periodType: period,
    period: Math.round(snapshot.metadata.samplingIntervalBytes),
    comment,
    defaultSampleType: space.type,
  });
  return gzipSync(profile.encode());
}

/** Reads a pprof heap profile (gzipped or not) as a snapshot of live memory. */
export function snapshotFromPprof(bytes: Uint8Array, options: PprofReadOptions = {}): Snapshot {
  const source = options.source ?? 'profile';
  const profile = decodeProfile(bytes, source);
  const strings = profile.stringTable.strings;
  const text = (index: number | bigint | undefined): string => strings[Number(index ?? 0)] ?? '';

  const types = profile.sampleType.map((type) => ({ type: text(type.type), unit: text(type.unit) }));
  const spaceIndex = findType(types, ['inuse_space', 'space']);
  const objectsIndex = findType(types, ['inuse_objects', 'objects']);
  if (!types.some((type) => type.type !== '')) throw new PprofFormatError(`${source}: not a pprof heap profile (no sample types)`);
  if (spaceIndex < 0) {
    const found = types.map((type) => `${type.type}/${type.unit}`).join(', ') || 'none';
    throw new PprofFormatError(`${source}: not a heap profile: no inuse_space or space sample type (found ${found})`);
  }

  const functions = new Map(profile.function.map((fn) => [Number(fn.id), fn]));
  const framesOfLocation = new Map<number, Frame[]>();
  for (const location of profile.location) {
    const frames = location.line.map((line) => {
      const fn = functions.get(Number(line.functionId));
      const file = readableScriptPath(text(fn?.filename), options.cwd);
      return new Frame(file, Number(line.line), text(fn?.name), Number(line.column) - 1);
    });
    // An unsymbolized location (native code) still gets a frame, named by its address.
    if (frames.length === 0) frames.push(new Frame('', 0, `0x${BigInt(location.address).toString(16)}`, -1));
    framesOfLocation.set(Number(location.id), frames);
  }

  const traces = new Map<string, { traceback: Traceback; size: number; count: number }>();
  let stackDepth = 0;
  for (const sample of profile.sample) {
    const size = Number(sample.value[spaceIndex] ?? 0);
    const count = objectsIndex >= 0 ? Number(sample.value[objectsIndex] ?? 0) : 0;
    if (size === 0 && count === 0) continue;
    // location_id[0] is the leaf; within a location, line[0] is the innermost inlined call.
    const frames = sample.locationId.flatMap((id) => framesOfLocation.get(Number(id)) ?? []);
    const traceback = new Traceback(frames);
    stackDepth = Math.max(stackDepth, frames.length);
    const known = traces.get(traceback.key);
    if (known) {
      known.size += size;
      known.count += count;
    } else {
      traces.set(traceback.key, { traceback, size, count });
    }
  }

  const notes = readComments(profile.comment.map(text));
  const timeMs = Number(BigInt(profile.timeNanos) / 1_000_000n);
  const periodIsBytes = profile.periodType !== undefined && text(profile.periodType.unit) === 'bytes';
  const metadata: SnapshotMetadata = {
    runtime: notes.get('runtime') === 'python' ? 'python' : 'node',
    takenAt: timeMs > 0 ? new Date(timeMs).toISOString() : (options.takenAt ?? new Date(0).toISOString()),
    samplingIntervalBytes: periodIsBytes ? Number(profile.period) : 0,
    stackDepth: Number(notes.get('stackDepth')) || stackDepth,
  };
  return new Snapshot([...traces.values()] satisfies Trace[], metadata);
}

/** Whether the bytes look like a pprof profile: gzip, or a protobuf starting with field 1 or 2 (sample_type, sample). */
export function looksLikePprof(bytes: Uint8Array): boolean {
  if (isGzip(bytes)) return true;
  return bytes.length > 0 && (bytes[0] === 0x0a || bytes[0] === 0x12);
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function decodeProfile(bytes: Uint8Array, source: string): Profile {
  let raw = bytes;
  if (isGzip(bytes)) {
    try {
      raw = gunzipSync(bytes);
    } catch (error) {
      throw new PprofFormatError(`${source}: cannot gunzip: ${(error as Error).message}`);
    }
  }
  try {
    return Profile.decode(raw);
  } catch (error) {
    throw new PprofFormatError(`${source}: not a pprof profile (${(error as Error).message.split('\n')[0]})`);
  }
}

function findType(types: { type: string; unit: string }[], names: string[]): number {
  for (const name of names) {
    const index = types.findIndex((type) => type.type === name);
    if (index >= 0) return index;
  }
  return -1;
}

function readComments(comments: string[]): Map<string, string> {
  const notes = new Map<string, string>();
  for (const comment of comments) {
    if (!comment.startsWith(COMMENT_PREFIX)) continue;
    const [key, ...value] = comment.slice(COMMENT_PREFIX.length).split('=');
    if (key) notes.set(key, value.join('='));
  }
  return notes;
}
