import { Frame, Traceback } from '../src/model/index.js';
import type { Recording, RecordingSample, SampleRow } from '../src/formats/recording.js';

export const INTERVAL = 64 * 1024;

/** One allocation site's rows at every tick, as the inspector sampler writes them. */
export interface SiteRows {
  frames: readonly Frame[];
  bytes: ArrayLike<number>;
  counts: ArrayLike<number>;
  /** Old sampled objects that died since the previous tick (0 where absent). */
  deaths?: ArrayLike<number>;
  /** The oldest live sample's age in ticks (0 where absent). */
  oldest?: ArrayLike<number>;
}

export interface RecordingOptions {
  start: number;
  tickMs: number;
  /** The used heap at tick i, given what the sites hold then. */
  heapUsed(i: number, held: number): number;
}

/**
 * A recording as the reader returns it from the inspector sampler (rows with old deaths and
 * the oldest live sample's age), built in memory: one stack per site, RSS and external flat.
 */
export function inspectorRecording(sites: readonly SiteRows[], { start, tickMs, heapUsed }: RecordingOptions): Recording {
  const ticks = sites[0]!.counts.length;
  const samples: RecordingSample[] = Array.from({ length: ticks }, (_, i) => {
    const rows: SampleRow[] = [];
    let held = 0;
    sites.forEach((site, id) => {
      const died = site.deaths?.[i] ?? 0;
      held += site.bytes[i]!;
      if (site.counts[i]! > 0 || died > 0) rows.push([id, site.bytes[i]!, site.counts[i]!, died, site.oldest?.[i] ?? 0]);
    });
    const time = start + i * tickMs;
    return { seq: i, time, process: { time, memory: { rss: 120e6, heapTotal: 64e6, heapUsed: heapUsed(i, held), external: 2e6, arrayBuffers: 1e4 } }, rows };
  });
  return {
    source: 'workload-4242.ndjson',
    header: {
      type: 'header',
      format: 'heapsleuth-recording',
      version: 2,
      runtime: 'node',
      runtimeVersion: 'v20.20.2',
      pid: 4242,
      hostname: 'worker-1',
      service: 'workload',
      argv: ['node', 'workload.js'],
      cwd: '/srv/workload',
      startTime: new Date(start - 500).toISOString(),
      sampling: { sampler: 'inspector', intervalBytes: INTERVAL, stackDepth: 64, generations: true, oldestAge: true },
      limits: { heapLimitBytes: 4096 * 1024 * 1024 },
      agent: { name: 'heapsleuth', version: '0.1.0' },
    },
    stacks: new Map(sites.map((site, id) => [id, new Traceback([...site.frames])])),
    samples,
    warnings: [],
  };
}
