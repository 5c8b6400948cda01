import inspector from 'node:inspector';
import { SamplerError, type HeapSampler, type RawProfile, type SamplerOptions } from './sampler.js';

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

  get isTracing(): boolean {
    return this.tracing;
  }

  start(options: SamplerOptions): void {
    if (this.tracing) return;
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
      post(session, 'HeapProfiler.startSampling', {
        samplingInterval: Math.round(options.samplingIntervalBytes),
        // Newer V8 versions can keep samples of collected objects; we only want live ones.
        includeObjectsCollectedByMajorGC: false,
        includeObjectsCollectedByMinorGC: false,
      });
    } catch (error) {
      session.disconnect();
      throw new SamplerError(`cannot start V8's sampling heap profiler: ${messageOf(error)}`);
    }
    this.session = session;
    this.tracing = true;
  }

  stop(): void {
    const session = this.session;
    this.session = undefined;
    this.tracing = false;
    if (!session) return;
    try {
      post(session, 'HeapProfiler.stopSampling');
    } finally {
      session.disconnect();
    }
  }

  readProfile(): RawProfile {
    if (!this.session) throw new SamplerError('the heap sampler is not running: call start() first');
    const result = post(this.session, 'HeapProfiler.getSamplingProfile') as { profile: RawProfile };
    return result.profile;
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
