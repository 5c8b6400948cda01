import type { Recording } from '../formats/recording.js';
import type { Frame } from '../model/frame.js';
import type { Traceback } from '../model/traceback.js';
import { calledFrom, tracebackEntry } from './traceback-entries.js';
import { directDependencyBlame, type DirectDependencyBlame } from './dependency-boundary.js';
import type { HandleCreation } from './verdict.js';

/**
 * Where the live handles of each type were created, from the newest sample that records
 * creation sites for it (the agent records them, sampled, while a type grows). Stacks are
 * summed by their blame frame, the nearest frame a user can change (timers and sockets
 * are created inside `node:` internals), and the site holding most live handles wins.
 */
export function handleCreationSites(recordings: readonly Recording[], directDependencies?: ReadonlySet<string>): Map<string, HandleCreation> {
  const newest = new Map<string, { time: number; recording: Recording; rows: Array<[number, number]> }>();
  for (const recording of recordings) {
    for (const sample of recording.samples) {
      for (const [type, rows] of Object.entries(sample.handleSites ?? {})) {
        if (rows.length === 0) continue;
        const known = newest.get(type);
        if (!known || sample.time >= known.time) newest.set(type, { time: sample.time, recording, rows });
      }
    }
  }
  const result = new Map<string, HandleCreation>();
  for (const [type, { recording, rows }] of newest) {
    const bySite = new Map<string, { blame: Frame; moved?: DirectDependencyBlame; creator: Frame; traceback: Traceback; live: number; biggest: number }>();
    for (const [stackId, live] of rows) {
      const traceback = recording.stacks.get(stackId);
      const creator = traceback?.blameFrame;
      if (!traceback || !creator || !creator.isUserCode) continue;
      // created in a dependency of a dependency: the package the app uses (dependency-boundary.ts)
      const moved = directDependencyBlame(traceback.frames, creator, directDependencies);
      const blame = moved?.frame ?? creator;
      const key = `${blame.file}\u0000${blame.line}\u0000${blame.functionName}`;
      const site = bySite.get(key) ?? { blame, ...(moved ? { moved } : {}), creator, traceback, live: 0, biggest: -1 };
      site.live += live;
      if (live > site.biggest) {
        site.biggest = live;
        site.traceback = traceback;
      }
      bySite.set(key, site);
    }
    const top = [...bySite.values()].sort((a, b) => b.live - a.live)[0];
    if (!top) continue;
    result.set(type, {
      file: top.blame.file,
      line: top.blame.line,
      function: top.blame.functionName,
      liveSampled: top.live,
      traceback: withoutHookFrames(top.traceback.frames).map(tracebackEntry),
      ...calledFrom(top.traceback.frames, top.blame),
      ...(top.moved ? { createdIn: { ...tracebackEntry(top.creator), package: top.moved.allocatingPackage, basis: top.moved.basis } } : {}),
    });
  }
  return result;
}

/** The stack from the frame that created the handle on: the async_hooks machinery on top is noise. */
function withoutHookFrames(frames: readonly Frame[]): readonly Frame[] {
  let first = 0;
  while (first < frames.length - 1 && frames[first]!.file === 'node:internal/async_hooks') first++;
  return frames.slice(first);
}
