import type { Suspect } from './verdict.js';

/** A ranked suspect with what the ranking needs to know of its group. */
export interface RankedSuspect {
  suspect: Suspect;
  /** The group's key (a site's `lineno` key). */
  key: string;
  /** For a `call`: the keys of the sites it sums. */
  members?: readonly string[];
}

/**
 * Final ranks, so that the top ranks count distinct places: a site that a call ranked
 * above it already sums is the same leak told twice, so it moves after every suspect that
 * is not summed so (keeping their order); reports show it under its call as well. So does
 * a site blamed on the dependency the app uses (`allocatedIn`) at a place a suspect above
 * it already names: another allocation in a dependency of that package, reached through
 * the same code. Otherwise the order is the one given (by expected growth).
 */
export function distinctPlacesFirst(ranked: readonly RankedSuspect[]): Suspect[] {
  const summed = new Set<string>();
  const named = new Set<string>();
  const places: Suspect[] = [];
  const members: Suspect[] = [];
  for (const { suspect, key, members: sums } of ranked) {
    const place = `${suspect.file}\u0000${suspect.line}\u0000${suspect.function}`;
    if ((suspect.keyType === 'lineno' && summed.has(key)) || (suspect.allocatedIn && named.has(place))) members.push(suspect);
    else places.push(suspect);
    named.add(place);
    for (const member of sums ?? []) summed.add(member);
  }
  const suspects = [...places, ...members];
  suspects.forEach((suspect, i) => (suspect.rank = i + 1));
  return suspects;
}
