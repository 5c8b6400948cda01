import { analyzeRecordings, type AnalyzeOptions } from '../analysis/analyze.js';
import type { Suspect, Verdict, VerdictKind } from '../analysis/verdict.js';
import type { FleetLifetime } from './fleet-lifetimes.js';

/** A version of the service (the value of the `--by` label) and what the detective says of its lifetimes alone. */
export interface FleetVersion {
  name: string;
  /** When its first process started (ISO). */
  firstSeen: string;
  instances: number;
  lifetimes: number;
  verdict: VerdictKind;
  /** Why, as the verdict of those lifetimes alone says it. */
  reason: string;
}

export interface FleetSuspect extends Suspect {
  /** Versions whose lifetimes, judged alone, show this site leaking. */
  versions: string[];
  /** Versions judged alone in which it does not leak. */
  notIn: string[];
  /** The first process of the first version in which it leaks. */
  firstSeen: { time: string; version: string } | null;
}

export interface FleetProjection {
  /** The series projected: RSS against the container limit, or the used heap against V8's limit. */
  series: 'rss' | 'heapUsed' | 'none';
  limitBytes: number;
  /** Hours from a process's start to the limit at the pooled growth per instance; null when not growing or no limit. */
  hoursFromStartToLimit: number | null;
  /** Median hours a process lived in the window. */
  typicalLifetimeHours: number;
  /** Processes restart before they reach the limit: the restarts hide the leak. */
  hiddenByRestarts: boolean;
}

/** The fleet verdict: the verdict contract of docs/verdict.md, pooled over every instance's lifetimes, plus versions. */
export interface FleetVerdict extends Omit<Verdict, 'suspects'> {
  suspects: FleetSuspect[];
  fleet: {
    source: string;
    instances: number;
    lifetimes: number;
    /** The label that names versions, or null when none changes. */
    by: string | null;
    versions: FleetVersion[];
    projection: FleetProjection;
  };
}

/**
 * Points per lifetime the tests work on (bucket medians above it; the detective's default
 * is 200). The trend tests cost the square of the points per segment, and a fleet pools
 * hundreds of lifetimes: 60 points each cut the verdict's CPU time by about 40% on a
 * simulated 50-instance, 14-day fleet with the same verdict (bench/fleet/README.md).
 */
const FLEET_MAX_POINTS = 60;

/** Labels that are never versions even when they change at a restart. */
const NOT_VERSION = new Set(['instance', 'job', '__name__']);

/**
 * Judges every lifetime of every instance together (each a segment, never fitted across
 * a restart, pooled per site and per process series), then each version's lifetimes
 * alone, to tell which versions leak and where a leak first appeared.
 */
export function judgeFleet(lifetimes: FleetLifetime[], options: { source: string; by?: string; analyze?: AnalyzeOptions }): FleetVerdict {
  const analyze: AnalyzeOptions = { maxPoints: FLEET_MAX_POINTS, ...options.analyze };
  const pooled = analyzeRecordings(
    lifetimes.map((lifetime) => lifetime.recording),
    analyze,
  );
  const by = options.by ?? versionLabel(lifetimes);
  const versions = by ? groupByVersion(lifetimes, by) : [];
  const judgedVersions = versions.map((group) => ({
    ...group,
    verdict: analyzeRecordings(
      group.lifetimes.map((lifetime) => lifetime.recording),
      analyze,
    ),
  }));

  const suspects = pooled.suspects.map((suspect): FleetSuspect => {
    const leakingIn = judgedVersions.filter((version) => version.verdict.suspects.some((other) => sameSite(other, suspect)));
    const first = leakingIn[0];
    return {
      ...suspect,
      versions: leakingIn.map((version) => version.name),
      notIn: judgedVersions.filter((version) => version.verdict.verdict === 'no-leak').map((version) => version.name),
      firstSeen: first ? { time: first.firstSeen, version: first.name } : null,
    };
  });

  return {
    ...pooled,
    suspects,
    fleet: {
      source: options.source,
      instances: new Set(lifetimes.map((lifetime) => lifetime.instance)).size,
      lifetimes: lifetimes.length,
      by: by ?? null,
      versions: judgedVersions.map(({ name, firstSeen, instances, lifetimes: count, verdict }) => ({
        name,
        firstSeen,
        instances,
        lifetimes: count.length,
        verdict: verdict.verdict,
        reason: verdict.reason ?? '',
      })),
      projection: fleetProjection(pooled, lifetimes),
    },
  };
}

/** `version` when lifetimes carry it; else the first label whose value changes between lifetimes of one instance. */
export function versionLabel(lifetimes: readonly FleetLifetime[]): string | undefined {
  if (lifetimes.some((lifetime) => (lifetime.labels.version ?? '') !== '')) return 'version';
  const changing = new Set<string>();
  const byInstance = new Map<string, FleetLifetime[]>();
  for (const lifetime of lifetimes) byInstance.set(lifetime.instance, [...(byInstance.get(lifetime.instance) ?? []), lifetime]);
  for (const group of byInstance.values()) {
    for (let i = 1; i < group.length; i++) {
      for (const name of new Set([...Object.keys(group[i]!.labels), ...Object.keys(group[i - 1]!.labels)])) {
        if (!NOT_VERSION.has(name) && group[i]!.labels[name] !== group[i - 1]!.labels[name]) changing.add(name);
      }
    }
  }
  return [...changing].sort()[0];
}

function groupByVersion(lifetimes: readonly FleetLifetime[], by: string) {
  const groups = new Map<string, { name: string; firstSeen: string; lifetimes: FleetLifetime[]; instances: number }>();
  const ordered = [...lifetimes].sort((a, b) => Date.parse(a.recording.header.startTime) - Date.parse(b.recording.header.startTime));
  for (const lifetime of ordered) {
    const name = lifetime.labels[by] ?? lifetime.labels[`exported_${by}`] ?? '(none)';
    let group = groups.get(name);
    if (!group) groups.set(name, (group = { name, firstSeen: lifetime.recording.header.startTime, lifetimes: [], instances: 0 }));
    group.lifetimes.push(lifetime);
  }
  for (const group of groups.values()) group.instances = new Set(group.lifetimes.map((lifetime) => lifetime.instance)).size;
  return [...groups.values()];
}

function sameSite(a: Suspect, b: Suspect): boolean {
  return a.file === b.file && a.line === b.line && a.function === b.function;
}

function fleetProjection(pooled: Verdict, lifetimes: readonly FleetLifetime[]): FleetProjection {
  const spans = lifetimes.map(({ recording: { samples } }) => (samples.at(-1)!.time - samples[0]!.time) / 3_600_000);
  const typicalLifetimeHours = median(spans);
  const containerLimit = median(lifetimes.map((lifetime) => lifetime.recording.header.limits.cgroupLimitBytes ?? 0).filter((limit) => limit > 0));
  const heapLimit = median(lifetimes.map((lifetime) => lifetime.recording.header.limits.heapLimitBytes ?? 0).filter((limit) => limit > 0));
  const startOf = (field: 'rss' | 'heapUsed') => median(lifetimes.map(({ recording }) => recording.samples[0]!.process.memory[field]));
  const none: FleetProjection = { series: 'none', limitBytes: 0, hoursFromStartToLimit: null, typicalLifetimeHours, hiddenByRestarts: false };
  const project = (series: 'rss' | 'heapUsed', limitBytes: number): FleetProjection => {
    const growth = pooled.process[series].growthBytesPerHour;
    const hours = Math.max(0, (limitBytes - startOf(series)) / growth);
    return { series, limitBytes, hoursFromStartToLimit: hours, typicalLifetimeHours, hiddenByRestarts: hours > typicalLifetimeHours };
  };
  if (pooled.process.rss.leak && pooled.process.rss.growthBytesPerHour > 0 && containerLimit > 0) return project('rss', containerLimit);
  if (pooled.process.heapUsed.leak && pooled.process.heapUsed.growthBytesPerHour > 0 && heapLimit > 0) return project('heapUsed', heapLimit);
  return none;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
