import { Frame } from '../model/frame.js';
import { generationsOfBoth, type GroupSeries } from './series.js';
import { lastValue } from './group-segments.js';

/** The levels above a site at which a leak spread over many sites is tested. */
export type WiderLevel = 'function' | 'file' | 'package';
export const WIDER_LEVELS: readonly WiderLevel[] = ['function', 'file', 'package'];

/** A group of sites (one function, file or package) with the summed series of its sites. */
export interface WiderGroup extends GroupSeries {
  level: WiderLevel;
  /** The `lineno` keys of the sites it sums. */
  members: string[];
  /** Its parts: the groups of the level below that it sums (functions or sites of a file, files or sites of a package), as the `lineno` keys of their sites. */
  parts: string[][];
}

/**
 * Sums the series of user-code sites by function (named functions only: V8's site is
 * already one function, Python's one line), by file, and by package (`node_modules/<pkg>`,
 * `site-packages/<pkg>`). A closure that keeps a whole request scope alive grows a dozen
 * sites in one file, none significant alone; their sum is. A group is kept only when it
 * sums at least two groups of the level below, so it never repeats a series tested already.
 */
export function widerGroups(sites: readonly GroupSeries[]): WiderGroup[] {
  const functions = sumBy(sites, 'function', (site) => (site.site.functionName ? `${site.site.file}\u0000${site.site.functionName}` : undefined));
  const functionOf = new Map<string, string>();
  for (const group of functions.all) for (const member of group.members) functionOf.set(member, group.key);
  const files = sumBy(sites, 'file', (site) => site.site.file, (site) => functionOf.get(site.key) ?? site.key);
  const fileOf = new Map<string, string>();
  for (const group of files.all) for (const member of group.members) fileOf.set(member, group.key);
  const packages = sumBy(sites, 'package', (site) => packageOf(site.site.file), (site) => fileOf.get(site.key) ?? site.site.file);
  return [...functions.kept, ...files.kept, ...packages.kept];
}

/** `node_modules/@scope/pkg`, `node_modules/pkg`, `site-packages/pkg`, or undefined for the app's own files. */
export function packageOf(file: string): string | undefined {
  const match = /^(.*?(?:node_modules|site-packages)\/(?:@[^/]+\/)?[^/]+)\//.exec(file);
  return match?.[1];
}

function sumBy(
  sites: readonly GroupSeries[],
  level: WiderLevel,
  keyOf: (site: GroupSeries) => string | undefined,
  childOf: (site: GroupSeries) => string = (site) => site.key,
): { all: WiderGroup[]; kept: WiderGroup[] } {
  const groups = new Map<string, { group: WiderGroup; children: Map<string, string[]>; biggest: number }>();
  for (const site of sites) {
    const key = keyOf(site);
    if (key === undefined) continue;
    let entry = groups.get(key);
    if (!entry) {
      const group: WiderGroup = {
        level,
        members: [],
        parts: [],
        keyType: 'lineno',
        key: `${level}\u0000${key}`,
        site: new Frame(level === 'package' ? key : site.site.file, site.site.line, level === 'function' ? site.site.functionName : ''),
        linenoKey: `${level}\u0000${key}`,
        bytes: site.bytes.map((segment) => new Float64Array(segment.length)),
        counts: site.counts.map((segment) => new Float64Array(segment.length)),
        deaths: site.deaths.map((segment) => new Float64Array(segment.length)),
        ...(site.oldest ? { oldest: site.oldest.map((segment) => new Float64Array(segment.length)) } : {}),
        biggestStack: site.biggestStack,
        stackCount: 0,
      };
      entry = { group, children: new Map(), biggest: -Infinity };
      groups.set(key, entry);
    }
    const { group } = entry;
    group.members.push(site.key);
    group.stackCount += site.stackCount;
    const child = childOf(site);
    const part = entry.children.get(child);
    if (part) part.push(site.key);
    else entry.children.set(child, [site.key]);
    site.bytes.forEach((segment, s) => segment.forEach((value, i) => (group.bytes[s]![i]! += value)));
    site.counts.forEach((segment, s) => segment.forEach((value, i) => (group.counts[s]![i]! += value)));
    site.deaths.forEach((segment, s) => segment.forEach((value, i) => (group.deaths[s]![i]! += value)));
    generationsOfBoth(group, site);
    const last = lastValue(site.bytes);
    if (last > entry.biggest) {
      entry.biggest = last;
      group.biggestStack = site.biggestStack;
      // The line shown is the biggest site's, so that a file-level finding still opens somewhere useful.
      group.site = new Frame(group.site.file, site.site.line, group.site.functionName);
    }
  }
  for (const entry of groups.values()) entry.group.parts = [...entry.children.values()];
  const all = [...groups.values()].map((entry) => entry.group);
  const kept = [...groups.values()].filter((entry) => entry.children.size >= 2).map((entry) => entry.group);
  return { all, kept };
}
