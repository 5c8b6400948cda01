import { median } from '../analysis/order-statistics.js';
import { liveSamplesOnly } from '../analysis/live-samples.js';
import { runningPhase } from '../analysis/running-phase.js';
import { allocationSeries, type GroupSeries } from '../analysis/series.js';
import { turnsOver } from '../analysis/turnover.js';
import { boundedLifetime } from '../analysis/bounded-lifetime.js';
import type { Suspect } from '../analysis/verdict.js';
import type { Recording } from '../formats/recording.js';

/**
 * The share of the suspect's gained samples, from which, when sites that the final verdict
 * already clears one by one carry it, the trigger waits.
 */
const SETTLED_SHARE = 0.5;

/** How the suspect's gain splits between its sites. */
export interface SuspectSites {
  /** Sites the suspect sums (one for a site or a stack). */
  sites: number;
  /** Samples they gained over the window so far (medians of blocks at both ends), summed. */
  gained: number;
  /** Of those, what sites gained whose objects turn over or live a bounded time (as findSuspects judges each site). */
  settledGained: number;
}

/**
 * Whether the trigger should wait: most of what the suspect gained was gained by sites whose
 * objects the final verdict's own rules (turnover.ts, bounded-lifetime.ts) already see dying
 * of age, while the suspect, a sum of them (a file, a package, a call into a dependency), still
 * rises in a window that is short for it: a few long-lived singletons at the same file keep
 * the sum's oldest sample as old as the window. Agents held 30 s by a timer look like this for
 * the first minute of a run (socks-proxy-agent's fixed version in bench/real-leaks); a heap
 * snapshot then pauses a healthy program for nothing, and the final verdict on the whole run
 * clears it. A leak's own sites never settle: their samples never die. Not an analysis rule:
 * the verdict is unchanged; this only decides when `run` asks for snapshots.
 */
export function turnoverPending(recording: Recording, suspect: Suspect): boolean {
  const split = suspectSites(recording, suspect);
  return split !== undefined && split.gained > 0 && split.settledGained >= SETTLED_SHARE * split.gained;
}

/** The suspect's sites and how their gain splits, or undefined where the recording does not tell samples apart or no site matches. */
export function suspectSites(recording: Recording, suspect: Suspect): SuspectSites | undefined {
  if (suspect.keyType === 'handle' || recording.header.sampling.generations !== true) return undefined;
  let series;
  try {
    series = allocationSeries([liveSamplesOnly(runningPhase(recording))]);
  } catch {
    return undefined;
  }
  const sites = sitesOf(series.lineno, suspect);
  if (sites.length === 0) return undefined;
  let gained = 0;
  let settledGained = 0;
  for (const site of sites) {
    const rise = riseOf(site.counts);
    gained += rise;
    if (turnsOver(site) || boundedLifetime(site, series) !== undefined) settledGained += rise;
  }
  return { sites: sites.length, gained, settledGained };
}

/** Samples gained from the start to the end of each lifetime (medians of blocks of a ninth of the points). */
function riseOf(counts: readonly Float64Array[]): number {
  let rise = 0;
  for (const values of counts) {
    const n = values.length;
    if (n < 2) continue;
    const block = Math.max(1, Math.round(n / 9));
    rise += Math.max(0, median(values.subarray(n - block, n)) - median(values.subarray(0, block)));
  }
  return rise;
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
