import type { ResolvedOptions } from './analyze-options.js';
import type { SettledSites } from './settled-sites.js';
import { handleCriteria, processMemoryCriteria } from './analyze-options.js';
import { lastValue, toSegments } from './group-segments.js';
import { examineSeries, isLeak, type LeakCriteria, type SeriesExamination } from './leak-test.js';
import { benjaminiHochberg } from './multiple-testing.js';
import { median } from './order-statistics.js';
import type { ProcessSeries } from './process-series.js';
import type { HandleFinding, SeriesFinding, Verdict } from './verdict.js';

const MS_PER_HOUR = 3_600_000;

export interface ProcessFindings {
  process: Verdict['process'];
  handles: HandleFinding[];
  /** Theil-Sen growth per hour of series the projection needs. */
  growthPerHour: { rss: number; heapUsed: number };
}

/**
 * Process series whose transients go up only, judged on block floors (series-shape.ts).
 * `external` and `arrayBuffers`: V8 lowers its count of off-heap bytes for the Buffers a GC
 * found dead only when its sweep of them finishes, on a background thread after the GC, so
 * a tick read right after a GC can count megabytes already freed (tmp's fixed version in
 * bench/real-leaks: external 31.9 MiB at a tick where Node's own count of live ArrayBuffer
 * bytes said 0.3 MiB, then back to its 8.4 MiB level); work in flight (a large body held for
 * a moment) adds more. A leak's bytes are in every tick, so its floor rises with it.
 * Not `heapUsed`: it is read right after a major GC (docs/verdict.md, "Samples that may
 * count garbage") and holds no garbage to spike with. Not `rss`: freed memory goes back to
 * the system late or never (V8 keeps committed pages, the allocator freed chunks), so RSS
 * moves in steps that stay (tmp's fixed version: 84.8 to 96.7 MiB with those spikes, and
 * still 97.1 at exit); a floor would only see a late step later, and RSS is a leak only
 * through what it is made of anyway. Not `nativeGap` (RSS minus the heap and external
 * memory): external bytes counted but not resident make it dip as much as resident ones
 * not yet counted make it rise, so its transients go both ways.
 */
const FLOOR_LEVELLED: ReadonlySet<string> = new Set(['external', 'arrayBuffers']);

interface Tested {
  name: string;
  examination: SeriesExamination;
  last: number;
}

/**
 * Process memory (rss, heapUsed, external, arrayBuffers, and the native gap) and
 * handle counts by type, tested as one family (Benjamini-Hochberg at `fdr`). RSS is a
 * leak only when something it is made of leaks (the used heap, external memory or the
 * native gap): RSS that grows because V8 reserves more heap is not one. When `judging`
 * is false (a window too short to tell), the numbers are measured but nothing is called a leak.
 *
 * `settled`: what the allocation sites whose growth is over hold (settled-sites.ts: caches
 * at their bound, warm-ups that levelled off). The used heap is then judged without them:
 * a heap that grows only because an LRU fills to its bound is not a leak, as the site's
 * own evidence already says; what they do not explain (heapUsed minus those sites) is
 * tested as before, on no more late rise than the heap's own (lateRiseWithin): settled sites
 * explain growth away, they never make a heap that held level a leak. `growthBytesPerHour`
 * and `lastBytes` stay the heap's own.
 */
export function processFindings(series: ProcessSeries, options: ResolvedOptions, judging: boolean, settled?: SettledSites): ProcessFindings {
  const rssLevel = median(series.memory.rss.flatMap((values) => Array.from(values)));
  const memoryNames = ['rss', 'heapUsed', 'external', 'arrayBuffers', 'nativeGap'] as const;
  const tested: Tested[] = [];
  const examine = (name: string, values: Float64Array[], criteria: LeakCriteria) =>
    tested.push({ name, examination: examineSeries(toSegments(series.times, values, options.maxPoints), criteria), last: lastValue(values) });
  // the heap's own series, as without settled sites
  const own = settled ? examineSeries(toSegments(series.times, series.memory.heapUsed, options.maxPoints), processMemoryCriteria(options)) : undefined;
  for (const name of memoryNames) {
    const values = name === 'heapUsed' && settled ? withoutSettled(series.memory.heapUsed, settled) : series.memory[name];
    examine(name, values, processMemoryCriteria(options, name === 'nativeGap' ? rssLevel : undefined, FLOOR_LEVELLED.has(name) ? 'floor' : 'median'));
  }
  if (own) {
    const rest = tested[memoryNames.indexOf('heapUsed')]!;
    rest.examination = lateRiseWithin(rest.examination, own, processMemoryCriteria(options));
  }
  const handleTypes = [...series.handles.keys()].sort();
  for (const type of handleTypes) examine(type, series.handles.get(type)!, handleCriteria(options));

  const adjusted = benjaminiHochberg(tested.map((entry) => entry.examination.pValue));
  const leaks = tested.map((entry, i) => judging && isLeak(entry.examination, adjusted[i]!, options.fdr));
  const finding = (i: number): SeriesFinding => ({
    growthBytesPerHour: tested[i]!.examination.slopePerMs * MS_PER_HOUR,
    leak: leaks[i]!,
    confidence: 1 - adjusted[i]!,
    lastBytes: tested[i]!.last,
  });
  const [rss, heapUsed, external, arrayBuffers, nativeGap] = memoryNames.map((_, i) => finding(i)) as [
    SeriesFinding,
    SeriesFinding,
    SeriesFinding,
    SeriesFinding,
    SeriesFinding,
  ];
  let settledRise = 0;
  if (settled) {
    // the heap's own numbers; `leak` and `confidence` judge the rest
    const held = examineSeries(toSegments(series.times, settled.bytes, options.maxPoints), processMemoryCriteria(options));
    settledRise = rise(held);
    heapUsed.growthBytesPerHour = own!.slopePerMs * MS_PER_HOUR;
    heapUsed.lastBytes = lastValue(series.memory.heapUsed);
    heapUsed.settled = {
      cachesAtBound: settled.cachesAtBound,
      ...(settled.shortLived > 0 ? { shortLived: settled.shortLived, livesAtMostSeconds: Math.round(settled.longestLifetimeMs / 100) / 10 } : {}),
      levelledOff: settled.levelledOff,
      growthBytesPerHour: held.slopePerMs * MS_PER_HOUR,
      liveBytes: lastValue(settled.bytes),
    };
  }
  // A growing heap drags RSS along by more than heapTotal says (page granularity, V8's
  // own malloc'ed bookkeeping, allocator fragmentation): while JS memory leaks, a native
  // gap that grows by a small share of it is explained by it, and is not a second leak.
  const jsGrowth = Math.max(0, heapUsed.growthBytesPerHour) + Math.max(0, external.growthBytesPerHour);
  if ((heapUsed.leak || external.leak) && nativeGap.growthBytesPerHour <= options.nativeGapShareOfJsGrowth * jsGrowth) nativeGap.leak = false;
  // The same holds while a cache fills or a table warms up, though the heap is not a leak
  // then. Their growth is over, often a step (a one-off load), whose slope says little: the
  // rise of the native gap is compared with what the settled sites rose instead.
  const gapRise = rise(tested[memoryNames.indexOf('nativeGap')]!.examination);
  const settledGrowth = heapUsed.settled ? Math.max(0, heapUsed.settled.growthBytesPerHour) : 0;
  if (settledGrowth > 0 && nativeGap.growthBytesPerHour <= options.nativeGapShareOfJsGrowth * (jsGrowth + settledGrowth)) nativeGap.leak = false;
  if (settledRise > 0 && gapRise <= options.nativeGapShareOfJsGrowth * settledRise) nativeGap.leak = false;
  // The native gap is RSS less what the heap has committed and external memory: when V8
  // gives heap pages back (heapTotal 16 -> 9 MiB) but they stay resident, or the allocator
  // keeps what was freed, the gap rises by what JS stopped counting while RSS holds level.
  // Native memory that leaks is resident memory: the gap is a leak only while RSS is one.
  nativeGap.leak = nativeGap.leak && rss.leak;
  rss.leak = rss.leak && (heapUsed.leak || external.leak || arrayBuffers.leak || nativeGap.leak);

  const handles = handleTypes
    .map((type, j): HandleFinding => {
      const i = memoryNames.length + j;
      return { type, count: tested[i]!.last, growthPerHour: tested[i]!.examination.slopePerMs * MS_PER_HOUR, leak: leaks[i]!, confidence: 1 - adjusted[i]! };
    })
    .sort((a, b) => Number(b.leak) - Number(a.leak) || b.growthPerHour - a.growthPerHour || a.type.localeCompare(b.type));
  return {
    process: { rss, heapUsed, external, arrayBuffers, nativeGap },
    handles,
    growthPerHour: { rss: rss.growthBytesPerHour, heapUsed: heapUsed.growthBytesPerHour },
  };
}

/**
 * The rest of the heap (without settled sites) judged for persistence on no more late rise
 * than the heap itself had. Settled sites explain growth away; they never add any. Their
 * bytes are sampled estimates that wander by a few sampling intervals while the heap is
 * exact, and a cache at its bound loses old entries: a heap that rose while connections
 * filled and then held level, minus caches whose estimates drift down, is a rest that
 * still rises, by exactly what the caches lost. What the heap did not gain from the middle
 * of the window to its end cannot be a leak's late growth. And the rest must itself have
 * risen as much as any process series must to be a leak: its trend line can be steep from
 * the first ticks alone (the heap before the settled sites existed) while, once they are
 * subtracted, it rose a few hundred KiB (socks-proxy-agent's fixed version: 0.8 MiB, the
 * heap level for 35 s).
 */
function lateRiseWithin(rest: SeriesExamination, own: SeriesExamination, criteria: LeakCriteria): SeriesExamination {
  if (!rest.shape || !own.shape) return rest;
  const lateRise = Math.min(rest.shape.lateRise, own.shape.lateRise);
  const large = rest.large && rest.shape.earlyRise + lateRise >= criteria.minGrowth(rest.shape.startLevel);
  if (lateRise === rest.shape.lateRise && large === rest.large) return rest;
  return { ...rest, large, persistent: lateRise > 0 && lateRise >= criteria.persistenceRatio * rest.shape.earlyRise, shape: { ...rest.shape, lateRise } };
}

/** The used heap minus what the settled sites hold, sample by sample. */
function withoutSettled(heapUsed: readonly Float64Array[], settled: SettledSites): Float64Array[] {
  return heapUsed.map((values, segment) => values.map((value, i) => value - (settled.bytes[segment]?.[i] ?? 0)));
}

/** What a series rose from its start to its end (medians of its first and last blocks), summed over lifetimes. */
function rise(examination: SeriesExamination): number {
  return examination.shape ? examination.shape.earlyRise + examination.shape.lateRise : examination.growth;
}
