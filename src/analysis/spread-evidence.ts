import type { GroupSeries } from './series.js';
import { gainedSamples, MIN_GAINED_SAMPLES, objectsGrew } from './sample-evidence.js';
import type { WiderGroup } from './wider-groups.js';

/**
 * Whether a wider group's sampled evidence is spread over its parts: it, and the rest
 * without any one of them, gained enough sampled objects to carry a leak (the rule a site
 * must pass, sample-evidence.ts). A function, file or package is reported as a leak spread thin,
 * none of its parts enough alone; the evidence of a sampled leak is the sampled objects
 * that survive, and the sum's trend test does not add any: it sees the staircases of all
 * parts at once, so one part's few survivors, a second part's one or two and the level of
 * parts that never moved (module-scope objects alive since the start) make a smoother
 * staircase, with a far smaller p-value than the part's own, from the same survivors.
 * winston's fixed version kept a few log strings for most of a 70 s run: one site gained 5
 * samples and failed its own size test, another gained 2; their file with six flat sites
 * passed (p 1e-8 against the site's 6e-5), a false alarm. A group whose survivors sit in
 * one part is that part's evidence, already judged at its own level; a leak spread over a
 * dozen sites keeps its survivors when any one site is left out. (The used heap is no
 * arbiter: it rose with that file, too little for its own 4 MiB floor; tying wider groups
 * to it would blind them to small leaks in big heaps, which sites are for.) Exact sizes
 * (Python) count every object and skip this, as they skip enoughSamples.
 */
export function spreadOverParts(group: WiderGroup, siteOf: (key: string) => GroupSeries | undefined, sampled: boolean): boolean {
  if (!sampled) return true;
  const parts = group.parts.map((part) => part.map(siteOf).filter((site): site is GroupSeries => site !== undefined));
  // bytes per sample are judged per site: a sum's change with its mix of sites (a few big
  // strings joining many small objects) is no object that grows
  const grew = parts.map((sites) => sites.some(objectsGrew));
  const carried = (left: number) => grew.some((grown, i) => grown && i !== left) || gainedSamples(without(group, parts[left] ?? [])) >= MIN_GAINED_SAMPLES;
  return carried(-1) && parts.every((_, i) => carried(i));
}

/** The group's counts, bytes and old deaths less those of some of its sites. */
function without(group: GroupSeries, sites: readonly GroupSeries[]): Pick<GroupSeries, 'counts' | 'bytes' | 'deaths'> {
  const [counts, bytes, deaths] = [group.counts, group.bytes, group.deaths].map((series) => series.map((segment) => Float64Array.from(segment))) as [
    Float64Array[],
    Float64Array[],
    Float64Array[],
  ];
  for (const site of sites) {
    site.counts.forEach((segment, s) => segment.forEach((value, i) => (counts[s]![i]! -= value)));
    site.bytes.forEach((segment, s) => segment.forEach((value, i) => (bytes[s]![i]! -= value)));
    site.deaths.forEach((segment, s) => segment.forEach((value, i) => (deaths[s]![i]! -= value)));
  }
  return { counts, bytes, deaths };
}
