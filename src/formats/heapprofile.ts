import { Frame } from '../model/frame.js';
import { Snapshot, type SnapshotMetadata } from '../model/snapshot.js';
import { Traceback } from '../model/traceback.js';
import type { Trace } from '../model/trace.js';
import { readableScriptPath } from './script-paths.js';

/**
 * Chrome's `.heapprofile`, both ways: the sampling heap profile JSON that DevTools'
 * Memory panel and speedscope open (`HeapProfiler.SamplingHeapProfile` of the DevTools
 * protocol): a tree of call frames with the live bytes allocated right there
 * (`selfSize`), and one entry in `samples` per live sampled object. Lines and columns
 * are 0-based in the JSON, lines 1-based in a Frame. heapsleuth adds a `heapsleuth`
 * object with what the format has no field for; other tools ignore it.
 * Documented in docs/formats.md.
 */

export interface HeapProfileCallFrame {
  functionName: string;
  scriptId: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

export interface HeapProfileNode {
  callFrame: HeapProfileCallFrame;
  selfSize: number;
  id: number;
  children: HeapProfileNode[];
}

export interface HeapProfileSample {
  size: number;
  nodeId: number;
  ordinal: number;
}

export interface HeapProfile {
  head: HeapProfileNode;
  samples: HeapProfileSample[];
  heapsleuth?: Partial<SnapshotMetadata>;
}

/** The sampling interval DevTools and Node's inspector use when none is given. */
export const DEFAULT_HEAPPROFILE_INTERVAL_BYTES = 32768;

/** An error meant for people: the JSON is not a sampling heap profile. */
export class HeapProfileFormatError extends Error {
  override name = 'HeapProfileFormatError';
}

export interface HeapProfileReadOptions {
  source?: string;
  /** Show absolute paths inside this folder as relative ones, packages as `node_modules/...`. */
  cwd?: string;
  /** When the profile was taken, if it does not say (ISO 8601; default: the Unix epoch). */
  takenAt?: string;
  /** The sampling interval, if the profile does not say (default 32768, V8's default). */
  samplingIntervalBytes?: number;
}

/**
 * The snapshot as a sampling heap profile. Each trace becomes a path of the tree; its
 * count becomes that many samples (rounded), which is what readers count.
 */
export function snapshotToHeapProfile(snapshot: Snapshot): HeapProfile {
  let nextId = 1;
  const scriptIds = new Map<string, string>([['', '0']]);
  const scriptIdOf = (url: string) => {
    let id = scriptIds.get(url);
    if (id === undefined) {
      id = String(scriptIds.size);
      scriptIds.set(url, id);
    }
    return id;
  };
  const newNode = (callFrame: HeapProfileCallFrame): HeapProfileNode => ({ callFrame, selfSize: 0, id: nextId++, children: [] });
  const head = newNode({ functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 });
  const childIndex = new Map<HeapProfileNode, Map<string, HeapProfileNode>>();
  const counts = new Map<HeapProfileNode, number>();

  for (const trace of snapshot.traces) {
    let node = head;
    for (let i = trace.traceback.frames.length - 1; i >= 0; i--) {
      const frame = trace.traceback.frames[i]!;
      let children = childIndex.get(node);
      if (!children) childIndex.set(node, (children = new Map()));
      let child = children.get(frame.key);
      if (!child) {
        child = newNode({
          functionName: frame.functionName,
          scriptId: scriptIdOf(frame.file),
          url: frame.file,
          lineNumber: frame.line - 1,
          columnNumber: frame.column,
        });
        children.set(frame.key, child);
        node.children.push(child);
      }
      node = child;
    }
    node.selfSize += trace.size;
    counts.set(node, (counts.get(node) ?? 0) + trace.count);
  }

  const samples: HeapProfileSample[] = [];
  let ordinal = 0;
  for (const [node, count] of counts) {
    node.selfSize = Math.round(node.selfSize);
    const n = Math.round(count);
    for (let i = 0; i < n; i++) samples.push({ size: Math.round(node.selfSize / n), nodeId: node.id, ordinal: ++ordinal });
  }
  return { head, samples, heapsleuth: { ...snapshot.metadata } };
}

/** Reads a sampling heap profile (parsed JSON) as a snapshot of live memory. */
export function snapshotFromHeapProfile(json: unknown, options: HeapProfileReadOptions = {}): Snapshot {
  const source = options.source ?? 'heap profile';
  if (!isObject(json) || !isObject(json['head'])) {
    throw new HeapProfileFormatError(`${source}: not a sampling heap profile (no "head" node)`);
  }
  const rawSamples = Array.isArray(json['samples']) ? (json['samples'] as unknown[]) : [];
  const samplesPerNode = new Map<number, number>();
  for (const sample of rawSamples) {
    if (isObject(sample) && typeof sample['nodeId'] === 'number') {
      samplesPerNode.set(sample['nodeId'], (samplesPerNode.get(sample['nodeId']) ?? 0) + 1);
    }
  }

  const traces: Trace[] = [];
  let stackDepth = 0;
  const frameOf = (callFrame: unknown, path: () => string): Frame => {
    if (!isObject(callFrame)) throw new HeapProfileFormatError(`${source}: node ${path()} has no callFrame`);
    const url = typeof callFrame['url'] === 'string' ? callFrame['url'] : '';
    const line = typeof callFrame['lineNumber'] === 'number' ? callFrame['lineNumber'] + 1 : 0;
    const column = typeof callFrame['columnNumber'] === 'number' ? callFrame['columnNumber'] : -1;
    const name = typeof callFrame['functionName'] === 'string' ? callFrame['functionName'] : '';
    return new Frame(readableScriptPath(url, options.cwd), line, name, column);
  };
  // Depth first with a stack of our own (a file may nest nodes deeper than the call stack
  // allows); each visit links to its parent, so a deep chain costs memory in its depth only.
  interface Visit {
    node: Record<string, unknown>;
    frame?: Frame;
    parent?: Visit;
    index: number;
    depth: number;
  }
  const framesOf = (visit: Visit): Frame[] => {
    const frames: Frame[] = [];
    for (let at: Visit | undefined = visit; at?.frame; at = at.parent) frames.push(at.frame);
    return frames; // most recent first
  };
  const pathOf = (place: Pick<Visit, 'parent' | 'index'>): string => {
    const indexes: number[] = [];
    for (let at: Pick<Visit, 'parent' | 'index'> | undefined = place; at?.parent; at = at.parent) indexes.push(at.index);
    const steps = indexes.reverse().map((index) => `.children[${index}]`);
    return 'head' + (steps.length <= 6 ? steps.join('') : `${steps.slice(0, 2).join('')}…${steps.slice(-3).join('')}`);
  };
  const pending: Visit[] = [{ node: json['head'], index: 0, depth: 0 }];
  while (pending.length > 0) {
    const visit = pending.pop()!;
    const { node } = visit;
    const selfSize = typeof node['selfSize'] === 'number' ? node['selfSize'] : 0;
    const count = typeof node['id'] === 'number' ? (samplesPerNode.get(node['id']) ?? 0) : 0;
    if (selfSize > 0 || count > 0) {
      traces.push({ traceback: new Traceback(framesOf(visit)), size: selfSize, count });
      stackDepth = Math.max(stackDepth, visit.depth);
    }
    const children = Array.isArray(node['children']) ? (node['children'] as unknown[]) : [];
    for (let index = children.length - 1; index >= 0; index--) {
      const child = children[index];
      const place = { parent: visit, index };
      if (!isObject(child)) throw new HeapProfileFormatError(`${source}: bad node at ${pathOf(place)}`);
      pending.push({ ...place, node: child, frame: frameOf(child['callFrame'], () => pathOf(place)), depth: visit.depth + 1 });
    }
  }

  const saved = isObject(json['heapsleuth']) ? (json['heapsleuth'] as Partial<SnapshotMetadata>) : {};
  const metadata: SnapshotMetadata = {
    runtime: saved.runtime === 'python' ? 'python' : 'node',
    takenAt: typeof saved.takenAt === 'string' ? saved.takenAt : (options.takenAt ?? new Date(0).toISOString()),
    samplingIntervalBytes:
      typeof saved.samplingIntervalBytes === 'number'
        ? saved.samplingIntervalBytes
        : (options.samplingIntervalBytes ?? DEFAULT_HEAPPROFILE_INTERVAL_BYTES),
    stackDepth: typeof saved.stackDepth === 'number' ? saved.stackDepth : stackDepth,
  };
  return new Snapshot(traces, metadata);
}

/** Whether parsed JSON looks like a sampling heap profile. */
export function isHeapProfileJSON(json: unknown): boolean {
  return isObject(json) && isObject(json['head']) && isObject(json['head']['callFrame']);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
