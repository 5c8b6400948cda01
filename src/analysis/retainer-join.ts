import type { RetainerFinding, Suspect, TracebackEntry, Verdict } from './verdict.js';
import type { RetainerGroup } from '../snapshots/retainer-groups.js';
import type { SourceLocation } from '../snapshots/script-locations.js';
import { formatRetainerPath } from '../snapshots/path-text.js';
import { wrapperWhat } from '../snapshots/wrapper-text.js';

/** New survivors grouped by retainer path (what snapshots/ finds for two snapshots). */
export interface SurvivorGroups {
  objects: number;
  bytes: number;
  groups: RetainerGroup[];
}

const SCORE = { line: 4, function: 3, constructor: 2, file: 1, share: 0 } as const;
/** A group holding at least this share of all new surviving bytes is most of what the program kept. */
const DOMINANT_SHARE = 0.5;
/** ... and is comparable to the suspect's own live bytes (not the biggest of the crumbs a teardown left). */
const DOMINANT_SHARE_OF_SUSPECT = 0.25;
const PER_SUSPECT = 2;
/** A second group is shown only when it holds at least this share of the first one's bytes. */
const SECOND_GROUP_SHARE = 0.1;
/** A group far smaller than the suspect's live bytes cannot be what keeps them: not shown. */
const MIN_SHARE_OF_SUSPECT = 0.01;
/** Code locations of a group listed in the verdict (the join matches against all). */
const LOCATIONS_SHOWN = 8;

/**
 * The verdict with each suspect's retainer groups: those whose objects' constructors or
 * closure locations meet the suspect's frames. A closure or constructor written at a
 * frame's line ties best, then a closure named like a frame's function in that frame's
 * file, a constructor named like a frame's function, code in one of the frames' files
 * last. At most two groups per suspect, the best tied and biggest first; a second one
 * only when it is not a crumb next to the first.
 */
export function attachRetainers(verdict: Verdict, survivors: SurvivorGroups, since?: number): Verdict {
  const suspects = verdict.suspects.map((suspect): Suspect => {
    const gained = bytesSince(suspect, since);
    const matches = survivors.groups
      .map((group) => ({ group, match: suspect.keyType === 'handle' ? handleMatchOf(suspect, group) : matchOf(suspect, group) }))
      .filter((entry): entry is { group: RetainerGroup; match: RetainerFinding['match'] } => entry.match !== undefined)
      .filter((entry) => entry.group.selfBytes >= gained * MIN_SHARE_OF_SUSPECT)
      .sort((a, b) => SCORE[b.match] - SCORE[a.match] || b.group.selfBytes - a.group.selfBytes)
      .slice(0, PER_SUSPECT)
      .filter((entry, i, all) => i === 0 || entry.group.selfBytes >= all[0]!.group.selfBytes * SECOND_GROUP_SHARE);
    if (matches.length === 0) {
      // Allocated by code that never touches the holder (made here, handed to a cache or a
      // listener there): no frame meets the group. When one group holds most of what the
      // program kept, it is shown, matched by its share.
      const dominant = suspect.keyType === 'handle' ? undefined : survivors.groups[0];
      if (dominant && survivors.bytes > 0 && dominant.selfBytes >= survivors.bytes * DOMINANT_SHARE && dominant.selfBytes >= gained * DOMINANT_SHARE_OF_SUSPECT) {
        return withKeeper({ ...suspect, retainers: [finding(dominant, 'share', survivors)] });
      }
      return suspect;
    }
    return withKeeper({ ...suspect, retainers: matches.map(({ group, match }) => finding(group, match, survivors)) });
  });
  return { ...verdict, suspects };
}

/**
 * What the suspect's live bytes gained since the first snapshot (`since`, epoch ms): only those
 * can be new survivors. Snapshots that start late in a run (`run`'s automatic mode) compare
 * their groups with this, not with everything the site held before them. All its live bytes
 * without `since`.
 */
function bytesSince(suspect: Suspect, since: number | undefined): number {
  if (since === undefined) return suspect.liveBytes;
  const before = suspect.series.filter((point) => point.time <= since).at(-1);
  return before ? Math.max(0, suspect.liveBytes - before.value) : suspect.liveBytes;
}

/** The suspect with `keeper` set when its first retainer is held by code in another file than the site. */
function withKeeper(suspect: Suspect): Suspect {
  const keptBy = suspect.retainers?.[0]?.keptBy;
  return keptBy && keptBy.file !== suspect.file ? { ...suspect, keeper: keptBy } : suspect;
}

function frames(suspect: Suspect): TracebackEntry[] {
  return [{ file: suspect.file, line: suspect.line, function: suspect.function }, ...suspect.traceback];
}

function matchOf(suspect: Suspect, group: RetainerGroup): RetainerFinding['match'] | undefined {
  const all = frames(suspect).filter((frame) => frame.file && !frame.file.startsWith('node:'));
  const locations = [...group.locations, ...group.path.flatMap((step) => [...(step.location ? [step.location] : []), ...(step.wraps?.location ? [step.wraps.location] : [])])];
  if (locations.some((location) => all.some((frame) => frame.file === location.file && frame.line === location.line))) return 'line';
  const closures = group.path.filter((step) => step.nodeType === 'closure' && step.node && step.location);
  if (closures.some((step) => all.some((frame) => frame.file === step.location!.file && frame.function?.split('.').pop() === step.node))) return 'function';
  const names = new Set(group.constructors.map((c) => constructorName(c.name)).concat(constructorName(group.path.at(-1)?.node ?? '')));
  if (all.some((frame) => frame.function && frame.function !== '(anonymous)' && names.has(frame.function.replace(/^new /, '').split('.').pop()!))) return 'constructor';
  if (locations.some((location) => all.some((frame) => frame.file === location.file))) return 'file';
  return undefined;
}

/**
 * A handle suspect (a line that creates timers or sockets, or opens files) allocates nothing
 * whose size could tell a keeper from a crumb: a group ties to it by code written at one of
 * its frames (a callback it passes), or by its own frame's file, never by the files of the
 * callers further down its stack alone.
 */
function handleMatchOf(suspect: Suspect, group: RetainerGroup): RetainerFinding['match'] | undefined {
  const match = matchOf(suspect, group);
  if (match === 'line' || match === 'function') return match;
  return matchOf({ ...suspect, traceback: [] }, group);
}

/** `(closure onDone)` -> `onDone`; `Session` stays. */
function constructorName(name: string): string {
  const closure = /^\(closure (.+)\)$/.exec(name);
  if (closure) return closure[1]!;
  return name.startsWith('(') ? '' : name;
}

/**
 * The code that holds the objects: the last closure or constructor with a file on the path
 * above them, or the path's last object when it is a closure (a closure keeps what it
 * captured). Runtime internals (`node:`) do not count: they hold what the program gave them.
 * A wrapper (a `once` listener, a bound function, a timer, an EventTarget listener) counts as
 * the function it calls where the path ends at it (that function is what the program wrote,
 * and keeps what it captured) or where the path goes on into what a bound function was bound
 * to; not where the path only passes it (a Timeout of a timer list on the way to the next, a
 * closure of Node's own on the way to its other variables).
 * None above a WeakMap entry: from there on the path holds the key, not the WeakMap.
 */
function keeperOf(group: RetainerGroup): RetainerFinding['keptBy'] {
  const path = group.path;
  const programs = (location: SourceLocation | undefined) => (location && !location.file.startsWith('node:') ? location : undefined);
  for (let i = path.length - 1; i >= 0; i--) {
    const step = path[i]!;
    const wrapped = programs(step.wraps?.location) && (i === path.length - 1 || intoBinding(step, path[i + 1]!)) && step.wraps;
    if (i === path.length - 1 && step.nodeType !== 'closure' && !wrapped) continue;
    // Above a WeakMap entry the path leads to its key, not to the WeakMap that holds the
    // value (the heap's path does not show the WeakMap): what keeps the key is no keeper.
    if (path[i + 1]?.edge.startsWith('WeakMap.get(')) return undefined;
    const own = programs(step.location);
    if (!own && wrapped) return { file: wrapped.location!.file, line: wrapped.location!.line, what: wrapperWhat(wrapped) };
    if (!own) continue;
    // A closure the search passed on its way into a module's scope: the module's variable holds them.
    const variable = path[i + 1]?.moduleScope ? path[i + 2] : undefined;
    if (variable) return { file: own.file, what: `module variable ${variable.edge}` };
    return { file: own.file, line: own.line, what: step.nodeType === 'closure' ? `closure${step.node ? ` ${step.node}` : ''}` : step.node };
  }
  return undefined;
}

/** The path goes from a bound function into its `this` or its bound arguments: the binding keeps them. */
function intoBinding(step: RetainerGroup['path'][number], next: RetainerGroup['path'][number]): boolean {
  return step.wraps?.kinds[0] === 'bind' && /^(?:bound_this|bindings|bound_arguments|bound_argument_\d+)$/.test(next.edge);
}

function finding(group: RetainerGroup, match: RetainerFinding['match'], survivors: SurvivorGroups): RetainerFinding {
  const keptBy = keeperOf(group);
  return {
    path: formatRetainerPath(group.path),
    ...(keptBy ? { keptBy } : {}),
    steps: group.path.map((step) => ({
      edgeType: step.edgeType,
      edge: step.edge,
      nodeType: step.nodeType,
      node: step.node,
      ...(step.location ? { file: step.location.file, line: step.location.line, ...(step.location.alsoAt ? { alsoAt: step.location.alsoAt } : {}) } : {}),
      ...(step.moduleScope ? { moduleScope: true as const } : {}),
      ...(step.wraps ? { wraps: wrapsOf(step.wraps) } : {}),
    })),
    heads: group.heads,
    objects: group.objects,
    selfBytes: group.selfBytes,
    ...(group.retainedBytes !== undefined ? { retainedBytes: group.retainedBytes } : {}),
    objectShare: survivors.objects > 0 ? group.objects / survivors.objects : 0,
    byteShare: survivors.bytes > 0 ? group.selfBytes / survivors.bytes : 0,
    constructors: group.constructors,
    locations: group.locations.slice(0, LOCATIONS_SHOWN).map((location) => ({ file: location.file, line: location.line })),
    match,
  };
}

function wrapsOf(wraps: NonNullable<RetainerGroup['path'][number]['wraps']>): NonNullable<RetainerFinding['steps'][number]['wraps']> {
  const at = wraps.location;
  return { kinds: wraps.kinds, function: wraps.function, ...(at ? { file: at.file, line: at.line, ...(at.alsoAt ? { alsoAt: at.alsoAt } : {}) } : {}) };
}
