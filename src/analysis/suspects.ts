import type { GroupSeries, AllocationSeries } from './series.js';
import { examineSeries, isLeak, levelledOff, type LeakCriteria, type SeriesExamination } from './leak-test.js';
import { slowsDown } from './warm-up.js';
import { benjaminiHochberg } from './multiple-testing.js';
import { lastValue, seriesPoints, toSegments } from './group-segments.js';
import type { Suspect } from './verdict.js';
import { calledFrom, frameSource, tracebackEntry } from './traceback-entries.js';
import { turnsOver } from './turnover.js';
import { boundedLifetime } from './bounded-lifetime.js';
import { enoughSamples } from './sample-evidence.js';
import { widerGroups, WIDER_LEVELS, type WiderGroup } from './wider-groups.js';
import { spreadOverParts } from './spread-evidence.js';
import { packageCalls, type PackageCall } from './package-calls.js';
import { distinctPlacesFirst } from './rank-slots.js';
import { sharedFrameFields } from './shared-frame.js';
import { directDependencyBlame } from './dependency-boundary.js';

const MS_PER_HOUR = 3_600_000;

export interface SuspectSearch {
  /** Suspects, ranked, before the top-N cut. */
  suspects: Suspect[];
  /** Groups tested (both families). */
  tested: number;
}

/**
 * The allocation groups whose live bytes leak. The sites (`lineno`) and the groups of
 * sites above them (function, file, package: a leak spread over many sites, none
 * significant alone) are one family of tests, corrected together with Benjamini-Hochberg
 * at `fdr`; a wider group is reported only when no narrower group inside it passes, so
 * the most specific level that passes names the leak. A second family, corrected on its
 * own, holds the stacks of sites that hold several stacks (a leak in one caller of a
 * shared helper can hide in the helper's total); a stack is reported only when its site is not.
 */
export function findSuspects(
  series: AllocationSeries,
  criteria: LeakCriteria,
  fdr: number,
  maxPoints: number,
  generations = false,
  directDependencies?: ReadonlySet<string>,
): SuspectSearch {
  const userSites = series.lineno.filter(inUserCode);
  const wider = widerGroups(userSites);
  const examined = new Map<string, SeriesExamination>();
  // where samples are told apart: a group whose old samples die as fast as it gains is a cache
  // at its bound, one whose oldest live sample is no older than ones that died lives a bounded time
  const settles = (group: GroupSeries) => generations && (turnsOver(group) || boundedLifetime(group, series) !== undefined);
  const siteByKey = new Map(userSites.map((site) => [site.key, site]));
  const levels = judgeFamily([...userSites, ...wider], series.times, criteria, fdr, maxPoints, settles, examined, (key) => siteByKey.get(key));
  const sites = levels.filter((found) => found.group.keyType === 'lineno' && !isWider(found.group));
  const siteKeys = new Set(sites.map((found) => found.group.linenoKey));
  const reported: Found[] = [...sites];
  for (const level of WIDER_LEVELS) {
    const passed = levels.filter((found) => isWider(found.group) && found.group.level === level);
    reported.push(...passed.filter((found) => explainedShare(found, reported) < EXPLAINED_SHARE));
  }
  const widest = reported.slice(sites.length);
  const calls = judgeCalls(sites, series.times, criteria, fdr, maxPoints, settles, directDependencies);
  // a site that turns over as a whole is a cache at its bound: its stacks are its parts (the
  // entries, the Map's table that steps up once more), not a caller's leak hidden in it; a
  // site whose objects all live a bounded time holds no stack whose objects stay
  const turnedOver = new Set(userSites.filter(settles).map((site) => site.key));
  // a stack that slowed down with its site, which levelled off as a whole, is part of a warm-up
  const warmedUp = (found: Found) => {
    const site = examined.get(found.group.linenoKey);
    return site !== undefined && levelledOff(site, criteria) && slowsDown(found.group);
  };
  const stacks = judgeFamily(series.traceback.filter(inUserCode), series.times, criteria, fdr, maxPoints, settles).filter(
    (found) => !siteKeys.has(found.group.linenoKey) && !turnedOver.has(found.group.linenoKey) && !warmedUp(found),
  );
  const ranked = [...sites, ...widest, ...calls, ...stacks].map((found) => ({ suspect: toSuspect(found, directDependencies), key: found.group.key, members: isCall(found.group) ? found.group.members : undefined }));
  const suspects = distinctPlacesFirst(ranked.sort((a, b) => byExpectedGrowth(a.suspect, b.suspect)));
  return { suspects, tested: series.lineno.length + wider.length + series.traceback.length };
}

/**
 * A wider group is reported when the narrower suspects inside it explain less than this
 * share of its growth: none passes (the leak is spread thin), or the few that pass are a
 * small part of what the whole file or package leaks.
 */
const EXPLAINED_SHARE = 0.5;

/** The share of a wider group's growth that the outermost suspects already reported inside it explain. */
function explainedShare(found: Found, reported: readonly Found[]): number {
  const group = found.group as WiderGroup;
  const members = new Set(group.members);
  const inside = reported.filter((other) => membersOf(other.group).every((member) => members.has(member)));
  const outermost = inside.filter(
    (other) => !inside.some((wider) => wider !== other && isWider(wider.group) && membersOf(other.group).every((member) => (wider.group as WiderGroup).members.includes(member))),
  );
  const explained = outermost.reduce((sum, other) => sum + Math.max(0, rise(other.examination)), 0);
  const total = rise(found.examination);
  return total > 0 ? explained / total : 1;
}

/**
 * What a series rose from its start to its end (medians of the first and last blocks). A
 * sparse site that stepped up once or twice can have a Theil-Sen slope far above what it
 * holds; the rise is what it holds.
 */
function rise(examination: SeriesExamination): number {
  return examination.shape ? examination.shape.earlyRise + examination.shape.lateRise : examination.growth;
}

/**
 * The calls into dependencies that hold several of the leaking sites (package-calls.ts),
 * tested on their summed series. They sum sites that already passed, so their confidence
 * is the weakest member's: a call never adds a finding of its own, it tells which code
 * was asked to keep what the sites allocate. By their sum they rank above their members.
 */
function judgeCalls(
  sites: readonly Found[],
  times: readonly Float64Array[],
  criteria: LeakCriteria,
  fdr: number,
  maxPoints: number,
  settles: (group: GroupSeries) => boolean,
  directDependencies?: ReadonlySet<string>,
): Found[] {
  const adjustedOf = new Map(sites.map((found) => [found.group.key, found.adjustedPValue]));
  const found: Found[] = [];
  for (const call of packageCalls(sites.map((site) => site.group), directDependencies)) {
    const segments = toSegments(times, call.bytes, maxPoints);
    const examination = examineSeries(segments, criteria, fdr);
    const adjustedPValue = Math.max(...call.members.map((member) => adjustedOf.get(member) ?? 1));
    if (isLeak(examination, adjustedPValue, fdr) && !settles(call)) {
      found.push({ group: call, examination, adjustedPValue, points: seriesPoints(segments) });
    }
  }
  return found;
}

function membersOf(group: GroupSeries): string[] {
  return isWider(group) ? group.members : [group.key];
}

function isWider(group: GroupSeries): group is WiderGroup {
  return 'level' in group && group.level !== 'call';
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

function judgeFamily(
  groups: readonly GroupSeries[],
  times: readonly Float64Array[],
  criteria: LeakCriteria,
  fdr: number,
  maxPoints: number,
  settles: (group: GroupSeries) => boolean,
  examined?: Map<string, SeriesExamination>,
  siteOf: (key: string) => GroupSeries | undefined = () => undefined,
): Found[] {
  const segmentsOf = groups.map((group) => toSegments(times, group.bytes, maxPoints));
  const examinations = segmentsOf.map((segments) => examineSeries(segments, criteria, fdr));
  groups.forEach((group, i) => examined?.set(group.key, examinations[i]!));
  const adjusted = benjaminiHochberg(examinations.map((examination) => examination.pValue));
  // sampled objects carry the rise; a wider group's must not sit in one of its parts (spread-evidence.ts)
  const sampled = criteria.resolution > 0;
  const carried = (group: GroupSeries) => (isWider(group) ? spreadOverParts(group, siteOf, sampled) : enoughSamples(group, sampled));
  const found: Found[] = [];
  groups.forEach((group, i) => {
    const examination = examinations[i]!;
    if (isLeak(examination, adjusted[i]!, fdr) && carried(group) && !settles(group)) found.push({ group, examination, adjustedPValue: adjusted[i]!, points: seriesPoints(segmentsOf[i]!) });
  });
  return found;
}

function isCall(group: GroupSeries): group is PackageCall {
  return 'level' in group && group.level === 'call';
}

function toSuspect({ group, examination, adjustedPValue, points }: Found, directDependencies?: ReadonlySet<string>): Suspect {
  const summed = isWider(group) || isCall(group);
  const allocating = group.biggestStack.blameFrame;
  // a site allocated in a dependency of a dependency is blamed on the dependency the app uses
  const moved = summed ? undefined : directDependencyBlame(group.biggestStack.frames, allocating, directDependencies);
  const blame = moved?.frame ?? allocating;
  const place = moved?.frame ?? group.site;
  return {
    rank: 0,
    keyType: summed ? group.level : group.keyType,
    ...(summed ? { sites: group.members.length } : {}),
    file: place.file,
    line: place.line,
    function: place.functionName,
    ...(isWider(group) ? {} : frameSource(blame)),
    ...(moved && allocating ? { allocatedIn: { ...tracebackEntry(allocating), package: moved.allocatingPackage, basis: moved.basis } } : {}),
    ...(isCall(group) && group.shared ? sharedFrameFields(group.shared) : {}),
    growthBytesPerHour: examination.slopePerMs * MS_PER_HOUR,
    liveBytes: lastValue(group.bytes),
    confidence: 1 - adjustedPValue,
    pValue: examination.pValue,
    traceback: group.biggestStack.frames.map(tracebackEntry),
    ...calledFrom(group.biggestStack.frames, blame),
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

