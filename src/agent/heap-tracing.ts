import { fileURLToPath } from 'node:url';
import { Snapshot } from '../model/snapshot.js';
import type { Trace } from '../model/trace.js';
import type { Traceback } from '../model/traceback.js';
import { SampleGenerations } from './sample-generations.js';
import { InspectorSampler } from './inspector-sampler.js';
import { LocationResolver } from './locations.js';
import { snapshotFromAllocationTree } from './profile-to-snapshot.js';
import { loadNativeHeapProfiler, NativeSampler } from './native-sampler.js';
import { SamplerError, type HeapSampler } from './sampler.js';
import { writeStderr } from './stderr.js';

/**
 * Mean bytes between samples. V8's sampler costs CPU per sample: at 64 KiB a loaded HTTP
 * service paid about 5% of its CPU for sampling alone, at 512 KiB nothing measurable
 * (bench/overhead). 256 KiB keeps a service within about 2% and still gives a leak of
 * 10 MB/h some 40 samples an hour. `heapsleuth run`, a short diagnosis, samples at 64 KiB.
 */
export const DEFAULT_SAMPLING_INTERVAL_BYTES = 256 * 1024;
export const DEFAULT_STACK_DEPTH = 64;

export interface StartOptions {
  /** Mean bytes between sampled allocations (default 256 KiB). Smaller is more precise and costs more CPU. */
  samplingIntervalBytes?: number;
  /** Frames kept per stack, most recent first (default 64). */
  stackDepth?: number;
  /** Map compiled JavaScript back to its sources through source maps (default true). */
  sourceMaps?: boolean;
  /** Paths are shown relative to this directory (default: process.cwd()). */
  cwd?: string;
  /** Told (once each) when sampling is shared with another agent or had to be restarted. Default: a line on stderr. */
  onNotice?: (message: string) => void;
  /**
   * How the profile is read. `inspector` (default): through node:inspector, which runs a
   * full GC first, so only live objects count, at the cost of a pause that grows with the
   * heap. `native`: through the prebuilt addon of the optional dependency @datadog/pprof,
   * in well under a millisecond and without a GC (objects that died since V8's last major
   * GC still count). `auto`: native when installed, else inspector.
   */
  sampler?: 'inspector' | 'native' | 'auto';
}

export interface TracingOptions {
  samplingIntervalBytes: number;
  stackDepth: number;
  /** `inspector` or `native`, with `-shared` when another agent owns the profiler (its interval applies). */
  sampler: string;
}

interface Tracing {
  sampler: HeapSampler;
  generations: SampleGenerations;
  resolver: LocationResolver;
  samplingIntervalBytes: number;
  stackDepth: number;
}

const ownDirectory = fileURLToPath(new URL('../', import.meta.url));
const ownUrl = new URL('../', import.meta.url).href;
const isOwnScript = (url: string) => url.startsWith(ownUrl) || url.startsWith(ownDirectory);

let tracing: Tracing | undefined;

/**
 * Starts sampling live allocations in this thread (the main thread or a worker) with
 * V8's sampling heap profiler. Only allocations made from now on are seen. Calling it
 * again while tracing does nothing.
 */
export function start(options: StartOptions = {}): void {
  if (tracing) return;
  const samplingIntervalBytes = options.samplingIntervalBytes ?? DEFAULT_SAMPLING_INTERVAL_BYTES;
  const stackDepth = options.stackDepth ?? DEFAULT_STACK_DEPTH;
  if (!Number.isInteger(stackDepth) || stackDepth < 1) throw new SamplerError(`stack depth must be a positive integer, got ${stackDepth}`);
  const sampler = createSampler(options.sampler ?? 'inspector');
  sampler.onNotice = options.onNotice ?? ((message) => writeStderr(`heapsleuth: ${message}\n`));
  sampler.start({ samplingIntervalBytes, stackDepth });
  tracing = {
    sampler,
    generations: new SampleGenerations(),
    resolver: new LocationResolver(options.cwd ?? process.cwd(), options.sourceMaps ?? true),
    samplingIntervalBytes,
    stackDepth,
  };
}

function createSampler(kind: 'inspector' | 'native' | 'auto'): HeapSampler {
  if (kind === 'inspector') return new InspectorSampler();
  const native = loadNativeHeapProfiler();
  if (native) return new NativeSampler(native);
  if (kind === 'native') throw new SamplerError("the native sampler needs the optional dependency @datadog/pprof: npm install @datadog/pprof");
  return new InspectorSampler();
}

/** Stops sampling; snapshots taken before stay valid. */
export function stop(): void {
  const current = tracing;
  tracing = undefined;
  current?.sampler.stop();
}

export function isTracing(): boolean {
  return tracing !== undefined;
}

/** Whether snapshots hold only live objects (the inspector's GC) or may include garbage since the last major GC (native). */
export function readsOnlyLiveObjects(): boolean {
  return tracing?.sampler.readsOnlyLiveObjects ?? true;
}

export function getTracingOptions(): TracingOptions | undefined {
  if (!tracing) return undefined;
  const sampler = tracing.sampler.isShared ? `${tracing.sampler.name}-shared` : tracing.sampler.name;
  return { samplingIntervalBytes: tracing.samplingIntervalBytes, stackDepth: tracing.stackDepth, sampler };
}

/**
 * The estimated live memory of every sampled allocation stack now. With the inspector
 * sampler, reading runs a full garbage collection first, so only live objects count.
 */
export function takeSnapshot(): Snapshot {
  if (!tracing) throw new SamplerError('heapsleuth is not tracing: call start() before takeSnapshot()');
  const live = new Map<number, Traceback>();
  let ordinals = false;
  const snapshot = snapshotFromAllocationTree(tracing.sampler.readAllocationTree(), {
    samplingIntervalBytes: tracing.samplingIntervalBytes,
    stackDepth: tracing.stackDepth,
    resolver: tracing.resolver,
    isOwnScript,
    onSamples: (traceback, sampleOrdinals) => {
      ordinals = true;
      for (const ordinal of sampleOrdinals) live.set(ordinal, traceback);
    },
  });
  if (!ordinals) return snapshot;
  const { deaths, oldestAge, survivors } = tracing.generations.advance(live);
  if (deaths.size === 0 && oldestAge.size === 0) return snapshot;
  const traces: Trace[] = snapshot.traces.map((trace) => {
    const key = trace.traceback.key;
    const entry = deaths.get(key);
    const age = oldestAge.get(key);
    if (!entry && age === undefined) return trace;
    deaths.delete(key);
    const outlived = survivors.get(key);
    return {
      ...trace,
      ...(entry ? { oldDeaths: entry.died } : {}),
      ...(age === undefined ? {} : { oldestAge: age }),
      ...(outlived === undefined ? {} : { survivors: outlived }),
    };
  });
  // stacks whose samples all died carry only their deaths
  for (const { traceback, died } of deaths.values()) traces.push({ traceback, size: 0, count: 0, oldDeaths: died });
  return new Snapshot(traces, snapshot.metadata);
}
