import type { Recording } from '../formats/recording.js';
import type { Frame } from '../model/frame.js';
import { groupTraces } from '../model/grouping.js';
import type { Traceback } from '../model/traceback.js';

/** Live memory of one group (an allocation site or a whole stack) at every sample, per process lifetime. */
export interface GroupSeries {
  keyType: 'lineno' | 'traceback';
  key: string;
  /** The frame the group is blamed on (file, line, function). */
  site: Frame;
  /** For `lineno`: its key. For `traceback`: the key of the `lineno` group it belongs to. */
  linenoKey: string;
  /** Bytes per sample, one array per segment (0 where the group holds nothing). */
  bytes: Float64Array[];
  /** Objects (exact) or live samples (sampled) per sample. */
  counts: Float64Array[];
  /** Old sampled objects that died since the previous sample (where the sampler tells samples apart). */
  deaths: Float64Array[];
  /**
   * How many ticks the oldest live sample had been seen alive before each sample (0 where the
   * group holds none, or only samples new at that tick): the greatest over the group's stacks.
   * Present only when every recording carries it (`sampling.oldestAge`, the inspector sampler).
   */
  oldest?: Float64Array[];
  /**
   * Live samples that outlived their stack's turnover (more than twice as old as the oldest of
   * the stack's samples that died old), summed over the group's stacks. Present only when every
   * recording carries it (`sampling.survivors`, the inspector sampler).
   */
  survivors?: Float64Array[];
  /** The stack holding the most bytes at the last sample where the group is present. */
  biggestStack: Traceback;
  /** How many distinct stacks the group holds. */
  stackCount: number;
}

export interface AllocationSeries {
  /** Sample times per segment (epoch ms). */
  times: Float64Array[];
  /** Mean time between the ticks of each segment, in ms. */
  tickMs: number[];
  /** The tick each sample is (its last tick, for a sample that stands for several), from 0, per segment. */
  ticks: Float64Array[];
  lineno: GroupSeries[];
  /** Stacks of `lineno` groups that hold several stacks (a lone stack would repeat its group's series). */
  traceback: GroupSeries[];
}

interface StackInfo {
  traceback: Traceback;
  tracebackKey: string;
  linenoKey: string;
  site: Frame;
}

/** Per-group series of live bytes and counts over the samples of recordings that are consecutive process lifetimes. */
export function allocationSeries(recordings: readonly Recording[]): AllocationSeries {
  const times = recordings.map((recording) => Float64Array.from(recording.samples, (sample) => sample.time));
  const ticks = recordings.map(tickIndexes);
  const tickMs = recordings.map((recording, segment) => {
    const last = recording.samples.length - 1;
    return last > 0 ? (recording.samples[last]!.time - recording.samples[0]!.time) / Math.max(1, ticks[segment]![last]! - ticks[segment]![0]!) : 0;
  });
  const withAges = recordings.length > 0 && recordings.every((recording) => recording.header.sampling.oldestAge === true);
  const withSurvivors = recordings.length > 0 && recordings.every((recording) => recording.header.sampling.survivors === true);
  const lineno = new Map<string, GroupSeries & { lastSeen: number; lastSeenBytes: number }>();
  const byStack = new Map<string, GroupSeries & { lastSeen: number; lastSeenBytes: number }>();
  const stacksOfGroup = new Map<string, Set<string>>();
  let sampleIndex = 0;

  recordings.forEach((recording, segment) => {
    const infos = stackInfos(recording);
    const length = recording.samples.length;
    const seriesIn = (
      groups: Map<string, GroupSeries & { lastSeen: number; lastSeenBytes: number }>,
      key: string,
      info: StackInfo,
      keyType: GroupSeries['keyType'],
    ) => {
      let group = groups.get(key);
      if (!group) {
        group = {
          keyType,
          key,
          site: info.site,
          linenoKey: info.linenoKey,
          bytes: recordings.map((r) => new Float64Array(r.samples.length)),
          counts: recordings.map((r) => new Float64Array(r.samples.length)),
          deaths: recordings.map((r) => new Float64Array(r.samples.length)),
          ...(withAges ? { oldest: recordings.map((r) => new Float64Array(r.samples.length)) } : {}),
          ...(withSurvivors ? { survivors: recordings.map((r) => new Float64Array(r.samples.length)) } : {}),
          biggestStack: info.traceback,
          stackCount: 0,
          lastSeen: -1,
          lastSeenBytes: -Infinity,
        };
        groups.set(key, group);
      }
      return group;
    };
    // each stack's two groups, looked up once per lifetime rather than once per row
    const resolved = new Map<number, { info: StackInfo; group: ReturnType<typeof seriesIn>; stack: ReturnType<typeof seriesIn> } | null>();
    const resolve = (stackId: number) => {
      const info = infos.get(stackId);
      if (!info) return null;
      let stacks = stacksOfGroup.get(info.linenoKey);
      if (!stacks) stacksOfGroup.set(info.linenoKey, (stacks = new Set()));
      stacks.add(info.tracebackKey);
      return { info, group: seriesIn(lineno, info.linenoKey, info, 'lineno'), stack: seriesIn(byStack, info.tracebackKey, info, 'traceback') };
    };
    for (let i = 0; i < length; i++, sampleIndex++) {
      const rows = recording.samples[i]!.rows;
      for (let r = 0; r < rows.length; r++) {
        const row = rows[r]!;
        const stackId = row[0];
        const bytes = row[1];
        const count = row[2];
        const died = row.length > 3 ? row[3]! : 0;
        const age = row.length > 4 ? row[4]! : 0;
        const survived = row.length > 5 ? row[5]! : 0;
        let found = resolved.get(stackId);
        if (found === undefined) resolved.set(stackId, (found = resolve(stackId)));
        if (found === null) continue;
        const { info, group, stack } = found;
        group.bytes[segment]![i]! += bytes;
        group.counts[segment]![i]! += count;
        group.deaths[segment]![i]! += died;
        if (group.oldest && age > group.oldest[segment]![i]!) group.oldest[segment]![i] = age;
        if (group.survivors) group.survivors[segment]![i]! += survived;
        if (group.lastSeen !== sampleIndex || bytes > group.lastSeenBytes) {
          group.lastSeen = sampleIndex;
          group.lastSeenBytes = bytes;
          group.biggestStack = info.traceback;
        }
        stack.bytes[segment]![i]! += bytes;
        stack.counts[segment]![i]! += count;
        stack.deaths[segment]![i]! += died;
        if (stack.oldest && age > stack.oldest[segment]![i]!) stack.oldest[segment]![i] = age;
        if (stack.survivors) stack.survivors[segment]![i]! += survived;
      }
    }
  });

  const strip = ({ lastSeen: _lastSeen, lastSeenBytes: _lastSeenBytes, ...group }: GroupSeries & { lastSeen: number; lastSeenBytes: number }): GroupSeries => group;
  const linenoGroups = [...lineno.values()].map((group) => ({ ...strip(group), stackCount: stacksOfGroup.get(group.key)?.size ?? 1 }));
  const tracebackGroups = [...byStack.values()]
    .filter((group) => (stacksOfGroup.get(group.linenoKey)?.size ?? 1) > 1)
    .map((group) => ({ ...strip(group), stackCount: 1 }));
  return { times, tickMs, ticks, lineno: linenoGroups, traceback: tracebackGroups };
}

/**
 * Each sample's tick in its lifetime: its `seq` (the tick number; the last tick of a sample
 * that stands for several), or the ticks counted where seq numbers do not rise.
 */
function tickIndexes(recording: Recording): Float64Array {
  const bySeq = Float64Array.from(recording.samples, (sample) => sample.seq + (sample.ticks ?? 1) - 1);
  if (bySeq.every((tick, i) => i === 0 || tick > bySeq[i - 1]!)) return bySeq;
  let counted = -1;
  return Float64Array.from(recording.samples, (sample) => (counted += sample.ticks ?? 1));
}

/**
 * Adds what a group's sampled generations tell into a group made of groups (`into`): at each
 * sample the older of both oldest live samples, and the sum of their survivors.
 */
export function generationsOfBoth(into: GroupSeries, from: GroupSeries): void {
  if (into.oldest && from.oldest) {
    from.oldest.forEach((segment, s) => segment.forEach((value, i) => {
      if (value > into.oldest![s]![i]!) into.oldest![s]![i] = value;
    }));
  }
  if (from.survivors) {
    into.survivors ??= from.survivors.map((segment) => new Float64Array(segment.length));
    from.survivors.forEach((segment, s) => segment.forEach((value, i) => (into.survivors![s]![i]! += value)));
  }
}

/** Each stack's group keys, through the model's own grouping (the blame frame of model/grouping.ts). */
function stackInfos(recording: Recording): Map<number, StackInfo> {
  const infos = new Map<number, StackInfo>();
  for (const [id, traceback] of recording.stacks) {
    const [entry] = groupTraces([{ traceback, size: 0, count: 0 }], 'lineno');
    if (!entry) continue;
    const [linenoKey, group] = entry;
    infos.set(id, { traceback, tracebackKey: traceback.key, linenoKey, site: group.traceback.frames[0]! });
  }
  return infos;
}
