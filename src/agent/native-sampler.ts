import { createRequire } from 'node:module';
import { SamplerError, type AllocationNode, type HeapSampler, type SamplerOptions } from './sampler.js';
import { isSamplingRunning } from './inspector-sampler.js';

/** The part of @datadog/pprof's `heap` module used here. */
interface NativeHeapProfiler {
  start(intervalBytes: number, stackDepth: number): void;
  stop(): void;
  v8Profile(): NativeNode;
}

/** V8's `AllocationProfile::Node` as the addon hands it over: 1-based lines and columns. */
interface NativeNode {
  name: string;
  scriptName: string;
  lineNumber: number;
  columnNumber: number;
  allocations: { sizeBytes: number; count: number }[];
  children: NativeNode[];
}

let cached: NativeHeapProfiler | null | undefined;

/** The native heap profiler of the optional dependency @datadog/pprof, or null when it is not installed or cannot load. */
export function loadNativeHeapProfiler(): NativeHeapProfiler | null {
  if (cached === undefined) {
    try {
      const pprof = createRequire(import.meta.url)('@datadog/pprof') as { heap?: NativeHeapProfiler };
      cached = pprof.heap && typeof pprof.heap.v8Profile === 'function' ? pprof.heap : null;
    } catch {
      cached = null;
    }
  }
  return cached;
}

/**
 * V8's sampling heap profiler read through the native API (the prebuilt addon of
 * @datadog/pprof). Reading costs well under a millisecond and collects no garbage, so
 * sampled objects that died since V8's last major GC still count: the tracer reads right
 * after V8's own major GCs to keep them out (see docs/accuracy.md).
 */
export class NativeSampler implements HeapSampler {
  readonly name = 'native';
  readonly readsOnlyLiveObjects = false;
  onNotice: ((message: string) => void) | undefined;
  private tracing = false;
  private shared = false;
  private options: SamplerOptions | undefined;

  constructor(private readonly profiler: NativeHeapProfiler) {}

  get isTracing(): boolean {
    return this.tracing;
  }

  get isShared(): boolean {
    return this.shared;
  }

  start(options: SamplerOptions): void {
    if (this.tracing) return;
    this.shared = isSamplingRunning();
    if (this.shared) {
      this.onNotice?.("V8's sampling heap profiler is already running for another agent; heapsleuth reads its samples and leaves its settings alone");
    } else {
      try {
        this.profiler.start(Math.round(options.samplingIntervalBytes), options.stackDepth);
      } catch (error) {
        throw new SamplerError(`cannot start V8's sampling heap profiler: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    this.options = options;
    this.tracing = true;
  }

  stop(): void {
    if (!this.tracing) return;
    this.tracing = false;
    if (this.shared) return;
    try {
      this.profiler.stop();
    } catch {
      // already stopped by someone else
    }
  }

  readAllocationTree(): AllocationNode {
    if (!this.tracing || !this.options) throw new SamplerError('the heap sampler is not running: call start() first');
    try {
      return toAllocationTree(this.profiler.v8Profile(), this.options.samplingIntervalBytes);
    } catch (error) {
      // Another agent (or a debugger) stopped V8's profiler (there is only one): start it
      // again. The addon still believes it runs and refuses a second start unless stopped.
      try {
        this.profiler.stop();
      } catch {
        // nothing to stop
      }
      this.profiler.start(Math.round(this.options.samplingIntervalBytes), this.options.stackDepth);
      this.shared = false;
      this.onNotice?.(`V8's sampling heap profiler stopped (${error instanceof Error ? error.message : String(error)}); heapsleuth restarted it (earlier samples are lost)`);
      return toAllocationTree(this.profiler.v8Profile(), this.options.samplingIntervalBytes);
    }
  }
}

/**
 * The native API gives each allocation's real size and V8's scaled count (estimated
 * objects). The count is turned back into live samples (count times the probability that
 * an object of that size is sampled), so counts mean the same for both samplers.
 */
function toAllocationTree(node: NativeNode, samplingIntervalBytes: number): AllocationNode {
  let selfSize = 0;
  let sampleCount = 0;
  for (const allocation of node.allocations) {
    selfSize += allocation.sizeBytes * allocation.count;
    sampleCount += allocation.count * -Math.expm1(-allocation.sizeBytes / samplingIntervalBytes);
  }
  return {
    callFrame: { functionName: node.name, url: node.scriptName, lineNumber: node.lineNumber - 1, columnNumber: node.columnNumber - 1 },
    selfSize,
    sampleCount: Math.round(sampleCount * 1000) / 1000,
    children: node.children.map((child) => toAllocationTree(child, samplingIntervalBytes)),
  };
}
