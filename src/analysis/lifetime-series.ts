import type { Recording, RecordingEnd, RecordingHeader } from '../formats/recording.js';
import { StackTable, type RowColumns, type SampleLine } from '../formats/recording-decoder.js';
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

/** A group being folded; its numbers live in the accumulator's typed arrays at `slot`. */
interface GroupInfo {
  keyType: LifetimeGroup['keyType'];
  key: string;
  site: Frame;
  linenoKey: string;
  /** The stack the group was made for (a `traceback` group's own). */
  traceback: Traceback;
}

/** Per site: its stacks in this lifetime; a site with one stack shares its series with it until a second one comes. */
interface SiteStacks {
  keys: Set<string>;
  /** The stack group of each stack, once the site has two. */
  groupOfStack: Map<string, number>;
  firstStackId: number;
}

const NO_SLOT = -1;
const UNKNOWN = -2;
const DENSE_IDS = 1 << 22;

/**
 * Folds the samples of one process lifetime, as they are read, into its series. The
 * number of samples must be known up front (LifetimePlan): buckets are consecutive runs
 * of equal size, exactly as downsampleSegment cuts a whole series, so a streamed
 * recording is judged the same as one read whole. Rows go into typed arrays (one row
 * of a month-long recording of a big service is one of ninety million).
 */
export class LifetimeAccumulator {
  private readonly times: Float64Array;
  private readonly memory: Record<MemorySeriesName, Float64Array>;
  private readonly handles = new Map<string, Float64Array>();
  private readonly useAllForAllocation: boolean;
  private readonly allocationSamples: number;
  private readonly buckets: number;
  private readonly bucketSize: number;
  private readonly bucketTimes: Float64Array;
  private readonly groups: GroupInfo[] = [];
  private readonly groupOfKey = new Map<string, number>();
  private readonly sites = new Map<number, SiteStacks>();
  /** Current bucket's values, bucketSize per group. */
  private values = new Float64Array(0);
  /** Bucket medians, `buckets` per group. */
  private points = new Float64Array(0);
  private lastSeen = new Int32Array(0);
  private lastSeenBytes = new Float64Array(0);
  private lastBytes = new Float64Array(0);
  /** Stack id holding the most bytes at the group's last sample. */
  private biggest = new Float64Array(0);
  /** Per stack id: its site's group, NO_SLOT when it has none, UNKNOWN before it is looked up. */
  private siteOfStack = new Int32Array(0);
  /** Per stack id: its own group when its site has several stacks, else NO_SLOT. */
  private stackGroupOfStack = new Int32Array(0);
  private readonly sparseSlots = new Map<number, [number, number]>();
  private stacks: StackTable | undefined;
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
    this.bucketSize = this.buckets === 0 ? 1 : Math.floor(this.allocationSamples / this.buckets) + 1;
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
    if (this.stacks !== stacks) {
      this.stacks = stacks;
      this.siteOfStack.fill(UNKNOWN);
      this.sparseSlots.clear();
    }
    this.addRows(rows);
  }

  end(end: RecordingEnd): void {
    this.ending = end;
  }

  finish(warnings: string[] = []): LifetimeSeries & { warnings: string[] } {
    // A file cut short since it was counted: close the bucket that was started.
    if (this.bucket < this.buckets && this.allocationIndex > this.bucketStart) this.closeBucket();
    const n = this.sampleIndex;
    const memory = Object.fromEntries(MEMORY_SERIES.map((name) => [name, this.memory[name].subarray(0, n)])) as Record<MemorySeriesName, Float64Array>;
    const handles = new Map([...this.handles].map(([type, values]) => [type, values.subarray(0, n)]));
    const groups: LifetimeGroup[] = [];
    const stacksOfSite = new Map<string, Set<string>>();
    const groupOf = (slot: number, info: GroupInfo): LifetimeGroup => ({
      keyType: info.keyType,
      key: info.key,
      site: info.site,
      linenoKey: info.linenoKey,
      bytes: this.points.slice(slot * this.buckets, slot * this.buckets + this.bucket),
      lastBytes: this.lastBytes[slot]!,
      biggestStack: info.keyType === 'lineno' && this.lastSeen[slot]! >= 0 ? (this.stacks?.get(this.biggest[slot]!) ?? info.traceback) : info.traceback,
      lastSeen: this.lastSeen[slot]!,
    });
    this.groups.forEach((info, slot) => {
      const group = groupOf(slot, info);
      groups.push(group);
      if (info.keyType !== 'lineno') return;
      const siteStacks = this.sites.get(slot)!;
      stacksOfSite.set(info.linenoKey, siteStacks.keys);
      if (siteStacks.keys.size === 1) {
        // one stack: its series is the site's
        const traceback = this.stacks?.get(siteStacks.firstStackId) ?? info.traceback;
        groups.push({ ...group, keyType: 'traceback', key: [...siteStacks.keys][0]!, biggestStack: traceback });
      }
    });
    const series: LifetimeSeries & { warnings: string[] } = {
      source: this.source,
      header: this.header,
      samples: n,
      firstTime: this.firstTime,
      lastTime: this.lastTime,
      peakRssBytes: this.peakRss,
      process: { times: this.times.subarray(0, n), memory, handles },
      allocation: { times: this.bucketTimes.slice(0, this.bucket), groups, stacksOfSite },
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

  private addRows(rows: RowColumns): void {
    const index = this.allocationIndex++;
    const offset = index - this.bucketStart;
    if (index === (this.bucketStart + this.bucketEnd - 1) >> 1) this.bucketTimes[this.bucket] = this.times[this.sampleIndex - 1]!;
    const { stackIds, bytes } = rows;
    const size = this.bucketSize;
    let { values, lastSeen, lastSeenBytes, biggest, siteOfStack, stackGroupOfStack } = this;
    for (let r = 0; r < rows.length; r++) {
      const stackId = stackIds[r]!;
      let site = stackId >= 0 && stackId < siteOfStack.length ? siteOfStack[stackId]! : UNKNOWN;
      let own: number;
      if (site !== UNKNOWN) {
        own = stackGroupOfStack[stackId]!;
      } else {
        [site, own] = this.slotsOf(stackId);
        // the arrays may have grown
        ({ values, lastSeen, lastSeenBytes, biggest, siteOfStack, stackGroupOfStack } = this);
      }
      if (site === NO_SLOT) continue;
      const value = bytes[r]!;
      values[site * size + offset]! += value;
      if (lastSeen[site] !== index || value > lastSeenBytes[site]!) {
        lastSeen[site] = index;
        lastSeenBytes[site] = value;
        biggest[site] = stackId;
      }
      if (own !== NO_SLOT) {
        values[own * size + offset]! += value;
        lastSeen[own] = index;
      }
    }
    if (index === this.allocationSamples - 1) {
      for (let slot = 0; slot < this.groups.length; slot++) this.lastBytes[slot] = this.lastSeen[slot] === index ? this.values[slot * size + offset]! : 0;
    }
    if (index + 1 === this.bucketEnd) this.closeBucket();
  }

  private closeBucket(): void {
    const size = this.bucketSize;
    const filled = Math.max(1, Math.min(this.bucketEnd, this.allocationIndex) - this.bucketStart);
    if (this.allocationIndex < this.bucketEnd && !this.bucketTimes[this.bucket]) this.bucketTimes[this.bucket] = this.times[this.sampleIndex - 1]!;
    for (let slot = 0; slot < this.groups.length; slot++) {
      const from = slot * size;
      this.points[slot * this.buckets + this.bucket] = filled === 1 ? this.values[from]! : medianInPlace(this.values.subarray(from, from + filled), filled);
    }
    this.values.fill(0);
    this.bucket++;
    this.bucketStart = this.bucketEnd;
    this.bucketEnd = this.boundary(this.bucket + 1);
  }

  /** The site and own groups of a stack seen for the first time (or an id too big to index). */
  private slotsOf(stackId: number): [number, number] {
    const dense = stackId >= 0 && stackId < DENSE_IDS && Number.isInteger(stackId);
    if (!dense) {
      const known = this.sparseSlots.get(stackId);
      if (known) return known;
    }
    const slots = this.resolve(stackId);
    if (dense) {
      this.ensureStackCapacity(stackId + 1);
      this.siteOfStack[stackId] = slots[0];
      this.stackGroupOfStack[stackId] = slots[1];
    } else {
      this.sparseSlots.set(stackId, slots);
    }
    return slots;
  }

  private resolve(stackId: number): [number, number] {
    const traceback = this.stacks?.get(stackId);
    if (!traceback) return [NO_SLOT, NO_SLOT];
    const [entry] = groupTraces([{ traceback, size: 0, count: 0 }], 'lineno');
    if (!entry) return [NO_SLOT, NO_SLOT];
    const [linenoKey, group] = entry;
    const site = group.traceback.frames[0]!;
    const tracebackKey = traceback.key;
    const siteSlot = this.groupSlot({ keyType: 'lineno', key: linenoKey, site, linenoKey, traceback });
    let siteStacks = this.sites.get(siteSlot);
    if (!siteStacks) {
      siteStacks = { keys: new Set([tracebackKey]), groupOfStack: new Map(), firstStackId: stackId };
      this.sites.set(siteSlot, siteStacks);
      return [siteSlot, NO_SLOT];
    }
    if (siteStacks.keys.size === 1 && siteStacks.keys.has(tracebackKey)) return [siteSlot, NO_SLOT];
    if (siteStacks.groupOfStack.size === 0) {
      // The site's second stack: its first one gets a series of its own, the site's so far.
      const [firstKey] = siteStacks.keys;
      const firstTraceback = this.stacks?.get(siteStacks.firstStackId) ?? traceback;
      const firstSlot = this.groupSlot({ keyType: 'traceback', key: firstKey!, site, linenoKey, traceback: firstTraceback });
      this.copyGroup(siteSlot, firstSlot);
      siteStacks.groupOfStack.set(firstKey!, firstSlot);
      for (let id = 0; id < this.siteOfStack.length; id++) if (this.siteOfStack[id] === siteSlot) this.stackGroupOfStack[id] = firstSlot;
      for (const [id, slots] of this.sparseSlots) if (slots[0] === siteSlot) slots[1] = firstSlot;
    }
    siteStacks.keys.add(tracebackKey);
    let own = siteStacks.groupOfStack.get(tracebackKey);
    if (own === undefined) {
      own = this.groupSlot({ keyType: 'traceback', key: tracebackKey, site, linenoKey, traceback });
      siteStacks.groupOfStack.set(tracebackKey, own);
    }
    return [siteSlot, own];
  }

  private copyGroup(from: number, to: number): void {
    this.points.copyWithin(to * this.buckets, from * this.buckets, (from + 1) * this.buckets);
    this.values.copyWithin(to * this.bucketSize, from * this.bucketSize, (from + 1) * this.bucketSize);
    this.lastSeen[to] = this.lastSeen[from]!;
    this.lastSeenBytes[to] = this.lastSeenBytes[from]!;
    this.lastBytes[to] = this.lastBytes[from]!;
  }

  private groupSlot(info: GroupInfo): number {
    const id = `${info.keyType === 'lineno' ? 'l' : 't'}\u0000${info.key}`;
    const known = this.groupOfKey.get(id);
    if (known !== undefined) return known;
    const slot = this.groups.length;
    this.groups.push(info);
    this.groupOfKey.set(id, slot);
    if (slot >= this.lastSeen.length) this.growGroups(Math.max(64, slot * 2));
    this.lastSeen[slot] = -1;
    this.lastSeenBytes[slot] = -Infinity;
    return slot;
  }

  private growGroups(capacity: number): void {
    const grow = <T extends Float64Array | Int32Array>(array: T, per: number, make: (n: number) => T): T => {
      const bigger = make(capacity * per);
      bigger.set(array);
      return bigger;
    };
    this.values = grow(this.values, this.bucketSize, (n) => new Float64Array(n));
    this.points = grow(this.points, this.buckets, (n) => new Float64Array(n));
    this.lastSeen = grow(this.lastSeen, 1, (n) => new Int32Array(n));
    this.lastSeenBytes = grow(this.lastSeenBytes, 1, (n) => new Float64Array(n));
    this.lastBytes = grow(this.lastBytes, 1, (n) => new Float64Array(n));
    this.biggest = grow(this.biggest, 1, (n) => new Float64Array(n));
  }

  private ensureStackCapacity(needed: number): void {
    if (needed <= this.siteOfStack.length) return;
    const capacity = Math.max(256, needed * 2);
    const sites = new Int32Array(capacity).fill(UNKNOWN);
    sites.set(this.siteOfStack);
    const own = new Int32Array(capacity).fill(NO_SLOT);
    own.set(this.stackGroupOfStack);
    this.siteOfStack = sites;
    this.stackGroupOfStack = own;
  }
}

/** A recording read whole, folded as a streamed one would be. */
export function foldRecording(recording: Recording, maxPoints: number): LifetimeSeries & { warnings: string[] } {
  const liveSamples = recording.samples.filter((sample) => sample.liveOnly !== false).length;
  const accumulator = new LifetimeAccumulator(recording.source, recording.header, { samples: recording.samples.length, liveSamples }, maxPoints);
  const stacks = new StackTable();
  for (const [id, traceback] of recording.stacks) stacks.set(id, traceback);
  for (const { rows, ...sample } of recording.samples) {
    const columns: RowColumns = {
      length: rows.length,
      stackIds: Float64Array.from(rows, (row) => row[0]),
      bytes: Float64Array.from(rows, (row) => row[1]),
      counts: Float64Array.from(rows, (row) => row[2]),
    };
    accumulator.add(sample, columns, stacks);
  }
  if (recording.end) accumulator.end(recording.end);
  return accumulator.finish(recording.warnings);
}

