import type { LeakCriteria } from './leak-test.js';
import type { BlockLevel } from './series-shape.js';

const MiB = 1024 * 1024;

/** Settings of the detective; every one has a documented default (docs/verdict.md). */
export interface AnalyzeOptions {
  /** False discovery rate for each family of tests (allocation sites, whole stacks, process series). Default 0.01. */
  fdr?: number;
  /** Fewer samples than this (in process lifetimes of at least 3 samples) gives `inconclusive`. Default 10. */
  minSamples?: number;
  /** A shorter window (time covered by samples) gives `inconclusive`. Default 5 s. */
  minWindowSeconds?: number;
  /** Suspects reported at most. Default 20. */
  topSuspects?: number;
  /** Points per process lifetime the tests work on (bucket medians above it) and charts get. Default 200. */
  maxPoints?: number;
  /** Sampled heap estimates: a site must grow by at least this many sampling intervals. Default 2. */
  minGrowthSamples?: number;
  /** Sampled heap estimates: growth must exceed this many sampling noise std (sqrt(interval x level)). Default 3. */
  samplingNoiseZ?: number;
  /** Exact sizes (Python): a site must grow by at least this many bytes. Default 1 KiB. */
  minGrowthBytes?: number;
  /** Growth must exceed this many robust scales of the series' residuals around its trend. Default 2. */
  noiseZ?: number;
  /** Process memory: growth over the window must exceed this many bytes... Default 4 MiB. */
  processMinGrowthBytes?: number;
  /** ...and this share of the level it started from (RSS for the native gap). Default 0.05. */
  processMinGrowthRatio?: number;
  /**
   * While the JS heap or external memory leaks, the native gap is a leak of its own only
   * when it grows by more than this share of their growth. Default 0.25.
   */
  nativeGapShareOfJsGrowth?: number;
  /** Handles and open files: growth over the window of at least this many. Default 10. */
  minHandleGrowth?: number;
  /** Persistence: rise from the middle to the end at least this share of the rise from start to middle. Default 0.25. */
  persistenceRatio?: number;
  /** Retention: rise of the floor at least this share of what the slope predicts. Default 0.25. */
  retentionRatio?: number;
  /** Retention: the smoothed series falls back below its running maximum by at most this share of the growth. Default 0.34. */
  maxDrawdownRatio?: number;
  /** Retention of sampled heap sites: the raw series falls below its running maximum by at most this share of the growth. Default 0.75. */
  maxRawDrawdownRatio?: number;
  /**
   * Where the recording tells samples apart (the inspector sampler), a site whose old
   * sampled objects die as fast as it gains (a cache at its bound) is not a leak. Default true.
   */
  generations?: boolean;
  /**
   * The packages the app depends on directly (the names its package.json lists). A site
   * allocated in any other package is blamed on the innermost frame of a listed one on the
   * way out from the allocation (dependency-boundary.ts). Without it, the package the app's
   * own code called stands for the direct one. The CLI reads it from the package.json
   * nearest to the recorded working directory.
   */
  directDependencies?: readonly string[];
}

export type ResolvedOptions = Required<Omit<AnalyzeOptions, 'generations' | 'directDependencies'>> & { generations: boolean; directDependencies?: readonly string[] };

export const DEFAULT_ANALYZE_OPTIONS: ResolvedOptions = {
  fdr: 0.01,
  minSamples: 10,
  minWindowSeconds: 5,
  topSuspects: 20,
  maxPoints: 200,
  minGrowthSamples: 2,
  samplingNoiseZ: 3,
  minGrowthBytes: 1024,
  noiseZ: 2,
  processMinGrowthBytes: 4 * MiB,
  processMinGrowthRatio: 0.05,
  nativeGapShareOfJsGrowth: 0.25,
  minHandleGrowth: 10,
  persistenceRatio: 0.25,
  retentionRatio: 0.25,
  maxDrawdownRatio: 0.34,
  maxRawDrawdownRatio: 0.75,
  generations: true,
};

export function resolveOptions(options: AnalyzeOptions = {}): ResolvedOptions {
  const resolved = { ...DEFAULT_ANALYZE_OPTIONS };
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) (resolved as Record<string, unknown>)[key] = value;
  }
  return resolved;
}

/** Live bytes of an allocation group, sampled every `intervalBytes` (0: exact). */
export function allocationCriteria(options: ResolvedOptions, intervalBytes: number): LeakCriteria {
  return {
    ...shapeCriteria(options),
    ...(intervalBytes > 0 ? { maxRawDrawdownRatio: options.maxRawDrawdownRatio } : {}),
    resolution: intervalBytes,
    minGrowth: (startLevel) =>
      intervalBytes > 0
        ? Math.max(options.minGrowthSamples * intervalBytes, options.samplingNoiseZ * Math.sqrt(intervalBytes * Math.max(0, startLevel)))
        : options.minGrowthBytes,
  };
}

/**
 * A process memory series; `level` is what relative growth is measured against (RSS for
 * the native gap); `blockLevel` how its blocks give levels (floors for series whose
 * transients go up only: process-findings.ts).
 */
export function processMemoryCriteria(options: ResolvedOptions, level?: number, blockLevel: BlockLevel = 'median'): LeakCriteria {
  return {
    ...shapeCriteria(options),
    blockLevel,
    resolution: 0,
    minGrowth: (startLevel) => Math.max(options.processMinGrowthBytes, options.processMinGrowthRatio * Math.max(0, level ?? startLevel)),
  };
}

export function handleCriteria(options: ResolvedOptions): LeakCriteria {
  return { ...shapeCriteria(options), resolution: 1, minGrowth: () => options.minHandleGrowth };
}

function shapeCriteria(options: ResolvedOptions): Pick<LeakCriteria, 'noiseZ' | 'persistenceRatio' | 'retentionRatio' | 'maxDrawdownRatio'> {
  const { noiseZ, persistenceRatio, retentionRatio, maxDrawdownRatio } = options;
  return { noiseZ, persistenceRatio, retentionRatio, maxDrawdownRatio };
}
