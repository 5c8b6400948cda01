import { PerformanceObserver, constants as perfConstants } from 'node:perf_hooks';
import type { Attributes, Meter, Observable, ObservableCallback, ObservableResult } from '@opentelemetry/api';
import type { TickResult } from '../agent/tracer.js';
import { liveRuntimeMemory } from './runtime-memory.js';
import { SiteSelection, StartClock, type SiteGrowth, type TickSource } from './site-series.js';

export interface OpenTelemetryMetricsOptions {
  /** The meter to create instruments on, e.g. `metrics.getMeter('heapsleuth')`. */
  meter: Meter;
  /** The tracer whose ticks feed the per-site metrics; without it only runtime metrics are reported. */
  tracer?: TickSource;
  /** How many growing sites get a series (default 10). */
  topK?: number;
}

/** What registerOpenTelemetryMetrics() set up; stop() removes the callbacks and observers. */
export interface RegisteredInstruments {
  readonly names: readonly string[];
  stop(): void;
}

const GC_TYPES: Record<number, string> = {
  [perfConstants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [perfConstants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [perfConstants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/**
 * Reports V8 and process memory under OpenTelemetry's semantic-convention names
 * (`v8js.*`, `process.memory.usage`), read when the reader collects, and heapsleuth's
 * own `heapsleuth.*` metrics from the tracer's ticks (see docs/metrics.md). Takes the
 * meter from the caller, so `@opentelemetry/api` is never loaded by heapsleuth itself.
 */
export function registerOpenTelemetryMetrics(options: OpenTelemetryMetricsOptions): RegisteredInstruments {
  const { meter, tracer } = options;
  const topK = options.topK ?? 10;
  const names: string[] = [];
  const cleanups: (() => void)[] = [];
  const observe = (instrument: Observable, name: string, callback: ObservableCallback) => {
    instrument.addCallback(callback);
    names.push(name);
    cleanups.push(() => instrument.removeCallback(callback));
  };
  const upDown = (name: string, description: string, unit: string, callback: (result: ObservableResult) => void) =>
    observe(meter.createObservableUpDownCounter(name, { description, unit }), name, callback);
  const gauge = (name: string, description: string, unit: string, callback: (result: ObservableResult) => void) =>
    observe(meter.createObservableGauge(name, { description, unit }), name, callback);

  const runtimeNow = liveRuntimeMemory; // read at each collection: a few microseconds
  const perSpace = (pick: (space: { size: number; used: number }) => number) => (result: ObservableResult) => {
    for (const [space, stats] of Object.entries(runtimeNow().heapSpaces)) result.observe(pick(stats), { 'v8js.heap.space.name': space });
  };

  upDown('v8js.memory.heap.used', 'Heap memory used, by V8 heap space.', 'By', perSpace((space) => space.used));
  upDown('v8js.memory.heap.space.size', 'Heap memory reserved for each V8 heap space.', 'By', perSpace((space) => space.size));
  upDown('process.memory.usage', 'The amount of physical memory in use (RSS).', 'By', (result) => result.observe(runtimeNow().memory.rss));
  upDown('heapsleuth.memory.external', 'Memory of C++ objects bound to JavaScript objects (includes ArrayBuffers).', 'By', (result) =>
    result.observe(runtimeNow().memory.external),
  );
  upDown('heapsleuth.memory.array_buffers', 'Memory of ArrayBuffers and SharedArrayBuffers, Buffers included.', 'By', (result) =>
    result.observe(runtimeNow().memory.arrayBuffers),
  );
  gauge('v8js.resource.active', 'Active resources keeping the event loop alive, by type.', '{resource}', (result) => {
    for (const [type, count] of Object.entries(runtimeNow().handles)) result.observe(count, { 'v8js.resource.type': type });
  });

  const gcDuration = meter.createHistogram('v8js.gc.duration', {
    description: 'Garbage collection duration.',
    unit: 's',
    advice: { explicitBucketBoundaries: [0.01, 0.1, 1, 10] },
  });
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as { detail?: { kind?: number } }).detail?.kind ?? -1;
      gcDuration.record(entry.duration / 1000, { 'v8js.gc.type': GC_TYPES[kind] ?? 'other' });
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  names.push('v8js.gc.duration');
  cleanups.push(() => gcObserver.disconnect());

  if (tracer) {
    let sites: SiteGrowth[] = [];
    let sampledLive: number | undefined;
    const bySite = (pick: (site: SiteGrowth) => number) => (result: ObservableResult) => {
      for (const site of sites) result.observe(pick(site), { 'heapsleuth.site': site.site } satisfies Attributes);
    };
    gauge('heapsleuth.site.live_bytes', `Live bytes of each of the top ${topK} growing allocation sites.`, 'By', bySite((site) => site.liveBytes));
    gauge('heapsleuth.site.growth', `Bytes gained since the tracer started, by the top ${topK} growing allocation sites.`, 'By', bySite((site) => site.growthBytes));
    gauge('heapsleuth.site.growth_rate', `Average growth rate since the tracer started, of the top ${topK} growing allocation sites.`, 'By/s', bySite((site) => site.growthBytesPerSecond));
    gauge('heapsleuth.sampled.live_bytes', 'Live bytes the sampling heap profiler sees (all sites), at the last tick.', 'By', (result) => {
      if (sampledLive !== undefined) result.observe(sampledLive);
    });
    const tickDuration = meter.createHistogram('heapsleuth.tick.duration', {
      description: 'What a tracer tick cost the process: profile read (with its GC), conversion, metrics.',
      unit: 's',
      advice: { explicitBucketBoundaries: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] },
    });
    names.push('heapsleuth.tick.duration');
    const clock = new StartClock(tracer);
    const selection = new SiteSelection(topK);
    const onTick = (tick: TickResult) => {
      sites = selection.select(tick.sinceStart, clock.elapsed(tick));
      sampledLive = Math.round(tick.snapshot.totalSize);
      tickDuration.record(tick.tickMs / 1000);
    };
    tracer.on('tick', onTick);
    cleanups.push(() => tracer.off?.('tick', onTick));
  }

  return {
    names,
    stop() {
      for (const cleanup of cleanups.splice(0)) cleanup();
    },
  };
}
