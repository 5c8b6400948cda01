import type { Gauge, Histogram, Registry } from 'prom-client';
import type { TickResult } from '../agent/tracer.js';
import type { ProcessSample } from '../model/process.js';
import { liveRuntimeMemory } from './runtime-memory.js';
import { processIdentity } from './process-identity.js';
import { SiteSelection, StartClock, type TickSource } from './site-series.js';

export interface PrometheusMetricsOptions {
  /** The prom-client Registry to register on (e.g. prom-client's default `register`). */
  registry: Registry;
  /** The tracer whose ticks feed the per-site metrics; without it only process memory is reported. */
  tracer?: TickSource;
  /** How many growing sites get a series (default 10). */
  topK?: number;
  /** Prefix of every metric name (default `heapsleuth_`). */
  prefix?: string;
  /** The prom-client module, when the caller's copy should be used; loaded with import() otherwise. */
  client?: typeof import('prom-client');
  /** Service name on `heapsleuth_info` (default: HEAPSLEUTH_SERVICE, else the entry script's name). */
  service?: string;
  /** Version of the service on `heapsleuth_info` (default: HEAPSLEUTH_SERVICE_VERSION, else npm_package_version). */
  version?: string;
}

/** What registerPrometheusMetrics() registered; stop() unregisters it all and stops listening. */
export interface RegisteredMetrics {
  readonly names: readonly string[];
  stop(): void;
}

/**
 * Registers heapsleuth's metrics on a prom-client registry (see docs/metrics.md).
 * prom-client is an optional peer dependency, loaded only by this call; nothing runs
 * until it is called. Names do not clash with prom-client's default metrics.
 */
export async function registerPrometheusMetrics(options: PrometheusMetricsOptions): Promise<RegisteredMetrics> {
  const client = options.client ?? (await loadPromClient());
  const { registry, tracer } = options;
  const prefix = options.prefix ?? 'heapsleuth_';
  const topK = options.topK ?? 10;
  const registers = [registry];
  let lastTick: TickResult | undefined;
  const processNow = (): Pick<ProcessSample, 'memory' | 'heapSpaces' | 'handles'> => lastTick?.process ?? liveRuntimeMemory();
  const names: string[] = [];
  const gauge = (name: string, help: string, labelNames: string[], collect?: (self: Gauge) => void) => {
    const metric: Gauge = new client.Gauge({ name: prefix + name, help, labelNames, registers, ...(collect ? { collect: () => collect(metric) } : {}) });
    names.push(prefix + name);
    return metric;
  };

  const identity = processIdentity(options);
  gauge('info', 'Always 1; labels name the service, its version and the agent', ['service', 'version', 'runtime_version', 'agent_version']).set(
    { service: identity.service, version: identity.version, runtime_version: identity.runtimeVersion, agent_version: identity.agentVersion },
    1,
  );
  gauge('process_start_time_seconds', 'When this process started, in seconds since the epoch: a change marks a new process lifetime', []).set(identity.startTimeSeconds);
  gauge('memory_limit_bytes', 'The limits memory runs into: V8 heap limit (type=heap), container limit (type=container)', ['type'], (self) => {
    self.reset();
    const limits = identity.limits();
    if (limits.heapLimitBytes) self.set({ type: 'heap' }, limits.heapLimitBytes);
    if (limits.cgroupLimitBytes) self.set({ type: 'container' }, limits.cgroupLimitBytes);
  });
  gauge('process_memory_bytes', 'Process memory by type (rss, heap_total, heap_used, external, array_buffers), at the last tracer tick', ['type'], (self) => {
    const { memory } = processNow();
    self.reset();
    self.set({ type: 'rss' }, memory.rss);
    self.set({ type: 'heap_total' }, memory.heapTotal);
    self.set({ type: 'heap_used' }, memory.heapUsed);
    self.set({ type: 'external' }, memory.external);
    self.set({ type: 'array_buffers' }, memory.arrayBuffers);
  });
  gauge('heap_space_used_bytes', 'Used bytes of each V8 heap space, at the last tracer tick', ['space'], (self) => {
    self.reset();
    for (const [space, stats] of Object.entries(processNow().heapSpaces ?? {})) self.set({ space }, stats.used);
  });
  gauge('heap_space_size_bytes', 'Committed bytes of each V8 heap space, at the last tracer tick', ['space'], (self) => {
    self.reset();
    for (const [space, stats] of Object.entries(processNow().heapSpaces ?? {})) self.set({ space }, stats.size);
  });
  gauge('active_resources', 'Active handles and requests keeping the event loop alive, by type, at the last tracer tick', ['type'], (self) => {
    self.reset();
    for (const [type, count] of Object.entries(processNow().handles ?? {})) self.set({ type }, count);
  });

  let stopListening = () => {};
  if (tracer) {
    gauge('sampling_interval_bytes', 'Mean bytes between samples of the sampling heap profiler (the noise scale of the site series)', [], (self) => {
      self.set(identity.samplingIntervalBytes());
    });
    const sampledLive = gauge('sampled_live_bytes', 'Live bytes the sampling heap profiler sees (all sites), at the last tick', []);
    const siteLive = gauge('site_live_bytes', `Live bytes of each of the top ${topK} growing allocation sites`, ['site']);
    const siteGrowth = gauge('site_growth_bytes', `Bytes gained since the tracer started, by the top ${topK} growing allocation sites`, ['site']);
    const siteRate = gauge('site_growth_rate_bytes_per_second', `Average growth rate since the tracer started, of the top ${topK} growing allocation sites`, ['site']);
    const tickDuration: Histogram = new client.Histogram({
      name: `${prefix}tick_duration_seconds`,
      help: 'What a tracer tick cost the process: profile read (with its GC), conversion, metrics',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    const clock = new StartClock(tracer);
    const selection = new SiteSelection(topK);
    const onTick = (tick: TickResult) => {
      lastTick = tick;
      sampledLive.set(Math.round(tick.snapshot.totalSize));
      tickDuration.observe(tick.tickMs / 1000);
      // Exactly the current top K: series of sites that dropped out are removed.
      for (const metric of [siteLive, siteGrowth, siteRate]) metric.reset();
      for (const site of selection.select(tick.sinceStart, clock.elapsed(tick))) {
        siteLive.set({ site: site.site }, site.liveBytes);
        siteGrowth.set({ site: site.site }, site.growthBytes);
        siteRate.set({ site: site.site }, site.growthBytesPerSecond);
      }
    };
    tracer.on('tick', onTick);
    stopListening = () => tracer.off?.('tick', onTick);
    names.push(`${prefix}tick_duration_seconds`);
  }

  return {
    names,
    stop() {
      stopListening();
      for (const name of names) registry.removeSingleMetric(name);
    },
  };
}

async function loadPromClient(): Promise<typeof import('prom-client')> {
  try {
    const loaded = (await import('prom-client')) as typeof import('prom-client') & { default?: typeof import('prom-client') };
    return loaded.Gauge ? loaded : loaded.default!;
  } catch {
    throw new Error("heapsleuth: registerPrometheusMetrics() needs the 'prom-client' package; install it with npm install prom-client");
  }
}
