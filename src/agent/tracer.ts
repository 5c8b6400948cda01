import { onDemandSignalProblem } from './on-demand-signal.js';
import { signalExitCode, wantsFinalDump } from '../native/final-dump-exit.js';
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { basename, extname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { threadId, isMainThread } from 'node:worker_threads';
import type { KeyType } from '../model/grouping.js';
import type { ProcessSample } from '../model/process.js';
import type { Snapshot } from '../model/snapshot.js';
import type { StatisticDiff } from '../model/statistic.js';
import { HeapSnapshotCapture } from './heap-snapshots.js';
import { getTracingOptions, isTracing, readsOnlyLiveObjects, start, stop, takeSnapshot } from './heap-tracing.js';
import { jsonLineLogger, silentLogger, Warnings, type Logger } from './logger.js';
import { memoryLimits, ProcessMetrics } from './process-metrics.js';
import { Recorder } from './recorder.js';
import { sinceStartEvents, topCurrentEvents, tracebackEvents, type TracerEvent } from './tracer-events.js';
import { VERSION } from '../version.js';
import { parseDurationMs } from './durations.js';
import { stopInlining } from './inlining.js';
import { HandleSiteTracker, type HandleSites } from './handle-sites.js';
import { FdSiteTracker } from './fd-sites.js';
import { OPEN_FDS_TYPE } from '../model/process.js';
import { LocationResolver } from './locations.js';
import { redactArgv } from '../formats/redact-argv.js';

export interface TraceLeaksOptions {
  /** Time between ticks: milliseconds or a duration such as `30s`, `5m` (default `1m`). */
  interval?: number | string;
  /** Groups logged in `top_current` and `since_start` each tick (default 5; 0 logs none). */
  top?: number;
  /** Tracebacks logged each tick, of the biggest growers since the start (default 1). */
  trace?: number;
  /** What the logged statistics group by (default `lineno`). */
  keyType?: KeyType;
  /** A pino/winston-style logger, `'json'` for JSON lines on stderr (default), or false for none. */
  logger?: Logger | 'json' | false;
  /** `'auto'` (default): `<outDir>/<service>-<pid>-<start>.ndjson`; a file path; or false for no recording. */
  record?: 'auto' | string | false;
  /** Folder of automatic recordings (default `./.heapsleuth`). */
  outDir?: string;
  /** Service name in recordings and file names (default: the entry script's name). */
  service?: string;
  /** Passed to start() when heapsleuth is not tracing yet. */
  samplingIntervalBytes?: number;
  stackDepth?: number;
  /**
   * `auto` (default): V8's native API through the optional @datadog/pprof when installed
   * (no GC per tick; ticks wait for V8's own next major GC so that garbage does not count),
   * else node:inspector (a full GC per tick). `inspector` or `native` to choose.
   */
  sampler?: 'inspector' | 'native' | 'auto';
  /**
   * `false`: stop V8 from inlining functions from now on, so that each allocation is
   * charged to the function that made it, not to a caller it was inlined into (costs
   * speed; `heapsleuth run` does it by default). Default true: V8 inlines as usual.
   */
  inlining?: boolean;
  /**
   * Record where new handles of a type that grows are created (an async_hooks hook, on only
   * while some type grows; it costs a loaded HTTP service about 15% of its throughput while
   * on, see bench/README.md), and where file descriptors are opened while the open fd count
   * grows and no handle type explains it (wrappers around node:fs open/close, on only while
   * it grows; Linux). Default false; `heapsleuth run` turns it on.
   */
  handleSites?: boolean;
  /**
   * Write heap snapshots next to the recording for retainer paths: one at the second tick,
   * one when the tracer stops (default false; they pause the process, see docs/retainers.md).
   * `'auto'`: only once a file `<recording>.retainers-request` appears (`heapsleuth run` writes
   * it when its live analysis sees a leak), and only while the used heap is under
   * `retainersMaxHeapBytes`.
   */
  retainers?: boolean | 'auto';
  /** The used JS heap above which `retainers: 'auto'` takes no snapshot (default 64 MiB). */
  retainersMaxHeapBytes?: number;
  /**
   * A signal that takes an extra tick and flushes, e.g. `SIGUSR2`; off (false) by default,
   * because a listener keeps the signal from ending the process (nodemon restarts apps with
   * SIGUSR2). Left alone when the app listens to it.
   */
  signal?: NodeJS.Signals | false;
}

export interface TickResult {
  seq: number;
  /** Epoch milliseconds. */
  time: number;
  /** What the tick cost this thread: profile read (with its GC), conversion, metrics. */
  tickMs: number;
  snapshot: Snapshot;
  process: ProcessSample;
  /** Changes since the first snapshot, grouped by the tracer's key type. */
  sinceStart: StatisticDiff[];
  /** The snapshot holds only live objects: read with a GC, or right after V8's own major GC. */
  liveOnly: boolean;
  /** Where live handles of the types that grow now were created (sampled), by type. */
  handleSites?: HandleSites;
  /** Set on the tick taken as the tracer stops (`exit`, `stop`, `SIGTERM`, ...): the teardown, not the running phase. */
  final?: string;
}

const DEFAULT_INTERVAL_MS = 60_000;
const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * The periodic leak tracer that lives inside a service: every `interval` it takes a
 * snapshot and a process sample, logs the top groups, the growth since the first
 * snapshot and the tracebacks of the biggest growers, and appends the tick to the
 * recording. Its timer never keeps the process alive and ticks never overlap. Any
 * failure is logged once and the host goes on.
 */
export class Tracer extends EventEmitter<{ tick: [TickResult] }> {
  readonly intervalMs: number;
  /** When the tracer started (epoch milliseconds); its first tick is taken then. */
  readonly startTime = Date.now();
  recordingPath: string | undefined;
  private readonly top: number;
  private readonly trace: number;
  private readonly keyType: KeyType;
  private readonly logger: Logger;
  private readonly warnings: Warnings;
  private readonly metrics = new ProcessMetrics();
  private handleSites: HandleSiteTracker | undefined;
  private fdSites: FdSiteTracker | undefined;
  private readonly handleResolver = new LocationResolver();
  private readonly startedTracing: boolean;
  private recorder: Recorder | undefined;
  private heapSnapshots: HeapSnapshotCapture | undefined;
  private baseline: Snapshot | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** The interval passed and the tick waits for V8's next GC of this kind (native sampler). */
  private awaitingGc: 'major' | 'any' | undefined;
  private seq = 0;
  private stopped = false;
  /** A stop signal the app handles itself arrived: ticks from now on are its teardown. */
  private stopping: NodeJS.Signals | undefined;
  private ticking = false;
  private readonly signalHandler: (() => void) | undefined = undefined;
  private readonly signal: NodeJS.Signals | false;
  private readonly onExit = () => this.finish('exit');
  private readonly onStopSignal = (signal: NodeJS.Signals) => this.handleStopSignal(signal);

  constructor(options: TraceLeaksOptions = {}) {
    super();
    this.logger = options.logger === false ? silentLogger : options.logger === undefined || options.logger === 'json' ? jsonLineLogger() : options.logger;
    this.warnings = new Warnings(options.logger === false ? undefined : this.logger);
    this.intervalMs = options.interval === undefined ? DEFAULT_INTERVAL_MS : parseDurationMs(options.interval, 'interval');
    this.top = options.top ?? 5;
    this.trace = options.trace ?? 1;
    this.keyType = options.keyType ?? 'lineno';
    this.signal = options.signal ?? false;
    const signalProblem = this.signal ? onDemandSignalProblem(this.signal) : undefined;
    if (signalProblem) throw new Error(`signal: ${signalProblem}`);

    if (options.inlining === false) {
      try {
        stopInlining();
      } catch (error) {
        this.warnings.once('inlining', `cannot stop V8's inlining: ${describe(error)}; small functions may be charged to their callers`);
      }
    }
    this.startedTracing = !isTracing();
    try {
      this.signalHandler = this.setUp(options);
    } catch (error) {
      this.undo();
      throw error;
    }

    this.tick();
    this.schedule();
  }

  /** Starts sampling, opens the process metrics and the recording, and listens to signals; returns the on-demand signal's handler. */
  private setUp(options: TraceLeaksOptions): (() => void) | undefined {
    const startOptions: Parameters<typeof start>[0] = {
      onNotice: (message) => this.logger.info({ event: 'agent_info' }, `heapsleuth: ${message}`),
      sampler: options.sampler ?? 'auto',
    };
    if (options.samplingIntervalBytes !== undefined) startOptions.samplingIntervalBytes = options.samplingIntervalBytes;
    if (options.stackDepth !== undefined) startOptions.stackDepth = options.stackDepth;
    if (this.startedTracing) start(startOptions);
    if (options.handleSites) {
      this.handleSites = new HandleSiteTracker((message) => this.warnings.once('handle-sites', message));
      this.fdSites = new FdSiteTracker((message) => this.warnings.once('fd-sites', message));
    }
    this.metrics.onGc = (kind) => this.afterGc(kind);
    this.metrics.open();

    const record = options.record ?? 'auto';
    if (record !== false) {
      const startTime = new Date(this.startTime);
      const service = options.service ?? defaultServiceName();
      // Worker threads share the pid (and often the start second): the thread id keeps their files apart.
      const owner = isMainThread ? `${process.pid}` : `${process.pid}-t${threadId}`;
      const path = record === 'auto' ? join(options.outDir ?? '.heapsleuth', `${safeName(service)}-${owner}-${fileStamp(startTime)}.ndjson`) : record;
      this.recordingPath = path;
      try {
        this.recorder = Recorder.open(path, this.header(service, startTime));
      } catch (error) {
        this.warnings.once('record', `cannot write the recording ${path}: ${describe(error)}; going on without recording`);
      }
      if (options.retainers) {
        this.heapSnapshots = new HeapSnapshotCapture(
          path.replace(/\.ndjson$/, ''),
          (message) => this.warnings.once(`heap-snapshot-${message}`, message),
          options.retainers === 'auto' ? 'auto' : 'start',
          options.retainersMaxHeapBytes,
        );
      }
    }

    process.on('exit', this.onExit);
    for (const signal of STOP_SIGNALS) if (process.listenerCount(signal) === 0) process.once(signal, this.onStopSignal);
    if (!this.signal) return undefined;
    if (process.listenerCount(this.signal) > 0) {
      this.logger.info({ event: 'agent_info' }, `heapsleuth: ${this.signal} already has a listener; on-demand ticks are off`);
      return undefined;
    }
    const handler = () => this.tick();
    process.on(this.signal, handler);
    return handler;
  }

  /** A constructor that failed half-way leaves nothing running: no profiler, no listeners, no open recording. */
  private undo(): void {
    this.stopped = true;
    process.removeListener('exit', this.onExit);
    for (const signal of STOP_SIGNALS) process.removeListener(signal, this.onStopSignal);
    this.recorder?.close('failed-to-start');
    this.metrics.close();
    if (this.startedTracing && isTracing()) stop();
  }

  /** Takes a tick now (a snapshot, a process sample, logs, a recorded sample). Returns undefined if it failed. */
  tick(): TickResult | undefined {
    return this.tickNow(readsOnlyLiveObjects(), this.stopping);
  }

  private tickNow(liveOnly: boolean, final?: string): TickResult | undefined {
    if (this.stopped || this.ticking) return undefined;
    this.ticking = true;
    try {
      const startedAt = performance.now();
      const snapshot = takeSnapshot();
      const processSample = this.metrics.sample();
      const handleSites = this.handleSites?.snapshot(this.handleResolver) ?? {};
      const fdSites = this.fdSites?.snapshot(this.handleResolver) ?? [];
      if (fdSites.length > 0) handleSites[OPEN_FDS_TYPE] = fdSites;
      if (!final) {
        this.handleSites?.observe(processSample.handles);
        this.fdSites?.observe(processSample.openFds, processSample.handles);
      }
      const tickMs = performance.now() - startedAt;
      this.baseline ??= snapshot;
      const result: TickResult = {
        seq: this.seq++,
        time: processSample.time,
        tickMs,
        snapshot,
        process: processSample,
        sinceStart: snapshot.compareTo(this.baseline, this.keyType),
        liveOnly,
      };
      if (final) result.final = final;
      if (Object.keys(handleSites).length > 0) result.handleSites = handleSites;
      this.record(result);
      this.log(result);
      this.emit('tick', result);
      this.heapSnapshots?.afterTick(result.seq, final !== undefined);
      return result;
    } catch (error) {
      this.warnings.once('tick', `a tick failed: ${describe(error)}`);
      return undefined;
    } finally {
      this.ticking = false;
    }
  }

  /** Takes a final tick, ends the recording and stops tracing if this tracer started it. */
  async stop(): Promise<void> {
    this.finish('stop');
  }

  private finish(reason: string): void {
    if (this.stopped) return;
    this.tickNow(readsOnlyLiveObjects(), this.stopping ?? reason);
    this.heapSnapshots?.final();
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.signal && this.signalHandler) process.removeListener(this.signal, this.signalHandler);
    process.removeListener('exit', this.onExit);
    for (const signal of STOP_SIGNALS) process.removeListener(signal, this.onStopSignal);
    this.recorder?.close(reason);
    this.handleSites?.close();
    this.fdSites?.close();
    this.metrics.close();
    if (this.startedTracing) stop();
  }

  /**
   * Nobody else handled a stop signal: record a final tick, then let the signal do what
   * it would have done without us. When the app has added its own handler since, it
   * decides how to exit: its graceful shutdown is the teardown, so every tick from now on
   * is marked final, and the exit hook writes the last one.
   */
  private handleStopSignal(signal: NodeJS.Signals): void {
    if (process.listenerCount(signal) > 0) {
      this.stopping = signal;
      return;
    }
    this.finish(signal);
    // jemalloc's final heap dump (run --native) is written only on a normal exit
    if (wantsFinalDump()) process.exit(signalExitCode(signal));
    process.kill(process.pid, signal);
  }

  /**
   * The next tick after `interval`. A sampler that reads without a GC (native) counts
   * objects that died since V8's last GC of their generation, so its tick waits and runs
   * right after V8's own next major GC, when only live objects remain. When none comes
   * within another interval, it runs after the next GC of any kind (young garbage gone,
   * old garbage since the last major GC still counted: `liveOnly: false`), or, on a
   * thread that collects nothing at all, after a third interval.
   */
  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      if (readsOnlyLiveObjects()) return this.scheduledTick(true);
      this.awaitingGc = 'major';
      this.timer = setTimeout(() => {
        this.awaitingGc = 'any';
        this.timer = setTimeout(() => this.scheduledTick(false), this.intervalMs);
        this.timer.unref();
      }, this.intervalMs);
      this.timer.unref();
    }, this.intervalMs);
    this.timer.unref();
  }

  private afterGc(kind: string): void {
    if (this.stopped || this.awaitingGc === undefined) return;
    if (this.awaitingGc === 'major' && kind !== 'major') return;
    clearTimeout(this.timer);
    this.scheduledTick(kind === 'major');
  }

  private scheduledTick(liveOnly: boolean): void {
    this.awaitingGc = undefined;
    this.tickNow(liveOnly, this.stopping);
    this.schedule();
  }

  private record(result: TickResult): void {
    if (!this.recorder) return;
    const recreated = this.recorder.recreated;
    try {
      this.recorder.writeSample(result.snapshot, result.process, {
        tickMs: result.tickMs,
        liveOnly: result.liveOnly,
        ...(result.final ? { final: result.final } : {}),
        ...(result.handleSites ? { handleSites: result.handleSites } : {}),
      });
      if (this.recorder.recreated > recreated) {
        this.warnings.once('record-removed', `the recording ${this.recordingPath} was removed while recording; it starts again from this tick`);
      }
    } catch (error) {
      this.warnings.once('record-write', `cannot append to the recording ${this.recordingPath}: ${describe(error)}; ticks go on and are retried`);
    }
  }

  private log(result: TickResult): void {
    if (this.logger === silentLogger) return;
    const events: TracerEvent[] = [
      ...topCurrentEvents(result.snapshot.statistics(this.keyType), this.top, result.seq),
      ...sinceStartEvents(result.sinceStart, this.top, result.seq),
      ...tracebackEvents(this.trace > 0 && this.baseline ? result.snapshot.compareTo(this.baseline, 'traceback') : [], this.trace, result.seq),
    ];
    const { rss, heapUsed, external } = result.process.memory;
    events.push({ fields: { event: 'tick', seq: result.seq, tickMs: round(result.tickMs), rss, heapUsed, external }, message: `tick #${result.seq} took ${round(result.tickMs)} ms` });
    try {
      for (const event of events) this.logger.info(event.fields, event.message);
    } catch (error) {
      this.warnings.once('logger', `the logger failed: ${describe(error)}`);
    }
  }

  private header(service: string, startTime: Date) {
    const options = getTracingOptions();
    const header = {
      runtime: 'node' as const,
      runtimeVersion: process.version,
      pid: process.pid,
      ppid: process.ppid,
      hostname: hostname(),
      service,
      argv: redactArgv(process.argv),
      cwd: process.cwd(),
      startTime: startTime.toISOString(),
      sampling: {
        sampler: options?.sampler ?? 'inspector',
        intervalBytes: options?.samplingIntervalBytes ?? 0,
        stackDepth: options?.stackDepth ?? 0,
        // node:inspector numbers its samples: rows carry the old samples that died (a cache
        // turning over), the age of each stack's oldest live sample and its samples that
        // outlived the stack's turnover
        ...((options?.sampler ?? 'inspector').startsWith('inspector') ? { generations: true, oldestAge: true, survivors: true } : {}),
      },
      limits: memoryLimits(),
      agent: { name: 'heapsleuth', version: VERSION },
    };
    return isMainThread ? header : { ...header, threadId };
  }
}

/** Starts the periodic leak tracer (see Tracer). */
export function traceLeaks(options: TraceLeaksOptions = {}): Tracer {
  return new Tracer(options);
}

function defaultServiceName(): string {
  const script = process.argv[1];
  return script ? basename(script, extname(script)) : 'node';
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'node';
}

function fileStamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function describe(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') return `${error.code} (${(error as unknown as Error).message})`;
  return error instanceof Error ? error.message : String(error);
}
