import { RECORDING_FORMAT, RECORDING_VERSION, type Recording, type RecordingSample, type SampleRow } from '../formats/recording.js';
import { Frame } from '../model/frame.js';
import type { MemoryLimits, MemoryUsage, ProcessSample } from '../model/process.js';
import { Traceback } from '../model/traceback.js';
import type { Labels, RangeSeries } from './prometheus-api.js';
import { DailyCycleDesigns, withoutDailyCycle } from './daily-cycle.js';
import type { InstanceSeries } from './read-fleet.js';

/** One process lifetime of one instance, as the detective reads it: a recording rebuilt from metrics. */
export interface FleetLifetime {
  instance: string;
  /** Target labels and `heapsleuth_info` labels (service, version, ...) of this lifetime. */
  labels: Labels;
  recording: Recording;
}

export interface LifetimeOptions {
  /**
   * Leave out the first milliseconds of each process lifetime: caches and pools that fill
   * after every start rise in every lifetime, and pooled over a fleet's many restarts that
   * common rise is significant. Default 0 (keep everything).
   */
  warmupMs?: number;
  /**
   * Leave out also this share (0-1) of each lifetime's time in the window, from its start: a
   * leak rises as fast late in a lifetime as early, a warm-up does not. Default 0.
   */
  warmupShare?: number;
  /** Take each series' daily cycle out when the window spans two days or more (daily-cycle.ts). Default true. */
  dailyCycle?: boolean;
}

/** The sampling interval assumed when the service did not export it (the agent's default). */
const DEFAULT_INTERVAL_BYTES = 256 * 1024;

const MEMORY_TYPES: Record<string, keyof MemoryUsage> = {
  rss: 'rss',
  heap_total: 'heapTotal',
  heap_used: 'heapUsed',
  external: 'external',
  array_buffers: 'arrayBuffers',
};

/**
 * Cuts an instance's series into process lifetimes (a new `process_start_time_seconds`
 * value is a new process) and rebuilds each as a recording: process memory and handles
 * per step, and each exported site as a stack of one frame. A site missing at a step
 * was not among the growing sites the agent exported then: it counts as 0 there.
 */
export function instanceLifetimes(series: InstanceSeries, service: string, options: LifetimeOptions = {}): FleetLifetime[] {
  const warmupMs = options.warmupMs ?? 0;
  const rss = series.memory.find((s) => s.labels.type === 'rss');
  if (!rss || rss.times.length === 0) return [];
  const startOf = latestAtOrBefore(series.startTime.flatMap((s) => s.times.map((time, i) => ({ time, value: s.values[i]! }))));
  const infoAt = infoLookup(series.info);
  const intervalBytes = lastValue(series.samplingInterval[0]) || DEFAULT_INTERVAL_BYTES;
  const limits = memoryLimits(series.limits);
  const warmupShare = Math.min(1, Math.max(0, options.warmupShare ?? 0));
  const lastTimeOf = new Map<number, number>();
  if (warmupShare > 0) for (const time of rss.times) lastTimeOf.set(startOf(time) ?? 0, time);
  const warm = (time: number) => {
    if (warmupMs <= 0 && warmupShare <= 0) return false;
    const started = startOf(time) ?? 0;
    if (started <= 0) return false;
    const share = warmupShare * ((lastTimeOf.get(started) ?? time) - started * 1000);
    return time < started * 1000 + Math.max(warmupMs, share);
  };
  // Warm-up points are left out before the daily cycle is fitted: their rise is no cycle.
  const settled = (s: RangeSeries): RangeSeries => {
    if (warmupMs <= 0 && warmupShare <= 0) return s;
    const keep = s.times.map((time) => !warm(time));
    return { labels: s.labels, times: s.times.filter((_, i) => keep[i]), values: s.values.filter((_, i) => keep[i]) };
  };
  const designs = new DailyCycleDesigns();
  const adjust = options.dailyCycle === false ? settled : (s: RangeSeries) => withoutDailyCycle(settled(s), (time) => startOf(time) ?? 0, designs);
  // Every series as its values at the RSS series' steps (undefined where it has none).
  const steps = rss.times;
  const memoryAt = series.memory.map((s) => ({ field: MEMORY_TYPES[s.labels.type ?? ''], at: alignedTo(adjust(s), steps) })).filter((m) => m.field !== undefined);
  const handlesAt = series.handles.map((s) => ({ type: s.labels.type ?? 'unknown', at: alignedTo(adjust(s), steps) }));
  const sitesAt = series.sites.map((s, index) => ({ id: index + 1, at: alignedTo(adjust(s), steps) }));
  const stacks = new Map(series.sites.map((s, index) => [index + 1, siteTraceback(s.labels.site ?? '')]));

  const lifetimes = new Map<number, { labels: Labels; samples: RecordingSample[]; steps: number[]; sites: LifetimeSites }>();
  steps.forEach((time, step) => {
    if (warm(time)) return;
    const started = startOf(time) ?? 0;
    let lifetime = lifetimes.get(started);
    if (!lifetime) lifetimes.set(started, (lifetime = { labels: { ...series.targetLabels, ...infoAt(time) }, samples: [], steps: [], sites: new LifetimeSites(intervalBytes) }));
    const memory: MemoryUsage = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
    for (const { field, at } of memoryAt) memory[field!] = at[step] ?? 0;
    const handles: Record<string, number> = {};
    for (const { type, at } of handlesAt) {
      const count = at[step];
      if (count !== undefined) handles[type] = count;
    }
    lifetime.samples.push(new FleetSample(lifetime.samples.length, time, { time, memory, handles }, lifetime.sites));
    lifetime.steps.push(step);
  });
  for (const { steps: own, sites } of lifetimes.values()) {
    for (const { id, at } of sitesAt) {
      const values = filledSiteValues(own.map((step) => at[step]));
      if (values) sites.add(id, values);
    }
  }

  return [...lifetimes.entries()].map(([started, { labels, samples }], index) => ({
    instance: series.instance,
    labels,
    recording: {
      source: `${series.instance} (process started ${started ? new Date(started * 1000).toISOString() : 'at an unknown time'})`,
      header: {
        type: 'header',
        format: RECORDING_FORMAT,
        version: RECORDING_VERSION,
        runtime: 'node',
        runtimeVersion: labels.runtime_version ?? '',
        pid: index + 1,
        hostname: series.instance,
        service,
        argv: [],
        cwd: '',
        startTime: new Date(started ? started * 1000 : samples[0]!.time).toISOString(),
        sampling: { sampler: 'prometheus', intervalBytes, stackDepth: 1 },
        limits,
        agent: { name: 'heapsleuth', version: labels.agent_version ?? '' },
      },
      stacks,
      samples,
      warnings: [],
    },
  }));
}

/**
 * The exported sites of one lifetime, a column of values per site. A fleet holds every
 * lifetime of every instance until it is judged, and rows as arrays of arrays per sample
 * made most of its memory: here a sample's rows are built when the analysis reads them.
 */
class LifetimeSites {
  private readonly ids: number[] = [];
  private readonly columns: Float64Array[] = [];

  constructor(private readonly intervalBytes: number) {}

  add(id: number, values: readonly number[]): void {
    this.ids.push(id);
    this.columns.push(Float64Array.from(values));
  }

  /** The `[stackId, bytes, count]` rows of sample `index`: sites holding bytes, in site order. */
  rowsAt(index: number): SampleRow[] {
    const rows: SampleRow[] = [];
    for (let k = 0; k < this.ids.length; k++) {
      const bytes = this.columns[k]![index]!;
      if (bytes > 0) rows.push([this.ids[k]!, Math.round(bytes), Math.round((bytes / this.intervalBytes) * 1000) / 1000]);
    }
    return rows;
  }
}

/** A sample of a rebuilt lifetime; its rows come from the lifetime's site columns on each read. */
class FleetSample implements RecordingSample {
  constructor(
    readonly seq: number,
    readonly time: number,
    readonly process: ProcessSample,
    private readonly sites: LifetimeSites,
  ) {}

  get rows(): SampleRow[] {
    return this.sites.rowsAt(this.seq);
  }
}

/**
 * A site's values over one lifetime with the steps where it was not exported filled in:
 * before it first appears with its first value, after that with its last one. The agent
 * exports a site from when it starts to grow and keeps it (docs/metrics.md), so a step
 * without it says nothing about it: reading it as 0 would turn every site that entered
 * the exported set into a rise. Undefined when the site is absent from the lifetime.
 */
export function filledSiteValues(values: readonly (number | undefined)[]): number[] | undefined {
  const first = values.find((value) => value !== undefined);
  if (first === undefined) return undefined;
  let last = first;
  return values.map((value) => (value === undefined ? last : (last = value)));
}

/** `src/cache.ts:42 remember` (or `src/cache.ts` when the agent grouped by file) as a one-frame stack. */
export function siteTraceback(site: string): Traceback {
  const match = /^(.*):(\d+)(?: (.*))?$/.exec(site);
  if (!match) return new Traceback([new Frame(site === '(native)' ? '' : site, 0, '')]);
  const fn = match[3] ?? '';
  return new Traceback([new Frame(match[1] === '(native)' ? '' : match[1]!, Number(match[2]), fn === '(anonymous)' ? '' : fn)]);
}

/** The values of a series at each of `steps` (ascending), undefined where it has none. */
function alignedTo(series: RangeSeries, steps: readonly number[]): (number | undefined)[] {
  const aligned = new Array<number | undefined>(steps.length).fill(undefined);
  const { times, values } = series;
  if (!ascending(times) || !ascending(steps)) {
    const byTime = new Map<number, number>();
    times.forEach((time, i) => byTime.set(time, values[i]!));
    return steps.map((time) => byTime.get(time));
  }
  for (let i = 0, j = 0; i < times.length && j < steps.length; ) {
    if (times[i]! < steps[j]!) i++;
    else if (times[i]! > steps[j]!) j++;
    else aligned[j++] = values[i++];
  }
  return aligned;
}

function ascending(times: readonly number[]): boolean {
  for (let i = 1; i < times.length; i++) if (!(times[i - 1]! < times[i]!)) return false;
  return true;
}

/** The labels of the `heapsleuth_info` series present at a time (the newest one before it where none is). */
function infoLookup(info: RangeSeries[]): (time: number) => Labels {
  const at = latestAtOrBefore(info.flatMap((series) => series.times.map((time) => ({ time, value: series.labels }))));
  return (time) => {
    const { __name__: _name, job: _job, instance: _instance, ...labels } = at(time) ?? {};
    return labels;
  };
}

/** The value of the newest point at or before a time (the first point before any). */
function latestAtOrBefore<T>(points: { time: number; value: T }[]): (time: number) => T | undefined {
  points.sort((a, b) => a.time - b.time);
  return (time) => {
    let low = 0;
    let high = points.length - 1;
    let found = points[0]?.value;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (points[middle]!.time <= time) {
        found = points[middle]!.value;
        low = middle + 1;
      } else high = middle - 1;
    }
    return found;
  };
}

function lastValue(series: RangeSeries | undefined): number {
  return series?.values.at(-1) ?? 0;
}

function memoryLimits(series: RangeSeries[]): MemoryLimits {
  const limits: MemoryLimits = {};
  const heap = lastValue(series.find((s) => s.labels.type === 'heap'));
  const container = lastValue(series.find((s) => s.labels.type === 'container'));
  if (heap > 0) limits.heapLimitBytes = heap;
  if (container > 0) limits.cgroupLimitBytes = container;
  return limits;
}
