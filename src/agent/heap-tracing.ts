import { fileURLToPath } from 'node:url';
import type { Snapshot } from '../model/snapshot.js';
import { InspectorSampler } from './inspector-sampler.js';
import { LocationResolver } from './locations.js';
import { snapshotFromProfile } from './profile-to-snapshot.js';
import { SamplerError, type HeapSampler } from './sampler.js';

export const DEFAULT_SAMPLING_INTERVAL_BYTES = 64 * 1024;
export const DEFAULT_STACK_DEPTH = 64;

export interface StartOptions {
  /** Mean bytes between sampled allocations (default 64 KiB). Smaller is more precise and costs more CPU. */
  samplingIntervalBytes?: number;
  /** Frames kept per stack, most recent first (default 64). */
  stackDepth?: number;
  /** Map compiled JavaScript back to its sources through source maps (default true). */
  sourceMaps?: boolean;
  /** Paths are shown relative to this directory (default: process.cwd()). */
  cwd?: string;
  /** Told (once each) when sampling is shared with another agent or had to be restarted. Default: a line on stderr. */
  onNotice?: (message: string) => void;
}

export interface TracingOptions {
  samplingIntervalBytes: number;
  stackDepth: number;
  /** `inspector`, or `inspector-shared` when another agent owns the profiler (its interval applies). */
  sampler: string;
}

interface Tracing {
  sampler: HeapSampler;
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
  const sampler = new InspectorSampler();
  sampler.onNotice = options.onNotice ?? ((message) => process.stderr.write(`heapsleuth: ${message}\n`));
  sampler.start({ samplingIntervalBytes });
  tracing = {
    sampler,
    resolver: new LocationResolver(options.cwd ?? process.cwd(), options.sourceMaps ?? true),
    samplingIntervalBytes,
    stackDepth,
  };
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

export function getTracingOptions(): TracingOptions | undefined {
  if (!tracing) return undefined;
  const sampler = tracing.sampler.isShared ? `${tracing.sampler.name}-shared` : tracing.sampler.name;
  return { samplingIntervalBytes: tracing.samplingIntervalBytes, stackDepth: tracing.stackDepth, sampler };
}

/**
 * The estimated live memory of every sampled allocation stack now. Reading the
 * profile runs a full garbage collection first, so only live objects count.
 */
export function takeSnapshot(): Snapshot {
  if (!tracing) throw new SamplerError('heapsleuth is not tracing: call start() before takeSnapshot()');
  return snapshotFromProfile(tracing.sampler.readProfile(), {
    samplingIntervalBytes: tracing.samplingIntervalBytes,
    stackDepth: tracing.stackDepth,
    resolver: tracing.resolver,
    isOwnScript,
  });
}
