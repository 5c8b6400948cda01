import { formatCount, formatSize } from './size-format.js';
import { Traceback } from './traceback.js';
import type { KeyType } from './grouping.js';

/** Live memory of one group of traces (one file, line, function or whole traceback). */
export class Statistic {
  constructor(
    readonly traceback: Traceback,
    /** Estimated live bytes. */
    readonly size: number,
    /** Estimated number of live objects. */
    readonly count: number,
    readonly keyType: KeyType = 'lineno',
    /** Sizes are sampled estimates and `count` is the number of live samples, not of objects. */
    readonly sampled = false,
  ) {}

  get average(): number {
    return this.count > 0 ? this.size / this.count : 0;
  }

  /**
   * `src/cache.ts:42: size=1840 KiB, count=120, average=15.3 KiB`, or for sampled
   * snapshots `src/cache.ts:42: size=1840 KiB, samples=120`.
   */
  toString(): string {
    let text = `${describeKey(this.traceback, this.keyType)}: size=${formatSize(this.size)}, ${countLabel(this.sampled)}=${formatCount(this.count)}`;
    if (!this.sampled && Math.round(this.count) > 0) text += `, average=${formatSize(this.average)}`;
    return text;
  }

  /** tracemalloc's order: biggest first, then most objects, then by traceback. */
  static compare(a: Statistic, b: Statistic): number {
    return b.size - a.size || b.count - a.count || Traceback.compare(a.traceback, b.traceback);
  }
}

/** How one group changed between an old snapshot and a new one. */
export class StatisticDiff {
  constructor(
    readonly traceback: Traceback,
    readonly size: number,
    readonly sizeDiff: number,
    readonly count: number,
    readonly countDiff: number,
    readonly keyType: KeyType = 'lineno',
    readonly sampled = false,
  ) {}

  get average(): number {
    return this.count > 0 ? this.size / this.count : 0;
  }

  /** `src/cache.ts:42: size=1840 KiB (+5120 B), count=120 (+3), average=15.3 KiB` */
  toString(): string {
    let text =
      `${describeKey(this.traceback, this.keyType)}: size=${formatSize(this.size)} (${formatSize(this.sizeDiff, true)})` +
      `, ${countLabel(this.sampled)}=${formatCount(this.count)} (${formatCount(this.countDiff, true)})`;
    if (!this.sampled && Math.round(this.count) > 0) text += `, average=${formatSize(this.average)}`;
    return text;
  }

  /** tracemalloc's order: largest absolute change first, then size, then count change, then count. */
  static compare(a: StatisticDiff, b: StatisticDiff): number {
    return (
      Math.abs(b.sizeDiff) - Math.abs(a.sizeDiff) ||
      b.size - a.size ||
      Math.abs(b.countDiff) - Math.abs(a.countDiff) ||
      b.count - a.count ||
      Traceback.compare(a.traceback, b.traceback)
    );
  }
}

function countLabel(sampled: boolean): string {
  return sampled ? 'samples' : 'count';
}

function describeKey(traceback: Traceback, keyType: KeyType): string {
  const frame = traceback.blameFrame;
  if (!frame) return '(no frames)';
  switch (keyType) {
    case 'filename':
      return frame.file || '(native)';
    case 'function':
      return `${frame.toString()} ${frame.functionName || '(anonymous)'}()`;
    case 'lineno':
      return frame.toString();
    case 'traceback':
      return `${frame.toString()} (${traceback.length} frame${traceback.length === 1 ? '' : 's'})`;
  }
}
