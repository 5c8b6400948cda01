import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RecordingDecoder } from '../src/formats/recording-decoder.js';
import { RecordingCollector, RecordingEncoder, type SampleDetails } from '../src/formats/recording.js';
import { readRecordingFile } from '../src/formats/recording-file.js';
import { DEFAULT_POINTS_PER_LIFETIME, ReducingCollector } from '../src/formats/recording-reducer.js';
import { analyzeRecordings, type Verdict } from '../src/index.js';
import { Frame, Snapshot, Traceback } from '../src/model/index.js';
import type { Trace } from '../src/model/trace.js';
import { cliPath, runNode } from './child-process.js';
import { gaussian, mulberry32 } from './random.js';
import { tempDir } from './temp-dir.js';

const MINUTE = 60_000;
const INTERVAL = 65536;

interface Service {
  /** One-minute ticks per process lifetime. */
  ticks: number;
  lifetimes?: number;
  leaking: boolean;
  seed: number;
}

const stacks = Array.from(
  { length: 40 },
  (_, i) => new Traceback([new Frame(`src/part-${i % 7}.js`, 10 + i, `fn${i}`, 3), new Frame('src/server.js', 80 + (i % 5), 'handle', 1), new Frame('node:internal/timers', 1, 'listOnTimeout', 0)]),
);
const timerStack = new Traceback([new Frame('node:internal/timers', 1, 'Timeout', 0), new Frame('src/poller.js', 12, 'schedule', 5)]);

/**
 * A service's recording written by the real encoder, as the agent writes it: noisy sampled
 * sites, a cache that fills and then turns over (old deaths), a slow leak at
 * src/part-3.js:13 when `leaking`, timer creation sites, and a final tick at exit that frees memory.
 */
function serviceRecording({ ticks, lifetimes = 1, leaking, seed }: Service): string {
  const random = mulberry32(seed);
  let text = '';
  for (let life = 0; life < lifetimes; life++) {
    const encoder = new RecordingEncoder();
    const start = Date.UTC(2026, 9, 1) + life * (ticks + 30) * MINUTE;
    text += encoder.encodeHeader({
      runtime: 'node', runtimeVersion: 'v20.0.0', pid: 4000 + life, hostname: 'web', service: 'checkout', argv: ['node', 'server.js'], cwd: '/srv',
      startTime: new Date(start).toISOString(), sampling: { sampler: 'inspector', intervalBytes: INTERVAL, stackDepth: 64, generations: true },
      limits: { heapLimitBytes: 4e9 }, agent: { name: 'heapsleuth', version: '0' },
    });
    const metadata = { runtime: 'node' as const, takenAt: '', samplingIntervalBytes: INTERVAL, stackDepth: 64 };
    for (let t = 0; t <= ticks; t++) {
      const final = t === ticks;
      const traces: Trace[] = stacks.map((traceback, i) => {
        const level = INTERVAL * (2 + (i % 9));
        let size = Math.max(0, level + gaussian(random) * Math.sqrt(INTERVAL * level));
        let oldDeaths = 0;
        if (i === 3 && leaking) size += t * 4096;
        if (i === 5) {
          size = Math.min(t, ticks / 10) * 8192 + random() * INTERVAL; // a cache that fills, then evicts as it gains
          if (t > ticks / 10 && random() < 0.3) oldDeaths = 1;
        }
        if (final) size /= 4;
        return { traceback, size: Math.round(size), count: Math.max(1, Math.round(size / INTERVAL)), ...(oldDeaths ? { oldDeaths } : {}) };
      });
      const heapUsed = 50e6 + (leaking ? t * 4096 : 0) + random() * 2e6;
      const timers = 6 + Math.round(random() * 3);
      const details: SampleDetails = {
        tickMs: 2 + random(),
        ...(final ? { final: 'SIGTERM' } : {}),
        ...(t % 50 === 0 ? { handleSites: { Timeout: [{ traceback: timerStack, live: timers }] } } : {}),
      };
      const processSample = {
        time: start + t * MINUTE,
        memory: { rss: heapUsed + 80e6, heapTotal: heapUsed + 10e6, heapUsed: final ? heapUsed / 2 : heapUsed, external: 2e6, arrayBuffers: 1e5 },
        handles: { Timeout: timers, TCPSocketWrap: 3 },
        openFds: 20,
      };
      text += encoder.encodeSample(new Snapshot(traces, metadata), processSample, details);
      encoder.commit();
    }
    text += encoder.encodeEnd({ time: start + (ticks + 1) * MINUTE, reason: 'SIGTERM' });
  }
  return text;
}

function tempFile(name: string, text: string): { path: string; done: () => void } {
  const dir = tempDir('heapsleuth-reduction-');
  const path = join(dir, name);
  writeFileSync(path, text);
  return { path, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The verdict of `heapsleuth analyze --json` (the user's path: reads the file in bounded memory). */
async function analyzeCli(path: string): Promise<Verdict> {
  const out = join(path, '..', 'verdict.json');
  const result = await runNode([cliPath, 'analyze', path, '--json', out], { timeoutMs: 120_000 });
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(readFileSync(out, 'utf8')) as Verdict;
}

for (const service of [
  { ticks: 1500, leaking: true, seed: 1 },
  { ticks: 1500, leaking: false, seed: 2 },
  { ticks: 900, lifetimes: 3, leaking: true, seed: 3 },
] satisfies Service[]) {
  const name = `${service.leaking ? 'a leak' : 'no leak'} over ${service.lifetimes ?? 1} lifetime(s) of ${service.ticks} ticks`;
  test(`analyze of a recording longer than it keeps in memory gives the verdict of the whole recording: ${name}`, async () => {
    const { path, done } = tempFile('checkout.ndjson', serviceRecording(service));
    try {
      const whole = readRecordingFile(path);
      const reduced = readRecordingFile(path, { maxPointsPerLifetime: DEFAULT_POINTS_PER_LIFETIME });
      for (const [i, recording] of reduced.entries()) {
        assert.ok(recording.samples.length < whole[i]!.samples.length, 'the lifetime was reduced');
        assert.ok(recording.samples.length <= DEFAULT_POINTS_PER_LIFETIME + 4, `${recording.samples.length} points kept`);
        const ticks = recording.samples.reduce((sum, sample) => sum + (sample.ticks ?? 1), 0);
        assert.equal(ticks, whole[i]!.samples.length, 'the points stand for every tick');
        assert.deepEqual(JSON.stringify(recording.samples.at(-1)), JSON.stringify(whole[i]!.samples.at(-1)), 'the final tick is kept as it was');
      }
      const expected = analyzeRecordings(whole);
      const got = await analyzeCli(path);
      assert.equal(expected.verdict, service.leaking ? 'leak' : 'no-leak', expected.reason);
      assert.equal(got.verdict, expected.verdict, got.reason);
      assert.deepEqual(got.window, expected.window);
      assert.equal(got.restarts.length, expected.restarts.length);
      assert.deepEqual(got.teardown, expected.teardown);
      const top = (verdict: Verdict) => verdict.suspects.filter((suspect) => suspect.keyType !== 'handle').map(({ keyType, file, line }) => ({ keyType, file, line }))[0];
      assert.deepEqual(top(got), top(expected));
      if (service.leaking) assert.deepEqual(top(got), { keyType: 'lineno', file: 'src/part-3.js', line: 13 });
      assert.deepEqual(
        got.handles.map((handle) => [handle.type, handle.leak, handle.createdAt?.file, handle.createdAt?.line]),
        expected.handles.map((handle) => [handle.type, handle.leak, handle.createdAt?.file, handle.createdAt?.line]),
      );
      assert.equal(got.process.heapUsed.leak, expected.process.heapUsed.leak);
    } finally {
      done();
    }
  });
}

test('a recording no longer than the points kept reads exactly as the whole recording', () => {
  const text = serviceRecording({ ticks: 300, lifetimes: 2, leaking: true, seed: 4 });
  const read = (collector: RecordingCollector | ReducingCollector) => {
    const decoder = new RecordingDecoder('r', collector);
    decoder.push(Buffer.from(text));
    decoder.finish();
    return collector.recordings(decoder.warnings);
  };
  const whole = read(new RecordingCollector('r'));
  const reduced = read(new ReducingCollector('r', 400));
  assert.equal(reduced.length, 2);
  assert.equal(JSON.stringify(reduced), JSON.stringify(whole));
  assert.deepEqual(analyzeRecordings(reduced), analyzeRecordings(whole));
});

test('memory stays bounded: points kept per lifetime stay under the bound however many ticks stream in', () => {
  const text = Buffer.from(serviceRecording({ ticks: 5000, leaking: true, seed: 5 }));
  const bound = 32;
  const collector = new ReducingCollector('r', bound);
  const decoder = new RecordingDecoder('r', collector);
  let most = 0;
  // a chunk of about one tick at a time, as a file streams in
  for (let at = 0; at < text.length; at += 4096) {
    decoder.push(text.subarray(at, at + 4096));
    most = Math.max(most, collector.retainedPoints);
  }
  decoder.finish();
  // the bucket being filled, the first and the newest tick, and the final tick come on top of the bound
  assert.ok(most <= bound + 4, `kept ${most} points at most`);
  const [recording] = collector.recordings(decoder.warnings);
  assert.equal(recording!.samples.reduce((sum, sample) => sum + (sample.ticks ?? 1), 0), 5001);
  assert.ok(recording!.samples.length >= bound / 2, 'at least half the bound is kept');
  const widths = new Set(recording!.samples.slice(1, -3).map((sample) => sample.ticks));
  assert.equal(widths.size, 1, `buckets of one width: ${[...widths].join(', ')}`);
  assert.equal(recording!.samples.at(-1)!.final, 'SIGTERM');
  assert.equal(recording!.samples[0]!.ticks, undefined, 'the first tick is kept as it was');
});

test('ticks that may count dead objects give a bucket no rows while it holds a live-only tick', () => {
  const random = mulberry32(6);
  const encoder = new RecordingEncoder();
  let text = encoder.encodeHeader({
    runtime: 'node', runtimeVersion: 'v20.0.0', pid: 7, hostname: 'web', service: 'checkout', argv: [], cwd: '/srv',
    startTime: new Date(0).toISOString(), sampling: { sampler: 'native', intervalBytes: INTERVAL, stackDepth: 64 }, limits: {}, agent: { name: 'heapsleuth', version: '0' },
  });
  const metadata = { runtime: 'node' as const, takenAt: '', samplingIntervalBytes: INTERVAL, stackDepth: 64 };
  const level = 40 * INTERVAL;
  for (let t = 0; t < 1000; t++) {
    // every third tick read without a GC counts ten times the garbage
    const live = t % 3 !== 0;
    const traces = [{ traceback: stacks[0]!, size: Math.round((live ? level : 10 * level) + random() * INTERVAL), count: 40 }];
    const memory = { rss: 2e8, heapTotal: 1e8, heapUsed: 9e7, external: 1e6, arrayBuffers: 1e5 };
    text += encoder.encodeSample(new Snapshot(traces, metadata), { time: t * MINUTE, memory }, live ? {} : { liveOnly: false });
    encoder.commit();
  }
  const collector = new ReducingCollector('r', 40);
  const decoder = new RecordingDecoder('r', collector);
  decoder.push(Buffer.from(text));
  decoder.finish();
  const [recording] = collector.recordings(decoder.warnings);
  const merged = recording!.samples.filter((sample) => (sample.ticks ?? 1) > 1);
  assert.ok(merged.length > 10);
  for (const sample of merged) {
    assert.equal(sample.liveOnly, undefined, 'a bucket with live-only ticks is live-only');
    const bytes = sample.rows[0]![1];
    assert.ok(bytes >= level && bytes < level + INTERVAL, `bucket of ${sample.ticks} ticks holds ${bytes} bytes, the live level`);
  }
});
