import { Frame } from './frame.js';
import { quoteValue } from './quote-value.js';
import { Snapshot, type SnapshotMetadata } from './snapshot.js';
import { Traceback } from './traceback.js';
import type { Trace } from './trace.js';

export const SNAPSHOT_FORMAT = 'heapsleuth-snapshot';
export const SNAPSHOT_VERSION = 1;

/** A snapshot as stored by Snapshot.dump(): frames once, traces as `[size, count, ...frameIndexes]`. */
export interface SnapshotJSON {
  format: typeof SNAPSHOT_FORMAT;
  version: number;
  metadata: SnapshotMetadata;
  /** `[file, line, function, column]` */
  frames: [string, number, string, number][];
  traces: number[][];
}

export function snapshotToJSON(snapshot: Snapshot): SnapshotJSON {
  const frames: SnapshotJSON['frames'] = [];
  const index = new Map<string, number>();
  const traces = snapshot.traces.map((trace) => {
    const ids = trace.traceback.frames.map((frame) => {
      let id = index.get(frame.key);
      if (id === undefined) {
        id = frames.length;
        index.set(frame.key, id);
        frames.push([frame.file, frame.line, frame.functionName, frame.column]);
      }
      return id;
    });
    return [trace.size, trace.count, ...ids];
  });
  return { format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, metadata: snapshot.metadata, frames, traces };
}

export function snapshotFromJSON(data: unknown, source = 'snapshot'): Snapshot {
  const fail = (why: string): never => {
    throw new SyntaxError(`${source}: not a valid heapsleuth snapshot (${why})`);
  };
  if (!isObject(data) || data['format'] !== SNAPSHOT_FORMAT) fail('missing "format": "heapsleuth-snapshot"');
  const object = data as Record<string, unknown>;
  if (object['version'] !== SNAPSHOT_VERSION) {
    fail(`version ${quoteValue(object['version'])} is not supported; this heapsleuth reads version ${SNAPSHOT_VERSION}`);
  }
  const metadata = object['metadata'];
  if (!isObject(metadata) || typeof metadata['takenAt'] !== 'string') fail('bad metadata');
  const rawFrames = object['frames'];
  const rawTraces = object['traces'];
  if (!Array.isArray(rawFrames) || !Array.isArray(rawTraces)) fail('frames and traces must be arrays');
  const frames = (rawFrames as unknown[]).map((raw, i) => {
    if (!Array.isArray(raw) || typeof raw[0] !== 'string' || typeof raw[1] !== 'number') fail(`bad frame #${i}`);
    const [file, line, fn, column] = raw as [string, number, unknown, unknown];
    return new Frame(file, line, typeof fn === 'string' ? fn : '', typeof column === 'number' ? column : 0);
  });
  const traces: Trace[] = (rawTraces as unknown[]).map((raw, i) => {
    if (!Array.isArray(raw) || raw.length < 2 || !raw.every((value) => typeof value === 'number')) fail(`bad trace #${i}`);
    const [size, count, ...ids] = raw as number[];
    const stack = ids.map((id) => frames[id] ?? fail(`trace #${i} refers to unknown frame ${id}`));
    return { traceback: new Traceback(stack), size: size!, count: count! };
  });
  return new Snapshot(traces, metadata as unknown as SnapshotMetadata);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
