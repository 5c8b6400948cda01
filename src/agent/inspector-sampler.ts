import inspector from 'node:inspector';
import { SamplerError, type AllocationNode, type HeapSampler, type RawCallFrame, type SamplerOptions } from './sampler.js';

/** `HeapProfiler.SamplingHeapProfile` of the Chrome DevTools protocol. */
export interface SamplingHeapProfile {
  head: ProtocolNode;
  samples: { size: number; nodeId: number; ordinal: number }[];
}

interface ProtocolNode {
  id: number;
  callFrame: RawCallFrame;
  selfSize: number;
  children: ProtocolNode[];
}

/**
 * V8's sampling heap profiler through an in-process inspector session.
 *
 * Reading the profile makes V8 run a full garbage collection first, so objects that
 * are dead but not yet collected never count. That GC blocks the thread: tens of
 * milliseconds on a 50 MB heap, more on big heaps (measured in bench/pause).
 * In-process sessions answer synchronously, so every call here is synchronous.
 */
export class InspectorSampler implements HeapSampler {
  readonly name = 'inspector';
  readonly readsOnlyLiveObjects = true;
  private session: inspector.Session | undefined;
  private tracing = false;
  private options: SamplerOptions | undefined;
  /**
   * V8 has one sampling heap profiler per isolate. When another agent (dd-trace,
   * Pyroscope, ...) already runs it, we read its samples and never stop or
   * re-configure it: stopping it would stop it for that agent too.
   */
  private shared = false;
  /** Called once when sampling had to be shared or restarted; the agent logs it. */
  onNotice: ((message: string) => void) | undefined;

  get isTracing(): boolean {
    return this.tracing;
  }

  start(options: SamplerOptions): void {
    if (this.tracing) return;
    // The inspector always records 128 frames; stackDepth is applied when converting.
    if (!Number.isFinite(options.samplingIntervalBytes) || options.samplingIntervalBytes < 1) {
      throw new SamplerError(`sampling interval must be a positive number of bytes, got ${options.samplingIntervalBytes}`);
    }
    let session: inspector.Session;
    try {
      session = new inspector.Session();
      session.connect();
    } catch (error) {
      throw new SamplerError(`cannot open an inspector session in this process: ${messageOf(error)}`);
    }
    try {
      post(session, 'HeapProfiler.enable');
      this.shared = isAlreadySampling(session);
      if (this.shared) {
        this.onNotice?.(
          "V8's sampling heap profiler is already running for another agent; heapsleuth reads its samples and leaves its settings alone",
        );
      } else {
        startSampling(session, options);
      }
    } catch (error) {
      session.disconnect();
      throw new SamplerError(`cannot start V8's sampling heap profiler: ${messageOf(error)}`);
    }
    this.session = session;
    this.options = options;
    this.tracing = true;
  }

  /** Whether another agent owns the running profiler (its interval, not ours, applies). */
  get isShared(): boolean {
    return this.shared;
  }

  stop(): void {
    const session = this.session;
    this.session = undefined;
    this.tracing = false;
    if (!session) return;
    try {
      if (!this.shared) post(session, 'HeapProfiler.stopSampling');
    } catch {
      // someone else stopped it already
    } finally {
      session.disconnect();
    }
  }

  readAllocationTree(): AllocationNode {
    return toAllocationTree(this.readProfile());
  }

  private readProfile(): SamplingHeapProfile {
    if (!this.session || !this.options) throw new SamplerError('the heap sampler is not running: call start() first');
    try {
      return (post(this.session, 'HeapProfiler.getSamplingProfile') as { profile: SamplingHeapProfile }).profile;
    } catch (error) {
      if (!/not started/i.test(messageOf(error))) throw error;
      // Another agent stopped the profiler we shared (V8 has only one): start it again.
      // Samples taken before are lost, which the recording shows as a drop, not a leak.
      startSampling(this.session, this.options);
      this.shared = false;
      this.onNotice?.("another agent stopped V8's sampling heap profiler; heapsleuth restarted it (earlier samples are lost)");
      return (post(this.session, 'HeapProfiler.getSamplingProfile') as { profile: SamplingHeapProfile }).profile;
    }
  }
}

/** The protocol's profile as an allocation tree, with each node's live sample count. */
export function toAllocationTree(profile: SamplingHeapProfile): AllocationNode {
  const samplesPerNode = new Map<number, number>();
  for (const sample of profile.samples) samplesPerNode.set(sample.nodeId, (samplesPerNode.get(sample.nodeId) ?? 0) + 1);
  const convert = (node: ProtocolNode): AllocationNode => ({
    callFrame: node.callFrame,
    selfSize: node.selfSize,
    sampleCount: samplesPerNode.get(node.id) ?? 0,
    children: node.children.map(convert),
  });
  return convert(profile.head);
}

function startSampling(session: inspector.Session, options: SamplerOptions): void {
  post(session, 'HeapProfiler.startSampling', {
    samplingInterval: Math.round(options.samplingIntervalBytes),
    // Newer V8 versions can keep samples of collected objects; we only want live ones.
    includeObjectsCollectedByMajorGC: false,
    includeObjectsCollectedByMinorGC: false,
  });
}

/** Reading a profile fails with "not started" unless some session started sampling. */
function isAlreadySampling(session: inspector.Session): boolean {
  try {
    post(session, 'HeapProfiler.getSamplingProfile');
    return true;
  } catch {
    return false;
  }
}

/** Whether V8's sampling heap profiler already runs in this thread (for any agent). */
export function isSamplingRunning(): boolean {
  let session: inspector.Session | undefined;
  try {
    session = new inspector.Session();
    session.connect();
    return isAlreadySampling(session);
  } catch {
    return false;
  } finally {
    session?.disconnect();
  }
}

/** Posts a command and returns its result; in-process sessions reply before post() returns. */
function post(session: inspector.Session, method: string, params?: object): unknown {
  let done = false;
  let failure: Error | null = null;
  let value: unknown;
  session.post(method, params ?? {}, (error, result) => {
    done = true;
    failure = error;
    value = result;
  });
  if (!done) throw new SamplerError(`${method} did not answer synchronously`);
  if (failure) throw failure;
  return value;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
