import { doubled } from './recording-lines.js';
import { sampleRow, type HandleSiteRow, type Recording, type RecordingEnd, type RecordingHeader, type RecordingSample, type SampleRow } from './recording.js';
import type { RecordingSink, RowColumns, SampleLine, StackTable } from './recording-decoder.js';
import type { ProcessSample } from '../model/process.js';

/**
 * Points kept per process lifetime by default: twice the 200 points the analysis works on,
 * so a reduced lifetime still gives it at least 200 (see docs/verdict.md, long recordings).
 */
export const DEFAULT_POINTS_PER_LIFETIME = 400;

/**
 * Points kept over all the recordings read together: a folder of many long recordings
 * shares them (each lifetime's points cost memory for every site twice, in the reader and
 * in the analysis), down to a floor per lifetime.
 */
export const POINTS_BUDGET = 2000;
export const MIN_POINTS_PER_LIFETIME = 40;

/** Points to keep per process lifetime when `files` recordings are read together. */
export function pointsPerLifetime(files: number): number {
  return Math.max(MIN_POINTS_PER_LIFETIME, Math.min(DEFAULT_POINTS_PER_LIFETIME, Math.floor(POINTS_BUDGET / Math.max(1, files))));
}

/**
 * Reads a recording into bounded memory while it streams: each process lifetime keeps at
 * most `maxPoints` running points (plus its first and newest running ticks as they were, and
 * its final ticks). Up to that many ticks nothing is merged, so a short recording reads
 * exactly as RecordingCollector reads it. Beyond it, adjacent running ticks are merged into
 * buckets of 2, 4, 8... ticks (pairs of buckets merge when the lifetime holds `maxPoints`):
 * a bucket holds the mean live bytes and counts of each stack over its ticks, the summed old
 * deaths, the greatest oldest-sample age, the mean survivors, the mean process memory and handle counts, the newest handle creation sites of each
 * type, and how many ticks it stands for (`ticks`). Ticks marked `final` are never merged
 * into running ones, and ticks whose snapshot may count dead objects (`liveOnly: false`)
 * give a bucket its rows only when it holds no live-only tick.
 */
export class ReducingCollector implements RecordingSink {
  private readonly lifetimes: LifetimeReducer[] = [];

  constructor(
    private readonly source: string,
    private readonly maxPoints = DEFAULT_POINTS_PER_LIFETIME,
  ) {
    if (!(maxPoints >= 2)) throw new RangeError('maxPoints must be at least 2');
  }

  header(header: RecordingHeader): void {
    this.lifetimes.push(new LifetimeReducer(this.source, header, this.maxPoints - (this.maxPoints % 2)));
  }

  sample(line: SampleLine, rows: RowColumns, stacks: StackTable): void {
    this.lifetimes.at(-1)!.add(line, rows, stacks);
  }

  end(end: RecordingEnd): void {
    this.lifetimes.at(-1)!.end = end;
  }

  /** Samples held in memory now, over all lifetimes (what the bound is about). */
  get retainedPoints(): number {
    return this.lifetimes.reduce((sum, lifetime) => sum + lifetime.retainedPoints, 0);
  }

  recordings(warnings: string[]): Recording[] {
    const recordings = this.lifetimes.map((lifetime) => lifetime.recording());
    recordings[0]!.warnings.push(...warnings);
    return recordings;
  }
}

/** A sample's summary and its rows as columns (the first `length` entries). */
interface PointLike {
  readonly line: SampleLine;
  readonly ticks: number;
  readonly firstTime: number;
  readonly lastTime: number;
  readonly rowTicks: number;
  readonly rowsLive: boolean;
  readonly length: number;
  readonly ids: Float64Array;
  readonly bytes: Float64Array;
  readonly counts: Float64Array;
  readonly deaths: Float64Array;
  readonly ages: Float64Array;
  readonly survivors: Float64Array;
}

/**
 * One sample as kept: its line and its rows as columns (a quarter of the memory of row
 * arrays); `rows` builds the arrays when asked, the way the analysis reads them, once.
 */
class Point implements PointLike {
  constructor(
    readonly line: SampleLine,
    /** Ticks it stands for. */
    readonly ticks: number,
    readonly firstTime: number,
    readonly lastTime: number,
    /** Ticks its rows are the mean of (its live-only ticks, or all when none is). */
    readonly rowTicks: number,
    /** Whether its rows come from live-only ticks. */
    readonly rowsLive: boolean,
    readonly ids: Float64Array,
    readonly bytes: Float64Array,
    readonly counts: Float64Array,
    readonly deaths: Float64Array,
    readonly ages: Float64Array,
    readonly survivors: Float64Array,
  ) {}

  get length(): number {
    return this.ids.length;
  }

  static ofTick(line: SampleLine, rows: RowColumns): Point {
    const n = rows.length;
    return new Point(
      line,
      1,
      line.time,
      line.time,
      1,
      line.liveOnly !== false,
      ...copyColumns(rows.stackIds, rows.bytes, rows.counts, rows.deaths, rows.ages, rows.survivors, n),
    );
  }

  toSample(): RecordingSample {
    const { ids, bytes, counts, deaths, ages, survivors } = this;
    const sample = { ...this.line } as RecordingSample;
    if (this.ticks > 1) sample.ticks = this.ticks;
    Object.defineProperty(sample, 'rows', {
      enumerable: true,
      get(): SampleRow[] {
        const rows = new Array<SampleRow>(ids.length);
        for (let i = 0; i < ids.length; i++) rows[i] = sampleRow(ids[i]!, bytes[i]!, counts[i]!, deaths[i]!, ages[i]!, survivors[i]!);
        return rows;
      },
    });
    return sample;
  }
}

class LifetimeReducer {
  end: RecordingEnd | undefined;
  private stacks: StackTable | undefined;
  private first: Point | undefined;
  /** Buckets of `width` ticks each, oldest first. */
  private closed: Point[] = [];
  private width = 1;
  private readonly open = new Bucket();
  /** The newest running tick, as read (the value the analysis reports as the current one). */
  private readonly newest = new TickBuffer();
  private finals: Point[] = [];
  private droppedFinals = 0;

  constructor(
    private readonly source: string,
    private readonly header: RecordingHeader,
    private readonly maxPoints: number,
  ) {}

  get retainedPoints(): number {
    return this.closed.length + (this.open.ticks > 0 ? 1 : 0) + (this.first ? 1 : 0) + (this.newest.holding ? 1 : 0) + this.finals.length;
  }

  add(line: SampleLine, rows: RowColumns, stacks: StackTable): void {
    this.stacks = stacks;
    if (line.final !== undefined) {
      this.finals.push(Point.ofTick(line, rows));
      // a graceful shutdown that lasts for days: the newest final ticks are what teardown reports
      if (this.finals.length > this.maxPoints) {
        this.finals.shift();
        this.droppedFinals += 1;
      }
      return;
    }
    if (!this.first) {
      this.first = Point.ofTick(line, rows);
      return;
    }
    if (this.newest.holding) {
      if (this.width === 1) this.closed.push(this.newest.toPoint());
      else {
        this.open.add(this.newest);
        if (this.open.ticks === this.width) this.closed.push(this.open.take());
      }
      if (this.closed.length >= this.maxPoints) this.halve();
    }
    this.newest.hold(line, rows);
  }

  /** Merges adjacent pairs of buckets: half as many, twice as wide. */
  private halve(): void {
    const merged: Point[] = [];
    for (let i = 0; i + 1 < this.closed.length; i += 2) {
      this.open.add(this.closed[i]!);
      this.open.add(this.closed[i + 1]!);
      merged.push(this.open.take());
    }
    // the open bucket is empty here: it closes whenever it reaches the width, and the width only doubles now
    this.closed = merged;
    this.width *= 2;
  }

  recording(): Recording {
    const points = [this.first, ...this.closed, ...(this.open.ticks > 0 ? [this.open.take()] : []), this.newest.holding ? this.newest.toPoint() : undefined].filter(
      (point): point is Point => point !== undefined,
    );
    // final ticks in their place in time (they end a lifetime, but a stop signal the app ignored can be followed by more)
    const all = [...points, ...this.finals].sort((a, b) => a.firstTime - b.firstTime);
    const stacks = new Map(this.stacks ? this.stacks.entries() : []);
    const warnings: string[] = [];
    if (this.droppedFinals > 0) warnings.push(`${this.source}: kept the newest ${this.finals.length} of ${this.finals.length + this.droppedFinals} ticks marked final`);
    const recording: Recording = { source: this.source, header: this.header, stacks, samples: all.map((point) => point.toSample()), warnings };
    if (this.end) recording.end = this.end;
    return recording;
  }
}

/** Sums of the points merged into one bucket; `take` gives the bucket and starts again. */
class Bucket {
  ticks = 0;
  private rowTicks = 0;
  private rowsLive = false;
  private firstTime = 0;
  private lastTime = 0;
  private first: SampleLine | undefined;
  private last: SampleLine | undefined;
  private readonly memory = new Map<string, number>();
  private readonly handles = new Map<string, number>();
  private handleTicks = 0;
  private fds = 0;
  private fdTicks = 0;
  private tickMs = 0;
  private tickMsTicks = 0;
  private handleSites: Record<string, HandleSiteRow[]> | undefined;
  private readonly rows = new RowSums();

  add(point: PointLike): void {
    const { line, ticks } = point;
    if (this.ticks === 0) {
      this.first = line;
      this.firstTime = point.firstTime;
    }
    this.last = line;
    this.lastTime = point.lastTime;
    this.ticks += ticks;
    for (const [name, value] of Object.entries(line.process.memory)) {
      if (typeof value === 'number') this.memory.set(name, (this.memory.get(name) ?? 0) + value * ticks);
    }
    if (line.process.handles) {
      for (const [type, count] of Object.entries(line.process.handles)) if (typeof count === 'number') this.handles.set(type, (this.handles.get(type) ?? 0) + count * ticks);
      this.handleTicks += ticks;
    }
    if (typeof line.process.openFds === 'number') {
      this.fds += line.process.openFds * ticks;
      this.fdTicks += ticks;
    }
    if (typeof line.tickMs === 'number') {
      this.tickMs += line.tickMs * ticks;
      this.tickMsTicks += ticks;
    }
    // the newest creation sites of each handle type (the analysis reads the newest ones)
    if (line.handleSites) this.handleSites = { ...this.handleSites, ...line.handleSites };
    // rows of live-only ticks win over rows of ticks that may count dead objects
    if (point.rowsLive && !this.rowsLive) {
      this.rows.clear();
      this.rowTicks = 0;
      this.rowsLive = true;
    }
    if (point.rowsLive === this.rowsLive) {
      this.rows.add(point, point.rowTicks);
      this.rowTicks += point.rowTicks;
    }
  }

  take(): Point {
    const first = this.first!;
    const last = this.last!;
    const ticks = this.ticks;
    const memory = Object.fromEntries([...this.memory].map(([name, sum]) => [name, sum / ticks])) as unknown as ProcessSample['memory'];
    const time = Math.round((this.firstTime + this.lastTime) / 2);
    const process: ProcessSample = { ...last.process, time, memory };
    if (this.handleTicks > 0) process.handles = Object.fromEntries([...this.handles].map(([type, sum]) => [type, sum / this.handleTicks]));
    if (this.fdTicks > 0) process.openFds = this.fds / this.fdTicks;
    const line: SampleLine = { seq: first.seq, time, process };
    if (this.tickMsTicks > 0) line.tickMs = this.tickMs / this.tickMsTicks;
    if (!this.rowsLive) line.liveOnly = false;
    if (this.handleSites) line.handleSites = this.handleSites;
    const columns = this.rows.take(this.rowTicks);
    const point = new Point(line, ticks, this.firstTime, this.lastTime, this.rowTicks, this.rowsLive, columns.ids, columns.bytes, columns.counts, columns.deaths, columns.ages, columns.survivors);
    this.ticks = 0;
    this.rowTicks = 0;
    this.rowsLive = false;
    this.first = this.last = undefined;
    this.memory.clear();
    this.handles.clear();
    this.handleTicks = this.fds = this.fdTicks = this.tickMs = this.tickMsTicks = 0;
    this.handleSites = undefined;
    return point;
  }
}

/** Sums of bytes, counts, old deaths and survivors, and the greatest oldest-sample age, by stack id, in the order stacks first appeared. */
class RowSums {
  /** Slot of a stack id: dense ids (what the encoders write) through an array, any other through a map. */
  private slotOfDense = new Int32Array(1024).fill(-1);
  private readonly slotOfOther = new Map<number, number>();
  private ids = new Float64Array(1024);
  private bytes = new Float64Array(1024);
  private counts = new Float64Array(1024);
  private deaths = new Float64Array(1024);
  private ages = new Float64Array(1024);
  private survivors = new Float64Array(1024);
  private used = 0;

  add(point: PointLike, weight: number): void {
    const { ids, bytes, counts, deaths, ages, survivors, length } = point;
    let from = 0;
    for (;;) {
      from = accumulate(point, from, weight, this.slotOfDense, this.bytes, this.counts, this.deaths, this.ages, this.survivors);
      if (from === length) return;
      // a stack new to this bucket (a new slot can grow the arrays), or an id that is not dense
      const slot = this.slot(ids[from]!);
      this.bytes[slot]! += bytes[from]! * weight;
      this.counts[slot]! += counts[from]! * weight;
      this.deaths[slot]! += deaths[from]!;
      if (ages[from]! > this.ages[slot]!) this.ages[slot] = ages[from]!;
      this.survivors[slot]! += survivors[from]! * weight;
      from++;
    }
  }

  /** The means over `ticks` (old deaths summed, the greatest age), and empty sums again. */
  take(ticks: number): { ids: Float64Array; bytes: Float64Array; counts: Float64Array; deaths: Float64Array; ages: Float64Array; survivors: Float64Array } {
    const n = this.used;
    const [ids, bytes, counts, deaths, ages, survivors] = copyColumns(this.ids, this.bytes, this.counts, this.deaths, this.ages, this.survivors, n);
    const out = { ids, bytes, counts, deaths, ages, survivors };
    if (ticks > 0) {
      for (let i = 0; i < n; i++) {
        out.bytes[i]! /= ticks;
        out.counts[i]! /= ticks;
        out.survivors[i]! /= ticks;
      }
    }
    this.clear();
    return out;
  }

  clear(): void {
    for (let i = 0; i < this.used; i++) {
      const id = this.ids[i]!;
      if (isDense(id)) this.slotOfDense[id] = -1;
      this.bytes[i] = this.counts[i] = this.deaths[i] = this.ages[i] = this.survivors[i] = 0;
    }
    this.slotOfOther.clear();
    this.used = 0;
  }

  private slot(id: number): number {
    if (isDense(id)) {
      if (id >= this.slotOfDense.length) {
        const bigger = new Int32Array(Math.max(id + 1, this.slotOfDense.length * 2)).fill(-1);
        bigger.set(this.slotOfDense);
        this.slotOfDense = bigger;
      }
      const known = this.slotOfDense[id]!;
      if (known >= 0) return known;
      return (this.slotOfDense[id] = this.newSlot(id));
    }
    const known = this.slotOfOther.get(id);
    if (known !== undefined) return known;
    const slot = this.newSlot(id);
    this.slotOfOther.set(id, slot);
    return slot;
  }

  private newSlot(id: number): number {
    if (this.used === this.ids.length) {
      this.ids = doubled(this.ids);
      this.bytes = doubled(this.bytes);
      this.counts = doubled(this.counts);
      this.deaths = doubled(this.deaths);
      this.ages = doubled(this.ages);
      this.survivors = doubled(this.survivors);
    }
    this.ids[this.used] = id;
    return this.used++;
  }
}

/** Ids the encoders write (0, 1, 2...), below a bound that keeps the slot array small. */
function isDense(id: number): boolean {
  return Number.isInteger(id) && id >= 0 && id < 1 << 22;
}

/** The newest tick, copied from the decoder's reused columns into columns of its own (reused too). */
class TickBuffer implements PointLike {
  private held: SampleLine | undefined;
  length = 0;
  ids = new Float64Array(1024);
  bytes = new Float64Array(1024);
  counts = new Float64Array(1024);
  deaths = new Float64Array(1024);
  ages = new Float64Array(1024);
  survivors = new Float64Array(1024);
  readonly ticks = 1;
  readonly rowTicks = 1;

  /** Whether it holds a tick. */
  get holding(): boolean {
    return this.held !== undefined;
  }

  get line(): SampleLine {
    return this.held!;
  }

  get firstTime(): number {
    return this.line.time;
  }

  get lastTime(): number {
    return this.line.time;
  }

  get rowsLive(): boolean {
    return this.line.liveOnly !== false;
  }

  hold(line: SampleLine, rows: RowColumns): void {
    const n = rows.length;
    if (n > this.ids.length) {
      const size = Math.max(n, this.ids.length * 2);
      this.ids = new Float64Array(size);
      this.bytes = new Float64Array(size);
      this.counts = new Float64Array(size);
      this.deaths = new Float64Array(size);
      this.ages = new Float64Array(size);
      this.survivors = new Float64Array(size);
    }
    this.ids.set(rows.stackIds.subarray(0, n));
    this.bytes.set(rows.bytes.subarray(0, n));
    this.counts.set(rows.counts.subarray(0, n));
    this.deaths.set(rows.deaths.subarray(0, n));
    this.ages.set(rows.ages.subarray(0, n));
    this.survivors.set(rows.survivors.subarray(0, n));
    this.length = n;
    this.held = line;
  }

  toPoint(): Point {
    const n = this.length;
    return new Point(this.line, 1, this.line.time, this.line.time, 1, this.rowsLive, ...copyColumns(this.ids, this.bytes, this.counts, this.deaths, this.ages, this.survivors, n));
  }
}

/**
 * The first `n` entries of six columns, in one allocation: a typed array this size lives
 * outside the JS heap, and allocating one costs far more than copying it.
 */
function copyColumns(
  ids: Float64Array,
  bytes: Float64Array,
  counts: Float64Array,
  deaths: Float64Array,
  ages: Float64Array,
  survivors: Float64Array,
  n: number,
): [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array] {
  const all = new Float64Array(6 * n);
  const columns = [ids, bytes, counts, deaths, ages, survivors];
  columns.forEach((column, i) => all.set(column.subarray(0, n), i * n));
  return [all.subarray(0, n), all.subarray(n, 2 * n), all.subarray(2 * n, 3 * n), all.subarray(3 * n, 4 * n), all.subarray(4 * n, 5 * n), all.subarray(5 * n, 6 * n)];
}

/**
 * Adds rows `from`..`length` to the sums until a row whose stack has no slot yet; returns
 * its index (or `length`). A plain function of typed arrays: the loop runs for every row
 * of every tick of a long recording.
 */
function accumulate(
  point: PointLike,
  from: number,
  weight: number,
  slotOf: Int32Array,
  sumBytes: Float64Array,
  sumCounts: Float64Array,
  sumDeaths: Float64Array,
  maxAges: Float64Array,
  sumSurvivors: Float64Array,
): number {
  const { ids, bytes, counts, deaths, ages, survivors, length } = point;
  const slots = slotOf.length;
  for (let i = from; i < length; i++) {
    const id = ids[i]!;
    const index = id | 0;
    const slot = index === id && index >= 0 && index < slots ? slotOf[index]! : -1;
    if (slot < 0) return i;
    sumBytes[slot]! += bytes[i]! * weight;
    sumCounts[slot]! += counts[i]! * weight;
    sumDeaths[slot]! += deaths[i]!;
    if (ages[i]! > maxAges[slot]!) maxAges[slot] = ages[i]!;
    sumSurvivors[slot]! += survivors[i]! * weight;
  }
  return length;
}
