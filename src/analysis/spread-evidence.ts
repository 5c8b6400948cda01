import type { GroupSeries } from './series.js';
import { enoughSamples } from './sample-evidence.js';
import type { WiderGroup } from './wider-groups.js';

/**
 * Whether a wider group's sampled evidence is spread over its parts: without any one of
 * them, the rest still gained enough sampled objects to carry a leak (enoughSamples, the
 * rule a site must pass). A function, file or package is reported as a leak spread thin,
 * none of its parts enough alone; the evidence of a sampled leak is the sampled objects
 * that survive, and the sum's trend test does not add any: it sees the staircases of all
 * parts at once, so one part's few survivors, a second part's one or two and the level of
 * parts that never moved (module-scope objects alive since the start) make a smoother
 * staircase, with a far smaller p-value than the part's own, from the same survivors.
 * winston's fixed version kept a few log strings for most of a 70 s run: one site gained 5
 * samples and failed its own size test, another gained 2; their file with six flat sites
 * passed (p 1e-8 against the site's 6e-5), a false alarm. A group whose survivors sit in
 * one part is that part's evidence, already judged at its own level; a leak spread over a
 * dozen sites keeps its survivors when any one site is left out. Exact sizes (Python)
 * count every object and skip this, as they skip enoughSamples.
 */
export function spreadOverParts(group: WiderGroup, siteOf: (key: string) => GroupSeries | undefined, sampled: boolean): boolean {
  if (!sampled) return true;
  return group.parts.every((part) => enoughSamples(without(group, part.map(siteOf)), true));
}

/** The group's counts and bytes less those of some of its sites. */
function without(group: GroupSeries, sites: readonly (GroupSeries | undefined)[]): Pick<GroupSeries, 'counts' | 'bytes'> {
  const counts = group.counts.map((segment) => Float64Array.from(segment));
  const bytes = group.bytes.map((segment) => Float64Array.from(segment));
  for (const site of sites) {
    if (!site) continue;
    site.counts.forEach((segment, s) => segment.forEach((value, i) => (counts[s]![i]! -= value)));
    site.bytes.forEach((segment, s) => segment.forEach((value, i) => (bytes[s]![i]! -= value)));
  }
  return { counts, bytes };
}
