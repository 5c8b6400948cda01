import type { Recording, RecordingSample, SampleRow } from '../formats/recording.js';
import { allocationCriteria, processMemoryCriteria, resolveOptions, type AnalyzeOptions } from '../analysis/analyze-options.js';
import { lastValue, toSegments } from '../analysis/group-segments.js';
import { examineSeries, isLeak } from '../analysis/leak-test.js';
import { allocationSeries, type AllocationSeries } from '../analysis/series.js';
import { findSuspects } from '../analysis/suspects.js';
import type { NativeSuspect, NativeSummary, SeriesFinding, Verdict } from '../analysis/verdict.js';

export type { NativeSuspect, NativeSummary } from '../analysis/verdict.js';
import { Frame } from '../model/frame.js';
import { Traceback } from '../model/traceback.js';
import type { NativeLog } from './native-log.js';
import { jsSideOf } from './js-side.js';
import { nativeStack } from './native-stack.js';
import { madeForHeapSnapshot } from './heap-snapshot-frames.js';
import { Symbolizer } from './symbolizer.js';

const MS_PER_HOUR = 3_600_000;
/** Marks where the native stack ends because JavaScript called in (unwinding stops at JIT code). */
export const JIT_FILE = '<jit>';
/** A function name that is only an offset in its library: the library has no symbol there. */
const STRIPPED = /^\+0x[0-9a-f]+$/;

export const FRAGMENTATION_ADVICE =
  'on glibc malloc, MALLOC_ARENA_MAX=2 (fewer per-thread arenas) or jemalloc (LD_PRELOAD=libjemalloc.so.2, returns freed pages); on jemalloc, MALLOC_CONF=dirty_decay_ms:1000,muzzy_decay_ms:1000 returns them sooner';

/** The key of a native stack as frames (library, function), to find what was cut off it. */
export function nativeStackKey(frames: readonly { library: string; function: string }[]): string {
  return frames.map((frame) => `${frame.library}\0${frame.function}`).join('\n');
}

/** The id of dump rows left out: what V8 allocated for a heap snapshot (heap-snapshot-frames.ts). */
const SNAPSHOT_MEMORY = -1;

/**
 * Native series of one process lifetime, as a recording the detective reads like any other.
 * `via` collects, per stack key, the runtime frames an addon allocated through. Memory V8
 * allocated for heap snapshots is left out.
 */
export function nativeRecording(recording: Recording, log: NativeLog, symbolizer: Symbolizer, via?: Map<string, { library: string; function: string }[]>): Recording {
  const stacks = new Map<number, Traceback>();
  const ids = new Map<string, number>();
  const byTraceback = new Map<string, number>();
  const samples: RecordingSample[] = [];
  const firstProcess = recording.samples[0]?.process ?? { time: 0, memory: { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 } };
  runningDumps(log).forEach((dump, seq) => {
    const rows = new Map<number, SampleRow>();
    for (const row of dump.rows) {
      const key = `${row.pcs.join(' ')}|${dump.maps.length}`;
      let id = ids.get(key);
      if (id === SNAPSHOT_MEMORY) continue;
      if (id === undefined) {
        const stack = nativeStack(row.pcs, dump.maps, symbolizer);
        if (madeForHeapSnapshot(stack.frames)) {
          ids.set(key, SNAPSHOT_MEMORY);
          continue;
        }
        const modelFrames = stack.frames.map((frame) => new Frame(frame.library, 0, frame.function));
        if (stack.endsInJit) modelFrames.push(new Frame(JIT_FILE, 0, '(JavaScript)'));
        if (via && stack.via.length > 0) {
          via.set(nativeStackKey(modelFrames.map((frame) => ({ library: frame.file, function: frame.functionName }))), stack.via);
        }
        if (modelFrames.length === 0) modelFrames.push(new Frame('<allocator>', 0, '(allocator only)'));
        const traceback = new Traceback(modelFrames);
        id = byTraceback.get(traceback.key) ?? stacks.size;
        byTraceback.set(traceback.key, id);
        stacks.set(id, traceback);
        ids.set(key, id);
      }
      const existing = rows.get(id);
      if (existing) {
        existing[1] += row.bytes;
        existing[2] += row.objects;
      } else {
        rows.set(id, [id, row.bytes, row.objects]);
      }
    }
    samples.push({ seq, time: dump.time, process: { ...firstProcess, time: dump.time }, rows: [...rows.values()] });
  });
  return {
    source: `${recording.source} (native)`,
    header: { ...recording.header, sampling: { sampler: 'jemalloc', intervalBytes: log.samplePeriod, stackDepth: 128 } },
    stacks,
    samples,
    warnings: [],
  };
}

/**
 * The dumps that show the program running. A final dump written after the runtime freed
 * its heap on the way out (Node's environment teardown at a normal exit) holds far less than
 * the dump before it: like the JS side's final tick, a release at exit is no evidence
 * against a leak, so that dump is left out of the trends. A final dump written right after
 * the final tick (a stop signal: the agent exits without teardown) is the last point.
 */
/** A final dump under this share of the dump before it was written after the runtime's teardown. */
const TEARDOWN_SHARE = 0.5;

export function runningDumps(log: NativeLog): NativeLog['dumps'] {
  const dumps = log.dumps;
  const last = dumps.at(-1);
  const before = dumps.at(-2);
  if (!last?.final || !before) return dumps;
  const total = (dump: NativeLog['dumps'][number]) => dump.rows.reduce((sum, row) => sum + row.bytes, 0);
  // teardown frees most of it (Node's environment: every Buffer and the heap's own memory);
  // a smaller dip is sampling noise (each sample stands for samplePeriod bytes)
  return total(last) < TEARDOWN_SHARE * total(before) ? dumps.slice(0, -1) : dumps;
}

/**
 * Adds what the allocator's dumps say to a verdict: native suspects (library and
 * function) through the same trend tests and ranking as JS sites, the live native bytes
 * as a series, and fragmentation (RSS grows, live native bytes do not) instead of a
 * leak verdict. `logs` holds each recording's native log, when it has one.
 */
export function withNativeFindings(verdict: Verdict, recordings: readonly Recording[], logs: ReadonlyMap<Recording, NativeLog>, options: AnalyzeOptions = {}): Verdict {
  const withLogs = recordings.filter((recording) => logs.has(recording)).sort((a, b) => Date.parse(a.header.startTime) - Date.parse(b.header.startTime));
  if (withLogs.length === 0) return verdict;
  const settings = resolveOptions(options);
  const symbolizer = new Symbolizer();
  const via = new Map<string, { library: string; function: string }[]>();
  const paired = withLogs
    .map((recording) => ({ recording, native: nativeRecording(recording, logs.get(recording)!, symbolizer, via) }))
    .filter(({ native }) => native.samples.length > 0);
  const natives = paired.map(({ native }) => native);
  const dumps = natives.reduce((sum, native) => sum + native.samples.length, 0);
  const judging = verdict.verdict !== 'inconclusive' && dumps >= Math.min(settings.minSamples, 5) && natives.some((native) => native.samples.length >= 3);

  const times = natives.map((native) => Float64Array.from(native.samples, (sample) => sample.time));
  const totals = natives.map((native) => Float64Array.from(native.samples, (sample) => sample.rows.reduce((sum, row) => sum + row[1], 0)));
  const period = Math.max(...natives.map((native) => native.header.sampling.intervalBytes), 0);
  const totalExamination = examineSeries(toSegments(times, totals, settings.maxPoints), processMemoryCriteria(settings));
  const liveBytes: SeriesFinding = {
    growthBytesPerHour: totalExamination.slopePerMs * MS_PER_HOUR,
    leak: judging && isLeak(totalExamination, totalExamination.pValue, settings.fdr),
    confidence: 1 - totalExamination.pValue,
    lastBytes: lastValue(totals),
  };
  const nativeSeries = judging && natives.length > 0 ? allocationSeries(natives) : undefined;
  const found = nativeSeries ? findSuspects(nativeSeries, allocationCriteria(settings, period), settings.fdr, settings.maxPoints).suspects : [];
  let jsSeries: AllocationSeries | undefined;
  const nativeSuspects: NativeSuspect[] = found.slice(0, settings.topSuspects).map((suspect, i) => {
    const stack = suspect.traceback.map((entry) => ({ library: entry.file, function: entry.function }));
    const result: NativeSuspect = {
      rank: i + 1,
      library: suspect.file,
      function: suspect.function,
      growthBytesPerHour: suspect.growthBytesPerHour,
      liveBytes: suspect.liveBytes,
      confidence: suspect.confidence,
      stack,
      calledFromJavaScript: stack.at(-1)?.library === JIT_FILE,
    };
    if (STRIPPED.test(suspect.function)) result.stripped = true;
    const through = via.get(nativeStackKey(stack));
    if (through) result.via = through;
    const group = nativeSeries?.lineno.find((candidate) => candidate.site.file === suspect.file && candidate.site.functionName === suspect.function);
    if (result.calledFromJavaScript && group && verdict.suspects.length > 0) {
      jsSeries ??= allocationSeries(paired.map(({ recording }) => recording));
      const ties = jsSideOf({ times: nativeSeries!.times, bytes: group.bytes }, jsSeries, verdict.suspects);
      if (ties.length > 0) result.javascript = ties;
    }
    return result;
  });

  const nativeGap = verdict.process.nativeGap;
  const rssGrows = nativeGap.leak || (verdict.process.rss.leak && !verdict.process.heapUsed.leak && !verdict.process.external.leak);
  const fragmentation = judging && rssGrows && nativeSuspects.length === 0 && !liveBytes.leak;
  const native: NativeSummary = { dumps, liveBytes, fragmentation };
  if (fragmentation) native.advice = FRAGMENTATION_ADVICE;
  const result: Verdict = { ...verdict, process: { ...verdict.process, nativeGap: { ...nativeGap } }, nativeSuspects, native };

  if (fragmentation) {
    result.process.nativeGap.leak = false;
    result.process.rss = { ...result.process.rss, leak: false };
    const otherLeaks = hasOtherLeaks(result);
    result.verdict = otherLeaks ? 'leak' : 'no-leak';
    const note = 'RSS grows while the live native allocations in the allocator dumps stay flat: fragmentation, not a leak';
    result.reason = otherLeaks ? `${withoutNativeGap(verdict.reason)}; ${note}` : note;
  } else if (nativeSuspects.length > 0 && verdict.verdict !== 'inconclusive') {
    result.verdict = 'leak';
    const top = nativeSuspects[0]!;
    const named = `native allocations grow in ${top.function} (${shortLibrary(top.library)})`;
    result.reason = verdict.verdict === 'leak' ? `${verdict.reason}; ${named}` : named;
  }
  return result;
}

function hasOtherLeaks(verdict: Verdict): boolean {
  const { heapUsed, external, arrayBuffers } = verdict.process;
  return verdict.suspects.length > 0 || heapUsed.leak || external.leak || arrayBuffers.leak || verdict.handles.some((handle) => handle.leak);
}

function withoutNativeGap(reason: string | undefined): string {
  return (reason ?? '')
    .split('; ')
    .filter((part) => !part.startsWith('native memory not explained'))
    .join('; ');
}

/** `libfoo.so.1` for a path, as people name libraries. */
export function shortLibrary(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
