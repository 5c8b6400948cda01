import type { Frame } from '../model/frame.js';
import { Traceback } from '../model/traceback.js';
import { lastValue } from './group-segments.js';
import { generationsOfBoth, type GroupSeries } from './series.js';
import { packageOf } from './wider-groups.js';
import { sharedFrame, type SharedFrame } from './shared-frame.js';
import { packageName } from './dependency-boundary.js';

/**
 * The growing sites reached through one call from the user's code into a dependency, with
 * the summed series of those sites. `site` is the dependency's frame that was called,
 * `biggestStack` the biggest member's stack from that frame down.
 */
export interface PackageCall extends GroupSeries {
  level: 'call';
  /** The `lineno` keys of the sites it sums. */
  members: string[];
  /** The user's own frame that made the call. */
  caller: Frame;
  /** The frame below `site` that (nearly) all the growth of the sites passes through (shared-frame.ts). */
  shared?: SharedFrame;
}

/**
 * Calls into a dependency that hold what grows: a dependency frame called from the user's
 * own code, under which at least two leaking sites were allocated, one of them in that
 * dependency itself. A memoizer, a cache with a loader, a registry with a factory or a
 * client that keeps per-request state look like this: the values come from the user's
 * callback (or the user's arguments), the entries that keep them from the package, and
 * the call is where the two meet. Sites alone name the allocators; a call names the code
 * that was asked to keep them. `sites` must be leaking sites already: a call only sums
 * what was found, so it never makes a verdict a leak by itself.
 */
export function packageCalls(sites: readonly GroupSeries[], directDependencies?: ReadonlySet<string>): PackageCall[] {
  const calls = new Map<string, { call: PackageCall; ownSites: number; biggest: number; sites: GroupSeries[] }>();
  for (const site of sites) {
    for (const { index, caller } of callsIntoPackages(site.biggestStack.frames)) {
      const frames = site.biggestStack.frames;
      const frame = frames[index]!;
      const key = `call\u0000${frame.key}\u0000${caller.key}`;
      let entry = calls.get(key);
      if (!entry) {
        const call: PackageCall = {
          level: 'call',
          members: [],
          caller,
          keyType: 'lineno',
          key,
          site: frame,
          linenoKey: key,
          bytes: site.bytes.map((segment) => new Float64Array(segment.length)),
          counts: site.counts.map((segment) => new Float64Array(segment.length)),
          deaths: site.deaths.map((segment) => new Float64Array(segment.length)),
          ...(site.oldest ? { oldest: site.oldest.map((segment) => new Float64Array(segment.length)) } : {}),
          biggestStack: new Traceback(frames.slice(index)),
          stackCount: 0,
        };
        entry = { call, ownSites: 0, biggest: -Infinity, sites: [] };
        calls.set(key, entry);
      }
      const { call } = entry;
      call.members.push(site.key);
      entry.sites.push(site);
      const last = lastValue(site.bytes);
      if (last > entry.biggest) {
        entry.biggest = last;
        call.biggestStack = new Traceback(frames.slice(index));
      }
      call.stackCount += site.stackCount;
      if (packageOf(site.site.file) === packageOf(frame.file)) entry.ownSites++;
      site.bytes.forEach((segment, s) => segment.forEach((value, i) => (call.bytes[s]![i]! += value)));
      site.counts.forEach((segment, s) => segment.forEach((value, i) => (call.counts[s]![i]! += value)));
      site.deaths.forEach((segment, s) => segment.forEach((value, i) => (call.deaths[s]![i]! += value)));
      generationsOfBoth(call, site);
    }
  }
  return [...calls.values()]
    .filter((entry) => entry.call.members.length >= 2 && entry.ownSites >= 1)
    .map(({ call, sites: members }) => {
      // the frame they pass through is the called package's, or another the app lists itself,
      // never a dependency of the called package (dependency-boundary.ts)
      const called = packageName(call.site.file);
      const shared = sharedFrame(call.site.key, members, (frame) => {
        const name = packageName(frame.file);
        return name === called || (name !== undefined && directDependencies?.has(name) === true);
      });
      return shared ? { ...call, shared } : call;
    });
}

/**
 * Where a stack (most recent first) crosses from the user's code into a dependency: a
 * dependency frame whose nearest caller with a file is the user's own code. Runtime
 * frames in between (`Array.prototype.map`, `emit`) do not break the call.
 */
function callsIntoPackages(frames: readonly Frame[]): { index: number; caller: Frame }[] {
  const found: { index: number; caller: Frame }[] = [];
  const seen = new Set<string>();
  frames.forEach((frame, index) => {
    if (frame.origin !== 'package') return;
    const caller = frames.slice(index + 1).find((below) => below.origin !== 'runtime');
    if (caller?.origin !== 'app' || seen.has(frame.key)) return;
    seen.add(frame.key);
    found.push({ index, caller });
  });
  return found;
}
