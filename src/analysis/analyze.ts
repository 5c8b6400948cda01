import type { Recording } from '../formats/recording.js';
import { allocationCriteria, resolveOptions, type AnalyzeOptions, type ResolvedOptions } from './analyze-options.js';
import { processFindings } from './process-findings.js';
import { processLifetimes } from './process-lifetimes.js';
import { processSeries } from './process-series.js';
import { projectToLimit } from './projection.js';
import { allocationSeries } from './series.js';
import { settledSites } from './settled-sites.js';
import { findSuspects } from './suspects.js';
import { liveSamplesOnly } from './live-samples.js';
import { runningPhase, teardownOf } from './running-phase.js';
import { handleCreationSites } from './handle-creation.js';
import type { HandleFinding, Suspect, Verdict } from './verdict.js';

export type { AnalyzeOptions } from './analyze-options.js';
export { DEFAULT_ANALYZE_OPTIONS } from './analyze-options.js';

/**
 * The verdict on recordings of one service (one per process lifetime, in any order):
 * which allocation sites leak, whether process memory or handles leak, restarts, and
 * the time to the memory limit. Pure: reads nothing, writes nothing. The method and
 * its defaults are in docs/verdict.md.
 */
export function analyzeRecordings(recorded: Recording[], options: AnalyzeOptions = {}): Verdict {
  const settings = resolveOptions(options);
  const teardown = teardownOf(recorded);
  const recordings = recorded.map(runningPhase);
  const lifetimes = processLifetimes(recordings);
  // Segments in the order they end: the last one is the process still running at the end of
  // the window, whose values are the current ones, also when replicas overlap in time.
  const ordered = [...lifetimes.recordings].sort((a, b) => a.samples.at(-1)!.time - b.samples.at(-1)!.time);
  const warnings = [...recordings.flatMap((recording) => recording.warnings), ...lifetimes.warnings];
  const newest = ordered.at(-1) ?? recordings.at(-1);
  const samples = ordered.flatMap((recording) => recording.samples);
  const start = samples.length === 0 ? undefined : Math.min(...ordered.map((recording) => recording.samples[0]!.time));
  const end = samples.at(-1)?.time;

  const base = {
    service: newest?.header.service ?? 'unknown',
    runtime: newest?.header.runtime ?? 'node',
    window: {
      start: new Date(start ?? 0).toISOString(),
      end: new Date(end ?? 0).toISOString(),
      // a long recording read in bounded memory has samples that stand for several ticks
      samples: samples.reduce((sum, sample) => sum + (sample.ticks ?? 1), 0),
      durationSeconds: start === undefined || end === undefined ? 0 : (end - start) / 1000,
    },
    restarts: lifetimes.restarts,
    warnings,
  };

  const reason = inconclusiveReason(ordered, settings);
  const judging = reason === undefined;
  const intervalBytes = Math.max(0, ...ordered.map((recording) => recording.header.sampling.intervalBytes));
  const generations = settings.generations && ordered.length > 0 && ordered.every((recording) => recording.header.sampling.generations === true);
  const allocations = judging ? allocationSeries(ordered.map(liveSamplesOnly)) : undefined;
  const processes = processSeries(ordered);
  const criteria = allocationCriteria(settings, intervalBytes);
  // the heap is judged without what sites whose growth is over hold (caches at their bound, warm-ups)
  const settled = allocations ? settledSites(allocations, processes.times, criteria, settings.maxPoints, generations) : undefined;
  const direct = settings.directDependencies ? new Set(settings.directDependencies) : undefined;
  const found = processFindings(processes, settings, judging, settled);
  const { suspects: memorySuspects } = allocations ? findSuspects(allocations, criteria, settings.fdr, settings.maxPoints, generations, direct) : { suspects: [] };

  const { process } = found;
  const creation = handleCreationSites(ordered, direct);
  const handles = found.handles.map((handle) => {
    const createdAt = creation.get(handle.type);
    return createdAt ? { ...handle, createdAt } : handle;
  });
  const suspects = [...handleSuspects(handles), ...memorySuspects];
  suspects.forEach((suspect, i) => (suspect.rank = i + 1));
  const leaking =
    suspects.length > 0 || process.heapUsed.leak || process.external.leak || process.arrayBuffers.leak || process.nativeGap.leak || handles.some((handle) => handle.leak);
  const verdict: Verdict = {
    verdict: !judging ? 'inconclusive' : leaking ? 'leak' : 'no-leak',
    ...base,
    suspects: suspects.slice(0, settings.topSuspects),
    process,
    handles,
    projection: projectToLimit({
      limits: newest?.header.limits ?? {},
      rssBytes: process.rss.lastBytes,
      heapUsedBytes: process.heapUsed.lastBytes,
      rssGrowthPerHour: found.growthPerHour.rss,
      heapUsedGrowthPerHour: found.growthPerHour.heapUsed,
      rssGrowing: judging && process.rss.leak,
      heapUsedGrowing: judging && process.heapUsed.leak,
    }),
  };
  if (teardown) verdict.teardown = teardown;
  if (reason) verdict.reason = reason;
  else verdict.reason = leaking ? leakReason(verdict) : noLeakReason(verdict);
  return verdict;
}

function inconclusiveReason(ordered: readonly Recording[], settings: ResolvedOptions): string | undefined {
  const usable = ordered.filter((recording) => recording.samples.length >= 3);
  const samples = usable.reduce((sum, recording) => sum + recording.samples.length, 0);
  const seconds = usable.reduce((sum, recording) => sum + (recording.samples.at(-1)!.time - recording.samples[0]!.time) / 1000, 0);
  const need = `at least ${settings.minSamples} samples over ${settings.minWindowSeconds} s are needed to tell growth from noise`;
  if (ordered.length === 0) return `no samples were recorded; ${need}`;
  if (samples < settings.minSamples) return `only ${samples} sample${samples === 1 ? '' : 's'} in process lifetimes of 3 or more; ${need}`;
  if (seconds < settings.minWindowSeconds) return `the samples cover only ${round1(seconds)} s; ${need}`;
  return undefined;
}

/**
 * The creation sites of leaking handle types, as suspects that rank first: a timer or
 * socket kept open keeps alive what it references, so the memory suspects are often what
 * those handles hold, and the line that creates them is the one to change.
 */
function handleSuspects(handles: readonly HandleFinding[]): Suspect[] {
  return handles
    .filter((handle) => handle.leak && handle.createdAt)
    .map((handle): Suspect => {
      const site = handle.createdAt!;
      return {
        rank: 0,
        keyType: 'handle',
        handleType: handle.type,
        handleGrowthPerHour: handle.growthPerHour,
        file: site.file,
        line: site.line,
        function: site.function,
        ...(site.calledFrom ? { calledFrom: site.calledFrom } : {}),
        ...(site.createdIn ? { allocatedIn: site.createdIn } : {}),
        growthBytesPerHour: 0,
        liveBytes: 0,
        confidence: handle.confidence,
        pValue: 1 - handle.confidence,
        traceback: site.traceback,
        series: [],
      };
    });
}

function leakReason(verdict: Verdict): string {
  const parts: string[] = [];
  const sites = verdict.suspects.filter((suspect) => suspect.keyType !== 'handle').length;
  if (sites > 0) parts.push(`${sites} allocation site${sites === 1 ? ' grows' : 's grow'}`);
  const { heapUsed, external, arrayBuffers, nativeGap } = verdict.process;
  if (nativeGap.leak) parts.push('native memory not explained by JS allocations grows');
  if (external.leak) parts.push('external memory grows');
  else if (arrayBuffers.leak) parts.push('ArrayBuffer memory grows');
  if (heapUsed.leak) parts.push('the used JS heap grows');
  const leakedHandles = verdict.handles.filter((handle) => handle.leak).map((handle) => handle.type);
  if (leakedHandles.length > 0) parts.push(`handles keep growing: ${leakedHandles.join(', ')}`);
  return parts.join('; ');
}

function noLeakReason(verdict: Verdict): string {
  const reason = 'no allocation site, process memory series or handle type grows beyond its noise';
  const settled = verdict.process.heapUsed.settled;
  if (!settled || settled.growthBytesPerHour <= 0 || verdict.process.heapUsed.growthBytesPerHour <= 0) return reason;
  const parts: string[] = [];
  if (settled.cachesAtBound > 0) parts.push(`${settled.cachesAtBound} cache${settled.cachesAtBound === 1 ? '' : 's'} at ${settled.cachesAtBound === 1 ? 'its' : 'their'} bound (old entries die as new ones come)`);
  if (settled.shortLived) parts.push(`${settled.shortLived} site${settled.shortLived === 1 ? ' whose objects live' : 's whose objects live'} at most ~${settled.livesAtMostSeconds} s`);
  if (settled.levelledOff > 0) parts.push(`${settled.levelledOff} site${settled.levelledOff === 1 ? '' : 's'} that levelled off (warm-up)`);
  return `${reason}; the JS heap's growth is held by ${parts.join(' and ')}`;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
