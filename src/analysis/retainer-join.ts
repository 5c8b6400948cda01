import type { RetainerFinding, Suspect, TracebackEntry, Verdict } from './verdict.js';
import type { RetainerGroup } from '../snapshots/retainer-groups.js';
import { formatRetainerPath } from '../snapshots/path-text.js';

/** New survivors grouped by retainer path (what snapshots/ finds for two snapshots). */
export interface SurvivorGroups {
  objects: number;
  bytes: number;
  groups: RetainerGroup[];
}

const SCORE = { line: 3, constructor: 2, file: 1 } as const;
const PER_SUSPECT = 2;

/**
 * The verdict with each suspect's retainer groups: those whose objects' constructors or
 * closure locations meet the suspect's frames. A closure or constructor written at a
 * frame's line ties best, a constructor named like a frame's function next, code in one
 * of the frames' files last. At most two groups per suspect, the best tied and biggest first.
 */
export function attachRetainers(verdict: Verdict, survivors: SurvivorGroups): Verdict {
  const suspects = verdict.suspects.map((suspect): Suspect => {
    const matches = survivors.groups
      .map((group) => ({ group, match: matchOf(suspect, group) }))
      .filter((entry): entry is { group: RetainerGroup; match: RetainerFinding['match'] } => entry.match !== undefined)
      .sort((a, b) => SCORE[b.match] - SCORE[a.match] || b.group.selfBytes - a.group.selfBytes)
      .slice(0, PER_SUSPECT);
    if (matches.length === 0) return suspect;
    return { ...suspect, retainers: matches.map(({ group, match }) => finding(group, match, survivors)) };
  });
  return { ...verdict, suspects };
}

function frames(suspect: Suspect): TracebackEntry[] {
  return [{ file: suspect.file, line: suspect.line, function: suspect.function }, ...suspect.traceback];
}

function matchOf(suspect: Suspect, group: RetainerGroup): RetainerFinding['match'] | undefined {
  const all = frames(suspect).filter((frame) => frame.file && !frame.file.startsWith('node:'));
  const locations = [...group.locations, ...group.path.flatMap((step) => (step.location ? [step.location] : []))];
  if (locations.some((location) => all.some((frame) => frame.file === location.file && frame.line === location.line))) return 'line';
  const names = new Set(group.constructors.map((c) => constructorName(c.name)).concat(constructorName(group.path.at(-1)?.node ?? '')));
  if (all.some((frame) => frame.function && frame.function !== '(anonymous)' && names.has(frame.function.replace(/^new /, '').split('.').pop()!))) return 'constructor';
  if (locations.some((location) => all.some((frame) => frame.file === location.file))) return 'file';
  return undefined;
}

/** `(closure onDone)` -> `onDone`; `Session` stays. */
function constructorName(name: string): string {
  const closure = /^\(closure (.+)\)$/.exec(name);
  if (closure) return closure[1]!;
  return name.startsWith('(') ? '' : name;
}

function finding(group: RetainerGroup, match: RetainerFinding['match'], survivors: SurvivorGroups): RetainerFinding {
  return {
    path: formatRetainerPath(group.path),
    steps: group.path.map((step) => ({
      edgeType: step.edgeType,
      edge: step.edge,
      nodeType: step.nodeType,
      node: step.node,
      ...(step.location ? { file: step.location.file, line: step.location.line } : {}),
    })),
    heads: group.heads,
    objects: group.objects,
    selfBytes: group.selfBytes,
    ...(group.retainedBytes !== undefined ? { retainedBytes: group.retainedBytes } : {}),
    objectShare: survivors.objects > 0 ? group.objects / survivors.objects : 0,
    byteShare: survivors.bytes > 0 ? group.selfBytes / survivors.bytes : 0,
    constructors: group.constructors,
    locations: group.locations.map((location) => ({ file: location.file, line: location.line })),
    match,
  };
}
