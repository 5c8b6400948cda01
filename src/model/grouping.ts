import { Frame } from './frame.js';
import { Traceback } from './traceback.js';
import type { Trace } from './trace.js';

/** What statistics group traces by. */
export type KeyType = 'filename' | 'lineno' | 'function' | 'traceback';
export const KEY_TYPES: readonly KeyType[] = ['filename', 'lineno', 'function', 'traceback'];

export interface GroupOptions {
  /** Count each trace for every frame of its stack, not only for the frame to blame. */
  cumulative?: boolean;
}

export interface Group {
  traceback: Traceback;
  size: number;
  count: number;
}

/**
 * The one place where traces become groups; statistics() and compareTo() build on it.
 * Non-cumulative groups use each stack's blame frame (the most recent user frame).
 */
export function groupTraces(traces: Iterable<Trace>, keyType: KeyType, options: GroupOptions = {}): Map<string, Group> {
  if (!KEY_TYPES.includes(keyType)) throw new TypeError(`unknown key type ${JSON.stringify(keyType)}; use one of ${KEY_TYPES.join(', ')}`);
  if (options.cumulative && keyType === 'traceback') throw new TypeError("cumulative mode cannot be used with key type 'traceback'");
  const groups = new Map<string, Group>();
  const add = (key: string, traceback: Traceback, trace: Trace) => {
    const group = groups.get(key);
    if (group) {
      group.size += trace.size;
      group.count += trace.count;
      if (Traceback.compare(traceback, group.traceback) < 0) group.traceback = traceback;
    } else {
      groups.set(key, { traceback, size: trace.size, count: trace.count });
    }
  };
  for (const trace of traces) {
    if (keyType === 'traceback') {
      add(trace.traceback.key, trace.traceback, trace);
      continue;
    }
    const frames = options.cumulative ? trace.traceback.frames : [trace.traceback.blameFrame];
    const seen = new Set<string>();
    for (const frame of frames) {
      const keyFrame = frame ? keyFrameOf(frame, keyType) : new Frame('', 0);
      const key = keyFrame.key;
      if (seen.has(key)) continue;
      seen.add(key);
      add(key, new Traceback([keyFrame]), trace);
    }
  }
  return groups;
}

/**
 * The key of the site (`lineno` group) a stack belongs to, as groupTraces() keys it: the blame
 * frame's file, line and function.
 */
export function siteKeyOf(traceback: Traceback): string {
  const frame = traceback.blameFrame;
  return frame ? keyFrameOf(frame, 'lineno').key : new Frame('', 0).key;
}

function keyFrameOf(frame: Frame, keyType: Exclude<KeyType, 'traceback'>): Frame {
  switch (keyType) {
    case 'filename':
      return new Frame(frame.file, 0);
    case 'lineno':
      return new Frame(frame.file, frame.line, frame.functionName);
    case 'function':
      // Keyed by name; the line shown is the smallest seen (Traceback.compare keeps it).
      return new FunctionKeyFrame(frame.file, frame.line, frame.functionName);
  }
}

/** A frame whose identity ignores the line, for grouping by function. */
class FunctionKeyFrame extends Frame {
  override get key(): string {
    return `${this.file}\u0000${this.functionName}`;
  }
}
