import type { RecordingEnd, RecordingHeader } from '../formats/recording.js';
import type { RowColumns, SampleLine, StackTable } from '../formats/recording-decoder.js';
import type { Frame } from '../model/frame.js';
import { groupTraces } from '../model/grouping.js';
import type { Traceback } from '../model/traceback.js';
import { medianInPlace } from './order-statistics.js';
import { MEMORY_SERIES, nativeGap, type MemorySeriesName } from './process-series.js';

/** Fewer live-only samples than this in a lifetime, and all its samples are used. */
const MIN_LIVE_SAMPLES = 3;

/** How many samples a lifetime holds (a first pass counts them): the series are sized and bucketed by it. */
export interface LifetimePlan {
  samples: number;
  /** Samples whose snapshot counted only live objects (not marked `liveOnly: false`). */
  liveSamples: number;
}

/** One allocation group (site or stack) within one lifetime, already reduced to its bucket medians. */
export interface LifetimeGroup {
  keyType: 'lineno' | 'traceback';
  key: string;
  site: Frame;
  linenoKey: string;
  /** Median bytes per bucket (one value per sample when the lifetime has at most maxPoints samples). */
  bytes: Float64Array;
  /** Bytes at the lifetime's last sample (0 when the group held nothing there). */
  lastBytes: number;
  /** The stack holding the most bytes at the last sample where the group is present. */
  biggestStack: Traceback;
  /** Sample (within the lifetime) where the group was last present; -1 never. */
  lastSeen: number;
}

/**
 * What the analysis keeps of one process lifetime: its process series in full (a few
 * numbers per sample) and its allocation groups as at most maxPoints bucket medians
 * each, so memory does not grow with sites x samples.
 */
export interface LifetimeSeries {
  source: string;
  header: RecordingHeader;
  end?: RecordingEnd;
  samples: number;
  firstTime: number | undefined;
  lastTime: number | undefined;
  peakRssBytes: number;
  /** Samples with at least this many samples are long enough to judge. */
  process: {
    times: Float64Array;
    memory: Record<MemorySeriesName, Float64Array>;
    /** Handle counts by type, and open file descriptors as `fds`; 0 where absent. */
    handles: Map<string, Float64Array>;
  };
  allocation: {
    /** Times of the buckets (the middle sample of each). */
    times: Float64Array;
    groups: LifetimeGroup[];
    /** Distinct stacks seen per site. */
    stacksOfSite: Map<string, Set<string>>;
  };
}

interface StackSlots {
  lineno: number;
  traceback: number;
}

interface GroupState extends LifetimeGroup {
  lastSeenBytes: number;
  /** Values of the current bucket. */
  bucket: Float64Array;
}

/**
 * Folds the samples of one process lifetime, as they are read, into its series. The
 * number of samples must be known up front (LifetimePlan): buckets are consecutive runs
 * of equal size, exactly as downsampleSegment cuts a whole series, so a streamed
 * recording is judged the same as one read whole.
 */
export class LifetimeAccumulator {
  private readonly times: Float64Array;
  private readonly memory: Record<MemorySeriesName, Float64Array>;
  private readonly handles = new Map<string, Float64Array>();
  private readonly useAllForAllocation: boolean;
  private readonly allocationSamples: number;
  private readonly buckets: number;
  private readonly bucketTimes: Float64Array;
  private readonly groups = new Map<string, number>();
  private readonly groupList: GroupState[] = [];
  private readonly stacksOfSite = new Map<string, Set<string>>();
  private slotsByStack: Array<StackSlots | undefined> = [];
  private slotsTable: StackTable | undefined;
  private sampleIndex = 0;
  private allocationIndex = 0;
  private bucket = 0;
  private bucketStart = 0;
  private bucketEnd: number;
  private firstTime: number | undefined;
  private lastTime: number | undefined;
  private peakRss = 0;
  private ending: RecordingEnd | undefined;

  constructor(
    private readonly source: string,
    private readonly header: RecordingHeader,
    private readonly plan: LifetimePlan,
    maxPoints: number,
  ) {
    const n = plan.samples;
    this.times = new Float64Array(n);
    this.memory = Object.fromEntries(MEMORY_SERIES.map((name) => [name, new Float64Array(n)])) as Record<MemorySeriesName, Float64Array>;
    this.useAllForAllocation = plan.liveSamples === n || plan.liveSamples < MIN_LIVE_SAMPLES;
    this.allocationSamples = this.useAllForAllocation ? n : plan.liveSamples;
    this.buckets = Math.min(this.allocationSamples, Math.max(1, Math.floor(maxPoints)));
    this.bucketTimes = new Float64Array(this.buckets);
    this.bucketEnd = this.boundary(1);
  }

  /** One sample, in file order. Samples beyond the plan (a file that grew since it was counted) are left out. */
  add(sample: SampleLine, rows: RowColumns, stacks: StackTable): void {
    const i = this.sampleIndex;
    if (i >= this.plan.samples) return;
    this.sampleIndex++;
    const { memory: usage, handles, openFds } = sample.process;
    this.times[i] = sample.time;
    this.firstTime ??= sample.time;
    this.lastTime = sample.time;
    this.peakRss = Math.max(this.peakRss, usage.rss);
    for (const name of MEMORY_SERIES) this.memory[name][i] = name === 'nativeGap' ? nativeGap(usage) : (usage[name] ?? 0);
    if (handles) for (const [type, count] of Object.entries(handles)) if (typeof count === 'number') this.handleSeries(type)[i] = count;
    if (typeof openFds === 'number') this.handleSeries('fds')[i] = openFds;

    if (!this.useAllForAllocation && sample.liveOnly === false) return;
    if (this.allocationIndex >= this.allocationSamples) return;
    this.addRows(rows, stacks);
  }

  end(end: RecordingEnd): void {
    this.ending = end;
  }

  finish(warnings: string[] = []): LifetimeSeries & { warnings: string[] } {
    // A file cut short since it was counted: close the buckets that were started.
    while (this.bucket < this.buckets && this.allocationIndex > this.bucketStart) this.closeBucket();
    const n = this.sampleIndex;
    const memory = Object.fromEntries(MEMORY_SERIES.map((name) => [name, this.memory[name].subarray(0, n)])) as Record<MemorySeriesName, Float64Array>;
    const handles = new Map([...this.handles].map(([type, values]) => [type, values.subarray(0, n)]));
    const groups: LifetimeGroup[] = this.groupList.map(({ bucket: _bucket, lastSeenBytes: _bytes, ...group }) => ({ ...group, bytes: group.bytes.subarray(0, this.bucket) }));
    const series: LifetimeSeries & { warnings: string[] } = {
      source: this.source,
      header: this.header,
      samples: n,
      firstTime: this.firstTime,
      lastTime: this.lastTime,
      peakRssBytes: this.peakRss,
      process: { times: this.times.subarray(0, n), memory, handles },
      allocation: { times: this.bucketTimes.subarray(0, this.bucket), groups, stacksOfSite: this.stacksOfSite },
      warnings,
    };
    if (this.ending) series.end = this.ending;
    return series;
  }

  private handleSeries(type: string): Float64Array {
    let series = this.handles.get(type);
    if (!series) this.handles.set(type, (series = new Float64Array(this.plan.samples)));
    return series;
  }

  /** First sample of bucket b (downsampleSegment's cut). */
  private boundary(b: number): number {
    return Math.floor((b * this.allocationSamples) / this.buckets);
  }

  private addRows(rows: RowColumns, stacks: StackTable): void {
    const index = this.allocationIndex++;
    const offset = index - this.bucketStart;
    const middle = (this.bucketStart + this.bucketEnd - 1) >> 1;
    if (index === middle) this.bucketTimes[this.bucket] = this.times[this.sampleIndex - 1]!;
    if (this.slotsTable !== stacks) {
      this.slotsTable = stacks;
      this.slotsByStack = [];
    }
    const { stackIds, bytes } = rows;
    for (let r = 0; r < rows.length; r++) {
      const stackId = stackIds[r]!;
      const slots = this.slotsOf(stackId, stacks);
      if (!slots) continue;
      const value = bytes[r]!;
      const site = this.groupList[slots.lineno]!;
      site.bucket[offset]! += value;
      if (site.lastSeen !== index || value > site.lastSeenBytes) {
        site.lastSeen = index;
        site.lastSeenBytes = value;
        site.biggestStack = this.groupList[slots.traceback]!.biggestStack;
      }
      const stack = this.groupList[slots.traceback]!;
      stack.bucket[offset]! += value;
      stack.lastSeen = index;
    }
    if (index === this.allocationSamples - 1) {
      for (const group of this.groupList) group.lastBytes = group.lastSeen === index ? group.bucket[offset]! : 0;
    }
    if (index + 1 === this.bucketEnd) this.closeBucket();
  }

  private closeBucket(): void {
    const size = Math.max(1, Math.min(this.bucketEnd, this.allocationIndex) - this.bucketStart);
    for (const group of this.groupList) {
      group.bytes[this.bucket] = size === 1 ? group.bucket[0]! : medianInPlace(group.bucket, size);
      group.bucket.fill(0, 0, size);
    }
    if (this.allocationIndex < this.bucketEnd) {
      // cut short: the bucket's time is its middle sample among those read
      this.bucketTimes[this.bucket] = this.bucketTimes[this.bucket] || this.times[this.sampleIndex - 1]!;
    }
    this.bucket++;
    this.bucketStart = this.bucketEnd;
    this.bucketEnd = this.boundary(this.bucket + 1);
  }

  private slotsOf(stackId: number, stacks: StackTable): StackSlots | undefined {
    const dense = stackId >= 0 && stackId < 1 << 22 && Number.isInteger(stackId);
    const known = dense ? this.slotsByStack[stackId] : undefined;
    if (known) return known;
    const traceback = stacks.get(stackId);
    if (!traceback) return undefined;
    const [entry] = groupTraces([{ traceback, size: 0, count: 0 }], 'lineno');
    if (!entry) return undefined;
    const [linenoKey, group] = entry;
    const site = group.traceback.frames[0]!;
    const tracebackKey = traceback.key;
    const slots = { lineno: this.groupSlot('lineno', linenoKey, site, linenoKey, traceback), traceback: this.groupSlot('traceback', tracebackKey, site, linenoKey, traceback) };
    let sites = this.stacksOfSite.get(linenoKey);
    if (!sites) this.stacksOfSite.set(linenoKey, (sites = new Set()));
    sites.add(tracebackKey);
    if (dense) this.slotsByStack[stackId] = slots;
    return slots;
  }

  private groupSlot(keyType: LifetimeGroup['keyType'], key: string, site: Frame, linenoKey: string, traceback: Traceback): number {
    const id = `${keyType === 'lineno' ? 'l' : 't'}\u0000${key}`;
    const known = this.groups.get(id);
    if (known !== undefined) return known;
    const bucketSize = Math.max(1, this.boundary(1) + 1);
    const group: GroupState = {
      keyType,
      key,
      site,
      linenoKey,
      bytes: new Float64Array(this.buckets),
      lastBytes: 0,
      biggestStack: traceback,
      lastSeen: -1,
      lastSeenBytes: -Infinity,
      bucket: new Float64Array(bucketSize),
    };
    this.groups.set(id, this.groupList.length);
    this.groupList.push(group);
    return this.groupList.length - 1;
  }
}
