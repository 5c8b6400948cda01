import { liveSamplesOnly } from '../analysis/live-samples.js';
import { runningPhase } from '../analysis/running-phase.js';
import { allocationSeries, type GroupSeries } from '../analysis/series.js';
import { turnsOver } from '../analysis/turnover.js';
import { levelRise } from '../analysis/sample-evidence.js';
import { boundedLifetime, MAX_SHARE_OF_SPAN } from '../analysis/bounded-lifetime.js';
import type { Suspect } from '../analysis/verdict.js';
import type { Recording } from '../formats/recording.js';

/**
 * The verdict clears a bounded lifetime once it spans at most half the window (two
 * generations seen, bounded-lifetime.ts); a site counts as dying of age as soon as one
 * generation was seen to end: every object older than the site's oldest live one has died.
 */
const LIFETIME_SEEN_SHARE = 1;

/** What the sampled objects of a suspect's allocation sites did over the window so far. */
export interface SuspectSites {
  /** Sites the suspect sums (one for a site or a stack). */
  sites: number;
  /** Samples they gained over the window (medians of blocks at both ends), summed. */
  gained: number;
  /**
   * Of those, what was gained by sites whose objects have not been seen to outlive a bounded
   * lifetime the verdict can clear: sites whose objects die of age (they turn over or live a
   * bounded time as the verdict judges each site, or have lived a bounded time so far in a
   * window still too short for the verdict to say so), and sites whose oldest live sample is at
   * most half the window old (the longest lifetime the verdict clears, MAX_SHARE_OF_SPAN).
   */
  unprovenGained: number;
}

/**
 * The suspect's allocation sites in the recording so far and what their sampled objects did,
 * for `run`'s retainer trigger (trigger-decision.ts). Undefined for a handle suspect, where the
 * recording does not carry sample ages (`sampling.generations` and `oldestAge`, the inspector
 * sampler), or where no site matches. Reads the analysis' own series and rules; decides
 * nothing about the verdict.
 */
export function suspectSites(recording: Recording, suspect: Suspect): SuspectSites | undefined {
  const { sampling } = recording.header;
  if (suspect.keyType === 'handle' || sampling.generations !== true || sampling.oldestAge !== true) return undefined;
  let series;
  try {
    series = allocationSeries([liveSamplesOnly(runningPhase(recording))]);
  } catch {
    return undefined;
  }
  const sites = sitesOf(series.lineno, suspect);
  const ticks = series.ticks[0];
  if (sites.length === 0 || !ticks || ticks.length < 2) return undefined;
  const span = ticks[ticks.length - 1]! - ticks[0]!;
  let gained = 0;
  let unprovenGained = 0;
  for (const site of sites) {
    const rise = riseOf(site.counts);
    gained += rise;
    const oldest = site.oldest?.[0];
    const young = oldest !== undefined && oldest.length > 0 && oldest[oldest.length - 1]! <= MAX_SHARE_OF_SPAN * span;
    if (young || turnsOver(site) || boundedLifetime(site, series, LIFETIME_SEEN_SHARE) !== undefined) unprovenGained += rise;
  }
  return { sites: sites.length, gained, unprovenGained };
}

/** Samples gained from the start to the end of each lifetime, summed (the evidence rule's levels). */
function riseOf(counts: readonly Float64Array[]): number {
  return counts.reduce((sum, values) => sum + levelRise(values), 0);
}

/**
 * The allocation sites a suspect stands for: the site itself, or the sites of its function,
 * file or package; a site blamed on the dependency the app calls, and a call into a
 * dependency, are the sites whose stack passes through the suspect's frame.
 */
function sitesOf(sites: readonly GroupSeries[], suspect: Suspect): GroupSeries[] {
  const { file, line } = suspect;
  switch (suspect.keyType) {
    case 'function':
      return sites.filter((site) => site.site.file === file && site.site.functionName === suspect.function);
    case 'file':
      return sites.filter((site) => site.site.file === file);
    case 'package':
      return sites.filter((site) => site.site.file.startsWith(`${file}/`));
    default: {
      const own = suspect.keyType === 'call' ? [] : sites.filter((site) => site.site.file === file && site.site.line === line);
      return own.length > 0 ? own : sites.filter((site) => site.biggestStack.frames.some((frame) => frame.file === file && frame.line === line));
    }
  }
}
