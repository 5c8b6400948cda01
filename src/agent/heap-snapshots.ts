import { getHeapStatistics, writeHeapSnapshot } from 'node:v8';
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { readCgroupMemoryLimit } from './cgroup.js';
import { formatSize } from '../model/size-format.js';

/**
 * Heap snapshots for retainer paths (`heapsleuth run --retainers`, HEAPSLEUTH_RETAINERS=1):
 * one early in the run and one at the end, written next to the recording as
 * `<recording>.early.heapsnapshot` and `<recording>.final.heapsnapshot`, and `late` ones
 * while the program runs (3, 7, 15, ... ticks after the early one, each replacing the one before), because a
 * program that tears down before it exits has freed its leak by the time the final
 * snapshot is written (the analysis then uses the last late one). Objects whose node
 * id is above the early snapshot's highest and that are alive at the end are exactly the
 * new survivors (V8 keeps ids stable within a process once a snapshot was taken).
 *
 * `v8.writeHeapSnapshot` stops the process while it runs and builds the whole graph in
 * native memory first: measured at 13 to 15 times the used JS heap on heaps of many small
 * objects (docs/retainers.md). So each snapshot is refused, with one logged line, when the
 * container, the machine or V8's heap limit leaves no room for that. What each snapshot
 * cost (pause, memory before and after, file size) goes to `<recording>.heapsnapshots.json`.
 *
 * In `auto` mode (`heapsleuth run`'s default, HEAPSLEUTH_RETAINERS=auto) nothing is written
 * until a file `<recording>.retainers-request` appears: `run` writes it when its live
 * analysis of the recording sees a leak. The early snapshot is then taken at the next tick,
 * only while the used JS heap is under a cap (the pause grows with the heap); the ticks
 * before it were measured without any snapshot's cost.
 */

/** Native memory a snapshot needs, as a multiple of the used JS heap, plus a fixed margin. */
export const SNAPSHOT_MEMORY_FACTOR = 16;
const SNAPSHOT_MEMORY_MARGIN = 64 * 1024 * 1024;

export interface SnapshotCost {
  label: string;
  file: string;
  time: string;
  pauseMs: number;
  heapUsedBytes: number;
  rssBeforeBytes: number;
  peakRssBytes: number;
  fileBytes: number;
}

export interface SnapshotRefusal {
  label: string;
  time: string;
  refused: string;
  /** Set when auto mode left snapshots out because the heap was above its cap (`run --retainers` forces them). */
  skipped?: 'heap-cap';
}

/** `start`: the early snapshot at the second tick; `auto`: at the first tick after `run` asked for it. */
export type SnapshotMode = 'start' | 'auto';

/**
 * Auto mode's cap on the used JS heap. The pause grows with the heap: 0.1 to 0.25 s per MiB
 * measured on bench/real-leaks on a loaded 2-core VM, so the first pause stays under about
 * 6 to 16 s (docs/retainers.md).
 */
export const AUTO_MAX_HEAP_BYTES = 64 * 1024 * 1024;

/** The file `run` writes next to a recording to ask its agent for heap snapshots (auto mode). */
export function retainersRequestPath(basePath: string): string {
  return `${basePath}.retainers-request`;
}

/** A late snapshot is skipped while the last pause exceeds this share of the time since it. */
const LATE_PAUSE_SHARE = 0.25;

export class HeapSnapshotCapture {
  private readonly log: (SnapshotCost | SnapshotRefusal)[] = [];
  private earlyTaken = false;
  /** The tick the early snapshot was taken at; late ones count from it. */
  private earlySeq = 0;
  private finalTaken = false;
  /** Auto mode looked at a request and decided (taken, refused or skipped): no more looking. */
  private requestSettled = false;
  private lastPauseMs = 0;
  private lastTakenAt = 0;
  private lastHeapUsed = 0;
  private lateTaken = false;

  constructor(
    /** The recording path without `.ndjson`. */
    private readonly basePath: string,
    private readonly warn: (message: string) => void,
    private readonly mode: SnapshotMode = 'start',
    private readonly maxHeapBytes: number = AUTO_MAX_HEAP_BYTES,
  ) {}

  /** After each tick (`final`: the one taken as the tracer stops, which final() follows). */
  afterTick(seq: number, final: boolean): void {
    if (this.mode === 'start') {
      // one interval in, once the program has started up
      if (seq === 1) this.early(seq);
      else if (!final) this.late(seq);
      return;
    }
    if (final) return;
    if (this.earlyTaken) this.late(seq);
    else if (!this.requestSettled && existsSync(retainersRequestPath(this.basePath))) this.startOnRequest(seq);
  }

  /** The early snapshot, once. */
  early(seq = 1): void {
    if (this.earlyTaken) return;
    this.earlyTaken = true;
    this.earlySeq = seq;
    this.take('early');
  }

  /** Auto mode: `run` saw a leak; the early snapshot now, when the heap is small enough for a short pause. */
  private startOnRequest(seq: number): void {
    this.requestSettled = true;
    const used = getHeapStatistics().used_heap_size;
    if (used > this.maxHeapBytes) {
      const refused = `the used JS heap was ${formatSize(used)} when the leak was seen, above the ${formatSize(this.maxHeapBytes)} cap for automatic heap snapshots (a snapshot would pause the process for seconds)`;
      // `run` reads it from the cost log and prints it with the run's other lines
      this.log.push({ label: 'early', time: new Date().toISOString(), refused, skipped: 'heap-cap' });
      this.finalTaken = true;
      this.save();
      return;
    }
    this.early(seq);
  }

  /**
   * A late snapshot 3, 7, 15, 31, ... ticks after the early one (ticks 4, 8, 16, ... when it was
   * taken at tick 1; their number grows with the log of the run's length), replacing the
   * previous one: the first always, later ones while the expected pause (the last one, scaled
   * by the heap's growth since) stays under a quarter of the time since the last snapshot.
   */
  late(tick: number): void {
    const since = tick - this.earlySeq;
    if (!this.earlyTaken || this.finalTaken || since < 3 || ((since + 1) & since) !== 0) return;
    // The first late one is always taken (memory allowing): a program that tears down before it
    // exits has no other snapshot of its leak. Later ones only while their pause stays small:
    // it grows with the heap, so the last one is scaled by how much the heap grew since.
    const growth = this.lastHeapUsed > 0 ? Math.max(1, getHeapStatistics().used_heap_size / this.lastHeapUsed) : 1;
    if (this.lateTaken && this.lastPauseMs * growth > LATE_PAUSE_SHARE * (performance.now() - this.lastTakenAt)) return;
    this.lateTaken = true;
    this.take('late');
  }

  /** The final snapshot, once, only when an early one exists to compare it with. */
  final(): void {
    if (!this.earlyTaken || this.finalTaken) return;
    this.finalTaken = true;
    this.take('final');
  }

  private take(label: 'early' | 'late' | 'final'): void {
    const time = new Date().toISOString();
    try {
      const refused = noRoomReason();
      if (refused) {
        this.log.push({ label, time, refused });
        this.warn(`heap snapshot (${label}) not taken: ${refused}`);
        // Without an early snapshot a final one has nothing to be compared with.
        if (label === 'early') this.finalTaken = true;
        this.save();
        return;
      }
      const heapUsedBytes = getHeapStatistics().used_heap_size;
      const rssBeforeBytes = process.memoryUsage.rss();
      const started = performance.now();
      const target = `${this.basePath}.${label}.heapsnapshot`;
      // A late snapshot replaces the one before only once it is whole.
      const written = writeHeapSnapshot(label === 'late' ? `${target}.partial` : target);
      if (label === 'late') renameSync(written, target);
      const file = target;
      const pauseMs = performance.now() - started;
      this.lastPauseMs = pauseMs;
      this.lastTakenAt = performance.now();
      this.lastHeapUsed = heapUsedBytes;
      const peakRssBytes = process.resourceUsage().maxRSS * 1024;
      this.log.push({ label, file, time, pauseMs: Math.round(pauseMs), heapUsedBytes, rssBeforeBytes, peakRssBytes, fileBytes: statSync(file).size });
    } catch (error) {
      this.log.push({ label, time, refused: `failed: ${error instanceof Error ? error.message : String(error)}` });
      this.warn(`heap snapshot (${label}) failed: ${error instanceof Error ? error.message : String(error)}`);
      if (label === 'early') this.finalTaken = true;
    }
    this.save();
  }

  private save(): void {
    try {
      writeFileSync(`${this.basePath}.heapsnapshots.json`, JSON.stringify(this.log, null, 2) + '\n');
    } catch {
      // The snapshot costs are a courtesy; the snapshots themselves are what matters.
    }
  }
}

/** Why a snapshot must not be written now, or undefined when there is room. */
export function noRoomReason(): string | undefined {
  const heap = getHeapStatistics();
  const needed = heap.used_heap_size * SNAPSHOT_MEMORY_FACTOR + SNAPSHOT_MEMORY_MARGIN;
  const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;
  if (heap.used_heap_size > heap.heap_size_limit * 0.9) {
    return `the JS heap is at ${mib(heap.used_heap_size)} of its ${mib(heap.heap_size_limit)} limit`;
  }
  const rss = process.memoryUsage.rss();
  const cgroup = readCgroupMemoryLimit();
  if (cgroup !== undefined && cgroup - rss < needed) {
    return `the container limit ${mib(cgroup)} leaves ${mib(Math.max(0, cgroup - rss))} next to ${mib(rss)} RSS; a snapshot of ${mib(heap.used_heap_size)} of heap needs about ${mib(needed)}`;
  }
  const available = memAvailable();
  if (available !== undefined && available < needed) {
    return `the machine has ${mib(available)} available; a snapshot of ${mib(heap.used_heap_size)} of heap needs about ${mib(needed)}`;
  }
  return undefined;
}

function memAvailable(): number | undefined {
  try {
    const match = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'latin1'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
