import { Frame } from '../src/model/frame.js';
import { Snapshot } from '../src/model/snapshot.js';
import { Traceback } from '../src/model/traceback.js';
import type { Trace } from '../src/model/trace.js';
import { Function as PprofFunction, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';

/** A small deterministic PRNG (mulberry32), so the synthetic snapshots are the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Traces over a pool of frames, like a service's: shared callers, several files, builtins and node: internals. */
export function syntheticSnapshot(seed: number, traces = 40, takenAt = '2024-05-01T12:34:56.789Z'): Snapshot {
  const random = prng(seed);
  const pool = [
    new Frame('src/cache.ts', 42, 'remember', 2),
    new Frame('src/routes/login.ts', 17, 'handle', 0),
    new Frame('src/server.ts', 5, '', 14),
    new Frame('node_modules/express/lib/router/layer.js', 95, 'handle_request', 4),
    new Frame('node:internal/timers', 512, 'processTimers', 6),
    new Frame('', 0, '(V8 API)', 0),
    new Frame('src/sessions.ts', 88, 'Session', 9),
  ];
  const seen = new Set<string>();
  const result: Trace[] = [];
  while (result.length < traces) {
    const depth = 1 + Math.floor(random() * 5);
    const frames = Array.from({ length: depth }, () => pool[Math.floor(random() * pool.length)]!);
    const traceback = new Traceback(frames);
    if (seen.has(traceback.key)) continue;
    seen.add(traceback.key);
    result.push({ traceback, size: 1 + Math.floor(random() * 5_000_000), count: 1 + Math.floor(random() * 400) });
  }
  return new Snapshot(result, { runtime: 'node', takenAt, samplingIntervalBytes: 65536, stackDepth: 64 });
}

/** Traces by traceback key, to compare snapshots regardless of order. */
export function tracesByKey(snapshot: Snapshot): Map<string, { size: number; count: number; frames: string }> {
  const map = new Map<string, { size: number; count: number; frames: string }>();
  for (const trace of snapshot.traces) {
    const known = map.get(trace.traceback.key);
    if (known) {
      known.size += trace.size;
      known.count += trace.count;
    } else {
      map.set(trace.traceback.key, { size: trace.size, count: trace.count, frames: trace.traceback.toString() });
    }
  }
  return map;
}


/** A heap profile built the way @datadog/pprof (and so Pyroscope's Node agent) serializes one. */
export function datadogStyleProfile(cwd: string, scale: number): Uint8Array {
  const strings = new StringTable();
  const fn = (id: number, name: string, file: string) =>
    new PprofFunction({ id, name: strings.dedup(name), systemName: strings.dedup(name), filename: strings.dedup(file) });
  const functions = [
    fn(1, '(anonymous)', `file://${cwd}/dist/server.js`),
    fn(2, 'handle', `${cwd}/dist/routes.js`),
    fn(3, 'remember', `${cwd}/dist/cache.js`),
    fn(4, 'parse', `${cwd}/node_modules/body-parser/lib/read.js`),
  ];
  const locations = [
    new Location({ id: 1, line: [new Line({ functionId: 1, line: 1 })] }),
    new Location({ id: 2, line: [new Line({ functionId: 2, line: 17 })] }),
    new Location({ id: 3, line: [new Line({ functionId: 3, line: 42 })] }),
    new Location({ id: 4, line: [new Line({ functionId: 4, line: 120 })] }),
  ];
  const objects = new ValueType({ type: strings.dedup('objects'), unit: strings.dedup('count') });
  const space = new ValueType({ type: strings.dedup('space'), unit: strings.dedup('bytes') });
  // One sample per allocation size, leaf first, values [count, count * size].
  const samples = [
    new Sample({ locationId: [3, 2, 1], value: [10 * scale, 10 * scale * 64] }),
    new Sample({ locationId: [3, 2, 1], value: [2 * scale, 2 * scale * 4096] }),
    new Sample({ locationId: [4, 2, 1], value: [5, 5 * 256] }),
  ];
  const profile = new Profile({
    sampleType: [objects, space],
    sample: samples,
    location: locations,
    function: functions,
    stringTable: strings,
    timeNanos: BigInt(Date.parse('2024-05-01T10:00:00Z') + scale * 60_000) * 1_000_000n,
    periodType: space,
    period: 524288,
  });
  return profile.encode();
}

