import type { GroupSeries, AllocationSeries } from './series.js';
import { examineSeries, isLeak, type LeakCriteria, type SeriesExamination } from './leak-test.js';
import { benjaminiHochberg } from './multiple-testing.js';
import { lastValue, seriesPoints, toSegments } from './group-segments.js';
import type { Suspect, TracebackEntry } from './verdict.js';
import type { Frame } from '../model/frame.js';

const MS_PER_HOUR = 3_600_000;

export interface SuspectSearch {
  /** Suspects, ranked, before the top-N cut. */
  suspects: Suspect[];
  /** Groups tested (both families). */
  tested: number;
}

/**
 * The allocation groups whose live bytes leak. Two families of tests, each corrected
 * with Benjamini-Hochberg at `fdr`: the sites (`lineno`), and the stacks of sites
 * that hold several stacks (a leak in one caller of a shared helper can hide in the
 * helper's total). A stack is reported only when its site is not.
 */
export function findSuspects(series: AllocationSeries, criteria: LeakCriteria, fdr: number, maxPoints: number): SuspectSearch {
  const sites = judgeFamily(series.lineno.filter(inUserCode), series.times, criteria, fdr, maxPoints);
  const siteKeys = new Set(sites.map((found) => found.group.linenoKey));
  const stacks = judgeFamily(series.traceback.filter(inUserCode), series.times, criteria, fdr, maxPoints).filter(
    (found) => !siteKeys.has(found.group.linenoKey),
  );
  const suspects = [...sites, ...stacks].map(toSuspect).sort(byExpectedGrowth);
  suspects.forEach((suspect, i) => (suspect.rank = i + 1));
  return { suspects, tested: series.lineno.length + series.traceback.length };
}

/**
 * A suspect must be code a user can change. A stack without a single user frame is the
 * runtime's own memory: V8 charges the metadata of newly optimized code to whatever
 * internal frame is on top (`processTimers`), and it steps up while a process warms up.
 * Leaks that the runtime holds for user code (timers, sockets) show as handle findings.
 */
function inUserCode(group: GroupSeries): boolean {
  return group.site.isUserCode;
}

interface Found {
  group: GroupSeries;
  examination: SeriesExamination;
  adjustedPValue: number;
  points: Suspect['series'];
}

function judgeFamily(groups: readonly GroupSeries[], times: readonly Float64Array[], criteria: LeakCriteria, fdr: number, maxPoints: number): Found[] {
  const segmentsOf = groups.map((group) => toSegments(times, group.bytes, maxPoints));
  const examinations = segmentsOf.map((segments) => examineSeries(segments, criteria, fdr));
  const adjusted = benjaminiHochberg(examinations.map((examination) => examination.pValue));
  const found: Found[] = [];
  groups.forEach((group, i) => {
    const examination = examinations[i]!;
    if (isLeak(examination, adjusted[i]!, fdr)) found.push({ group, examination, adjustedPValue: adjusted[i]!, points: seriesPoints(segmentsOf[i]!) });
  });
  return found;
}

function toSuspect({ group, examination, adjustedPValue, points }: Found): Suspect {
  const blame = group.biggestStack.blameFrame;
  return {
    rank: 0,
    keyType: group.keyType,
    file: group.site.file,
    line: group.site.line,
    function: group.site.functionName,
    ...frameSource(blame),
    growthBytesPerHour: examination.slopePerMs * MS_PER_HOUR,
    liveBytes: lastValue(group.bytes),
    confidence: 1 - adjustedPValue,
    pValue: examination.pValue,
    traceback: group.biggestStack.frames.map((frame) => ({ file: frame.file, line: frame.line, function: frame.functionName, ...frameSource(frame) })),
    series: points,
  };
}

/**
 * By expected growth: the growth rate weighted by the confidence. Every suspect already
 * passed the false discovery rate, so among them size decides, and a doubtful one sinks.
 */
function byExpectedGrowth(a: Suspect, b: Suspect): number {
  return b.confidence * b.growthBytesPerHour - a.confidence * a.growthBytesPerHour || b.confidence - a.confidence;
}

function frameSource(frame: Frame | undefined): Pick<TracebackEntry, 'alsoAt' | 'snippet'> {
  if (!frame) return {};
  return { ...(frame.alsoAt ? { alsoAt: frame.alsoAt } : {}), ...(frame.snippet ? { snippet: frame.snippet } : {}) };
}
