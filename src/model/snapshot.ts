import { readFileSync, writeFileSync } from 'node:fs';
import { applyFilters, type Filter } from './filter.js';
import { groupTraces, type GroupOptions, type KeyType } from './grouping.js';
import { Statistic, StatisticDiff } from './statistic.js';
import type { Trace } from './trace.js';
import { snapshotFromJSON, snapshotToJSON } from './snapshot-json.js';

export interface SnapshotMetadata {
  /** The runtime that produced the traces. */
  runtime: 'node' | 'python';
  /** When the snapshot was taken (ISO 8601). */
  takenAt: string;
  /**
   * Mean bytes between samples of V8's sampling heap profiler; 0 when sizes are exact
   * (Python's tracemalloc). Sizes and counts are unbiased estimates when sampled.
   */
  samplingIntervalBytes: number;
  /** Deepest stack recorded. */
  stackDepth: number;
}

/** Live memory at one moment, as a set of traces. */
export class Snapshot {
  constructor(
    readonly traces: readonly Trace[],
    readonly metadata: SnapshotMetadata,
  ) {}

  /** Sizes are estimates from sampling and counts are numbers of samples (V8); false when exact (tracemalloc). */
  get sampled(): boolean {
    return this.metadata.samplingIntervalBytes > 0;
  }

  /** Estimated live bytes of all traces. */
  get totalSize(): number {
    return this.traces.reduce((sum, trace) => sum + trace.size, 0);
  }

  /** Live objects (exact) or live samples (sampled) of all traces. */
  get totalCount(): number {
    return this.traces.reduce((sum, trace) => sum + trace.count, 0);
  }

  /** Live memory grouped by `keyType`, biggest first. */
  statistics(keyType: KeyType, options: GroupOptions = {}): Statistic[] {
    const stats = [...groupTraces(this.traces, keyType, options).values()].map(
      (group) => new Statistic(group.traceback, group.size, group.count, keyType, this.sampled),
    );
    return stats.sort(Statistic.compare);
  }

  /** What changed since `old`, grouped by `keyType`, biggest absolute change first. */
  compareTo(old: Snapshot, keyType: KeyType, options: GroupOptions = {}): StatisticDiff[] {
    const now = groupTraces(this.traces, keyType, options);
    const before = groupTraces(old.traces, keyType, options);
    const diffs: StatisticDiff[] = [];
    for (const [key, group] of now) {
      const previous = before.get(key);
      diffs.push(
        new StatisticDiff(group.traceback, group.size, group.size - (previous?.size ?? 0), group.count, group.count - (previous?.count ?? 0), keyType, this.sampled),
      );
    }
    for (const [key, group] of before) {
      if (!now.has(key)) diffs.push(new StatisticDiff(group.traceback, 0, -group.size, 0, -group.count, keyType, this.sampled));
    }
    return diffs.sort(StatisticDiff.compare);
  }

  /** A new snapshot with only the traces the filters keep. */
  filterTraces(filters: readonly Filter[]): Snapshot {
    return new Snapshot(applyFilters(this.traces, filters), this.metadata);
  }

  /** Write the snapshot to a file (JSON, frames interned). */
  dump(path: string): void {
    writeFileSync(path, JSON.stringify(snapshotToJSON(this)) + '\n');
  }

  /** Read a snapshot written by dump(). */
  static load(path: string): Snapshot {
    const text = readFileSync(path, 'utf8');
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      throw new SyntaxError(`${path}: not a heapsleuth snapshot (invalid JSON)`);
    }
    return snapshotFromJSON(data, path);
  }
}
