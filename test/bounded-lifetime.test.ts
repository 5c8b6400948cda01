import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeRecordings } from '../src/index.js';
import { RecordingEncoder } from '../src/formats/recording.js';
import { readRecordingFile } from '../src/formats/recording-file.js';
import { Snapshot } from '../src/model/snapshot.js';
import { tempDir } from './temp-dir.js';
import { segmentBound } from '../src/analysis/bounded-lifetime.js';
import { Frame, Traceback } from '../src/model/index.js';
import type { Recording } from '../src/formats/recording.js';
import { inspectorRecording, INTERVAL } from './inspector-recording.js';
import { mulberry32, poisson } from './random.js';

const TICK_MS = 3000;
const START = Date.parse('2026-11-29T14:00:00.000Z');

/** A population of sampled objects: how many arrive before each tick, and how long each lives (ticks; Infinity: leaked). */
interface Population {
  arrivals(tick: number): number;
  lifetime(tick: number, index: number): number;
  /** Bytes each sample stands for at a tick (default: the sampling interval). */
  size?(tick: number): number;
}

/** What a site's row says at each tick, as the agent computes it from the samples' allocation order. */
interface SiteSeries {
  counts: Float64Array;
  bytes: Float64Array;
  deaths: Float64Array;
  oldest: Float64Array;
  ticks: Float64Array;
}

function simulate(ticks: number, ...populations: Population[]): SiteSeries {
  const out: SiteSeries = {
    counts: new Float64Array(ticks),
    bytes: new Float64Array(ticks),
    deaths: new Float64Array(ticks),
    oldest: new Float64Array(ticks),
    ticks: Float64Array.from({ length: ticks }, (_, i) => i),
  };
  const live: { born: number; dies: number; size: number }[] = [];
  for (let t = 0; t < ticks; t++) {
    for (const population of populations) {
      const n = population.arrivals(t);
      for (let k = 0; k < n; k++) live.push({ born: t, dies: t + population.lifetime(t, k), size: population.size?.(t) ?? INTERVAL });
    }
    for (let k = live.length - 1; k >= 0; k--) {
      const sample = live[k]!;
      if (sample.dies > t) continue;
      live.splice(k, 1);
      if (t - sample.born >= 3) out.deaths[t]! += 1; // old: seen alive in 3 snapshots or more
    }
    out.counts[t] = live.length;
    out.bytes[t] = live.reduce((sum, sample) => sum + sample.size, 0);
    out.oldest[t] = live.reduce((age, sample) => Math.max(age, t - sample.born), 0);
  }
  return out;
}

function bound(series: SiteSeries): number | undefined {
  return segmentBound(series.oldest, series.counts, series.bytes, series.deaths, series.ticks);
}

/** Connections kept 10 ticks by a timer (30 s at 3 s ticks), arriving a little faster as the run goes on. */
const heldTenTicks = (seed: number): Population => {
  const random = mulberry32(seed);
  return { arrivals: (t) => poisson(random, 0.35 + 0.02 * t), lifetime: () => 10 };
};

test('objects held 10 ticks by a timer, a rise over a 23-tick run with few samples (the socks shape): bounded at about their lifetime', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const series = simulate(23, heldTenTicks(seed));
    const found = bound(series);
    assert.ok(found !== undefined && found >= 9 && found <= 11, `seed ${seed}: ${found}, counts ${[...series.counts]}, oldest ${[...series.oldest]}`);
  }
});

test('the socks site seen in the fixed package (live samples 0,0,1,1,1,1,3,...,10, 5 old deaths) with ages of a 10-tick lifetime is bounded', () => {
  const counts = Float64Array.from([0, 0, 1, 1, 1, 1, 3, 3, 3, 5, 5, 5, 4, 5, 6, 5, 5, 7, 8, 8, 9, 9, 10]);
  // the first sample, seen at tick 2, lives 10 ticks; later ones too: the oldest age climbs to 9 and falls back
  const oldest = Float64Array.from([0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 6, 7, 8, 9, 9, 5, 6, 7, 8, 9, 9]);
  const deaths = Float64Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 2, 0, 0, 0, 0, 1]);
  const bytes = counts.map((count) => count * INTERVAL);
  assert.equal(segmentBound(oldest, counts, bytes, deaths, Float64Array.from(counts, (_, i) => i)), 9);
});

test('a leak at the same stack as short-lived objects is not bounded: its first sample outlives them all', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const random = mulberry32(100 + seed);
    // one arrival in six is kept for good: a leak of a sixth of what the site allocates
    const mixed: Population = { arrivals: (t) => poisson(random, 1.2 + 0.02 * t), lifetime: () => (random() < 1 / 6 ? Infinity : 4) };
    const series = simulate(40, mixed);
    assert.equal(bound(series), undefined, `seed ${seed}: oldest ${[...series.oldest]}`);
  }
});

test('a leak that starts late in the run, at the same stack as short-lived objects, is not bounded once its first sample outlives them', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const random = mulberry32(200 + seed);
    const transient: Population = { arrivals: () => poisson(random, 1), lifetime: () => 4 };
    const late: Population = { arrivals: (t) => (t >= 26 ? poisson(random, 0.5) : 0), lifetime: () => Infinity };
    const series = simulate(40, transient, late);
    // its first sample, from tick 26 on, is older than the transients' 4 ticks by more than a tick well before tick 40
    assert.equal(bound(series), undefined, `seed ${seed}: oldest ${[...series.oldest]}`);
  }
});

test('a structure that grows by reallocation (its sampled objects die young, replaced by bigger ones) is not bounded', () => {
  // a Buffer concatenated onto itself: one live sample, replaced every 5 ticks by one twice as big
  const growing: Population = { arrivals: (t) => (t % 5 === 0 ? 1 : 0), lifetime: () => 5, size: (t) => INTERVAL * 2 ** (t / 5) };
  const series = simulate(40, growing, { arrivals: (t) => (t === 2 ? 3 : 0), lifetime: () => 6 });
  assert.equal(bound(series), undefined, `oldest ${[...series.oldest]}, bytes ${[...series.bytes]}`);
  // the same population with objects of one size is bounded
  const steady = simulate(40, { ...growing, size: () => INTERVAL }, { arrivals: (t) => (t === 2 ? 3 : 0), lifetime: () => 6 });
  assert.equal(bound(steady), 5, 'objects of 6 ticks are seen in 6 snapshots: 5 ticks old at most');
});

test('a window too short to have seen the objects die, or no old deaths, is no evidence', () => {
  const random = mulberry32(7);
  // objects of 12 ticks in a 20-tick run: more than half the window
  assert.equal(bound(simulate(20, { arrivals: () => poisson(random, 1), lifetime: () => 12 })), undefined);
  // objects that all live 2 ticks: no old deaths counted (deaths count samples seen in 3 snapshots or more)
  assert.equal(bound(simulate(30, { arrivals: (t) => poisson(random, 0.5 + 0.1 * t), lifetime: () => 2 })), undefined);
});

/** A recording of one site from a simulated population, rows with the 4th and 5th columns. */
function recordingOf(series: SiteSeries, frames: Frame[], memory: (i: number) => number): Recording {
  return inspectorRecording([{ frames, ...series }], { start: START, tickMs: TICK_MS, heapUsed: memory });
}

const site = [new Frame('src/connections.js', 12, 'connect'), new Frame('src/main.js', 3, 'main')];

test('analyze: a site whose objects live a bounded time is not a leak, and says how long they live; with a leak mixed in it is', () => {
  // requests held 10 ticks, coming faster and faster (faster than they die: old deaths stay
  // below what the site gains, so it is no cache at its bound either): the trend test alone calls it a leak
  const random = mulberry32(11);
  const rising: Population = { arrivals: (t) => poisson(random, 0.3 * 1.15 ** t), lifetime: () => 10 };
  const series = simulate(40, rising);
  const heap = (i: number) => 30e6 + series.bytes[i]!;
  const bounded = analyzeRecordings([recordingOf(series, site, heap)]);
  assert.equal(bounded.verdict, 'no-leak', JSON.stringify(bounded.suspects.slice(0, 2)));
  // the heap rose with it: held by a site whose objects live 9 ticks at most (27 s)
  assert.equal(bounded.process.heapUsed.settled?.shortLived, 1, JSON.stringify(bounded.process.heapUsed));
  assert.equal(bounded.process.heapUsed.settled?.livesAtMostSeconds, (9 * TICK_MS) / 1000);
  // without the ages (an older recording), the same series is a leak: the ages are what clear it
  const { oldestAge: _ages, ...sampling } = recordingOf(series, site, heap).header.sampling;
  const older = recordingOf(series, site, heap);
  older.header = { ...older.header, sampling };
  assert.equal(analyzeRecordings([older]).verdict, 'leak');

  const leaking = simulate(40, rising, { arrivals: (t) => (t >= 3 && t % 2 === 0 ? 1 : 0), lifetime: () => Infinity });
  const verdict = analyzeRecordings([recordingOf(leaking, site, (i) => 30e6 + leaking.bytes[i]!)]);
  assert.equal(verdict.verdict, 'leak');
  assert.equal(`${verdict.suspects[0]?.file}:${verdict.suspects[0]?.line}`, 'src/connections.js:12');
});

test('the oldest live sample\'s age goes through the encoder and the reader; a long recording keeps the greatest age of each merged bucket', () => {
  const encoder = new RecordingEncoder();
  let text = encoder.encodeHeader({
    runtime: 'node', runtimeVersion: 'v20.0.0', pid: 7, hostname: 'web', service: 'proxy', argv: ['node', 'proxy.js'], cwd: '/srv',
    startTime: new Date(START).toISOString(), sampling: { sampler: 'inspector', intervalBytes: INTERVAL, stackDepth: 64, generations: true, oldestAge: true },
    limits: { heapLimitBytes: 4e9 }, agent: { name: 'heapsleuth', version: '0' },
  });
  const held = new Traceback(site);
  const kept = new Traceback([new Frame('src/registry.js', 4, 'keep')]);
  const metadata = { runtime: 'node' as const, takenAt: '', samplingIntervalBytes: INTERVAL, stackDepth: 64 };
  const TICKS = 1000;
  for (let t = 0; t < TICKS; t++) {
    const traces = [
      { traceback: held, size: 3 * INTERVAL, count: 3, ...(t % 7 > 0 ? { oldestAge: t % 7 } : {}), ...(t % 7 === 0 ? { oldDeaths: 2 } : {}) },
      { traceback: kept, size: (1 + t) * INTERVAL, count: 1 + t, ...(t > 0 ? { oldestAge: t } : {}) },
    ];
    const memory = { rss: 1e8, heapTotal: 6e7, heapUsed: 5e7, external: 0, arrayBuffers: 0 };
    text += encoder.encodeSample(new Snapshot(traces, metadata), { time: START + t * TICK_MS, memory });
    encoder.commit();
  }
  // the row as written: the 4th column (0 where none died) before the 5th
  assert.match(text, /"rows":\[\[0,196608,3,0,1\],\[1,131072,2,0,1\]\]/);
  const path = join(tempDir('heapsleuth-ages-'), 'proxy.ndjson');
  writeFileSync(path, text);
  const [recording] = readRecordingFile(path, { maxPointsPerLifetime: 400 });
  assert.equal(recording!.header.sampling.oldestAge, true);
  const samples = recording!.samples;
  assert.ok(samples.length < TICKS, 'merged into buckets');
  for (const sample of samples) {
    const last = sample.seq + (sample.ticks ?? 1) - 1;
    const ageOf = (id: number) => sample.rows.find((row) => row[0] === id)?.[4] ?? 0;
    // the leak's oldest sample is as old as its bucket's last tick; the held ones never older than 6 ticks
    assert.equal(ageOf(1), last);
    const greatest = Math.max(...Array.from({ length: sample.ticks ?? 1 }, (_, k) => (sample.seq + k) % 7));
    assert.equal(ageOf(0), greatest, `bucket at seq ${sample.seq}`);
  }
});
