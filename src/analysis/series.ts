import type { Frame } from '../model/frame.js';
import type { Traceback } from '../model/traceback.js';
import type { LifetimeSeries } from './lifetime-series.js';

/** Live memory of one group (an allocation site or a whole stack) over the samples, per process lifetime. */
export interface GroupSeries {
  keyType: 'lineno' | 'traceback';
  key: string;
  /** The frame the group is blamed on (file, line, function). */
  site: Frame;
  /** For `lineno`: its key. For `traceback`: the key of the `lineno` group it belongs to. */
  linenoKey: string;
  /** Bytes per point, one array per segment (0 where the group holds nothing): at most maxPoints bucket medians each. */
  bytes: Float64Array[];
  /** Bytes at the last sample of the last segment. */
  lastBytes: number;
  /** The stack holding the most bytes at the last sample where the group is present. */
  biggestStack: Traceback;
  /** How many distinct stacks the group holds. */
  stackCount: number;
}

export interface AllocationSeries {
  /** Point times per segment (epoch ms). */
  times: Float64Array[];
  lineno: GroupSeries[];
  /** Stacks of `lineno` groups that hold several stacks (a lone stack would repeat its group's series). */
  traceback: GroupSeries[];
}

/** Per-group series over lifetimes that are consecutive segments, from what each lifetime folded. */
export function allocationSeries(lifetimes: readonly LifetimeSeries[]): AllocationSeries {
  const times = lifetimes.map((lifetime) => lifetime.allocation.times);
  const merged = new Map<string, GroupSeries>();
  const stacksOfSite = new Map<string, Set<string>>();
  const last = lifetimes.length - 1;
  lifetimes.forEach((lifetime, segment) => {
    for (const group of lifetime.allocation.groups) {
      const id = `${group.keyType}\u0000${group.key}`;
      let series = merged.get(id);
      if (!series) {
        series = {
          keyType: group.keyType,
          key: group.key,
          site: group.site,
          linenoKey: group.linenoKey,
          bytes: new Array<Float64Array>(times.length),
          lastBytes: 0,
          biggestStack: group.biggestStack,
          stackCount: 1,
        };
        merged.set(id, series);
      }
      series.bytes[segment] = group.bytes;
      if (group.lastSeen >= 0) series.biggestStack = group.biggestStack;
      if (segment === last) series.lastBytes = group.lastBytes;
    }
    for (const [site, stacks] of lifetime.allocation.stacksOfSite) {
      let all = stacksOfSite.get(site);
      if (!all) stacksOfSite.set(site, (all = new Set()));
      for (const stack of stacks) all.add(stack);
    }
  });
  const groups = [...merged.values()];
  // a group absent from a lifetime holds nothing there
  for (const group of groups) for (let segment = 0; segment < times.length; segment++) group.bytes[segment] ??= new Float64Array(times[segment]!.length);
  const stackCountOf = (site: string) => stacksOfSite.get(site)?.size ?? 1;
  return {
    times,
    lineno: groups.filter((group) => group.keyType === 'lineno').map((group) => ({ ...group, stackCount: stackCountOf(group.key) })),
    traceback: groups.filter((group) => group.keyType === 'traceback' && stackCountOf(group.linenoKey) > 1),
  };
}
