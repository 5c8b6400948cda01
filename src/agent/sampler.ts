/**
 * The source of live-allocation samples: V8's sampling heap profiler, read through
 * node:inspector (InspectorSampler) or through the native addon of @datadog/pprof when it
 * is installed (NativeSampler).
 */
export interface SamplerOptions {
  /** Mean bytes between samples. */
  samplingIntervalBytes: number;
  /** Frames V8 records per sample. */
  stackDepth: number;
}

/** A call frame as V8's inspector protocol reports it (0-based line and column). */
export interface RawCallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

/** One node of V8's allocation tree: a call frame, what it allocated itself, its callees. */
export interface AllocationNode {
  callFrame: RawCallFrame;
  /** V8's scaled estimate of the live bytes allocated by this exact stack. */
  selfSize: number;
  /** Live samples behind selfSize. */
  sampleCount: number;
  /** The allocation order numbers (`ordinal`) of those samples, where the sampler reports them (inspector). */
  ordinals?: number[];
  children: AllocationNode[];
}

export interface HeapSampler {
  /** A short name for logs and recordings: `inspector` or `native`. */
  readonly name: string;
  readonly isTracing: boolean;
  /**
   * Whether reading collects garbage first, so that only live objects count. When not,
   * sampled objects that died since V8's last major GC still count.
   */
  readonly readsOnlyLiveObjects: boolean;
  /** Another agent owns the running profiler: it is read, never stopped or re-configured. */
  readonly isShared: boolean;
  /** Told (once each) when sampling is shared with another agent or had to be restarted. */
  onNotice: ((message: string) => void) | undefined;
  start(options: SamplerOptions): void;
  stop(): void;
  /** The live sampled allocations now, as a tree rooted at V8's `(root)`. */
  readAllocationTree(): AllocationNode;
}

/** An error meant for people: why the sampler could not do what was asked. */
export class SamplerError extends Error {
  override name = 'SamplerError';
}
