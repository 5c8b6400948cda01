/**
 * The source of live-allocation samples. One backend today (V8's sampling heap
 * profiler through node:inspector); the interface leaves room for a native one.
 */
export interface SamplerOptions {
  /** Mean bytes between samples. */
  samplingIntervalBytes: number;
}

/** A call frame as V8's inspector protocol reports it (0-based line and column). */
export interface RawCallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
  scriptId?: string;
}

export interface RawAllocationNode {
  id: number;
  callFrame: RawCallFrame;
  selfSize: number;
  children: RawAllocationNode[];
}

/** One sampled live object: its size and the node of the stack that allocated it. */
export interface RawSample {
  size: number;
  nodeId: number;
  ordinal?: number;
}

/** `HeapProfiler.SamplingHeapProfile` of the Chrome DevTools protocol. */
export interface RawProfile {
  head: RawAllocationNode;
  samples: RawSample[];
}

export interface HeapSampler {
  /** A short name for logs and recordings, e.g. `inspector`. */
  readonly name: string;
  readonly isTracing: boolean;
  /** Whether reading a profile first collects garbage, so that only live objects count. */
  readonly readsOnlyLiveObjects: boolean;
  /** Another agent owns the running profiler: it is read, never stopped or re-configured. */
  readonly isShared: boolean;
  start(options: SamplerOptions): void;
  stop(): void;
  /** The live sampled objects now. */
  readProfile(): RawProfile;
}

/** An error meant for people: why the sampler could not do what was asked. */
export class SamplerError extends Error {
  override name = 'SamplerError';
}
