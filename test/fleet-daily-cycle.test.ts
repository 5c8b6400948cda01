import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MIN_SPAN_FOR_DAILY_CYCLE_MS, withoutDailyCycle } from '../src/fleet/daily-cycle.js';
import { instanceLifetimes } from '../src/fleet/fleet-lifetimes.js';
import type { RangeSeries } from '../src/fleet/prometheus-api.js';
import type { InstanceSeries } from '../src/fleet/read-fleet.js';

const HOUR = 3_600_000;
const MiB = 1024 * 1024;
const T0 = Date.UTC(2026, 10, 1, 7, 30);
const STEP = 10 * 60_000;

/** Restarts every 30 h: each lifetime has its own start level, a slope, and the fleet's daily cycle. */
function lifetimeStart(time: number): number {
  return T0 + Math.floor((time - T0) / (30 * HOUR)) * 30 * HOUR;
}
function series(hours: number, slopePerHour: number, cycleAmplitude: number): RangeSeries {
  const times: number[] = [];
  const values: number[] = [];
  for (let time = T0; time <= T0 + hours * HOUR; time += STEP) {
    times.push(time);
    const age = (time - lifetimeStart(time)) / HOUR;
    values.push(100 * MiB + slopePerHour * age + cycleAmplitude * Math.sin((2 * Math.PI * time) / (24 * HOUR)));
  }
  return { labels: { type: 'rss' }, times, values };
}
/** Least-squares slope per hour within each lifetime, averaged. */
function meanSlopePerHour(s: RangeSeries): number {
  const slopes: number[] = [];
  for (const start of new Set(s.times.map(lifetimeStart))) {
    const idx = s.times.map((t, i) => [t, i] as const).filter(([t]) => lifetimeStart(t) === start).map(([, i]) => i);
    if (idx.length < 10) continue;
    const mt = idx.reduce((a, i) => a + s.times[i]!, 0) / idx.length;
    const mv = idx.reduce((a, i) => a + s.values[i]!, 0) / idx.length;
    const num = idx.reduce((a, i) => a + (s.times[i]! - mt) * (s.values[i]! - mv), 0);
    const den = idx.reduce((a, i) => a + (s.times[i]! - mt) ** 2, 0);
    slopes.push((num / den) * HOUR);
  }
  return slopes.reduce((a, b) => a + b, 0) / slopes.length;
}

test('the daily cycle is taken out and a leak within lifetimes stays', () => {
  const leak = 1 * MiB;
  const adjusted = withoutDailyCycle(series(7 * 24, leak, 30 * MiB), lifetimeStart);
  const clean = series(7 * 24, leak, 0);
  const worst = Math.max(...adjusted.values.map((value, i) => Math.abs(value - clean.values[i]!)));
  assert.ok(worst < 0.01 * MiB, `the cycle should be gone; largest difference ${worst} bytes`);
  assert.ok(Math.abs(meanSlopePerHour(adjusted) - leak) < 0.01 * MiB, 'the slope within lifetimes must stay');
});

test('windows shorter than two days are left as they are', () => {
  const short = series((MIN_SPAN_FOR_DAILY_CYCLE_MS - STEP) / HOUR, 0, 30 * MiB);
  assert.equal(withoutDailyCycle(short, lifetimeStart), short);
});

test('instanceLifetimes leaves out the warm-up of each lifetime, by duration and by share', () => {
  const rss = series(3 * 24, 0, 0);
  const startTime = { labels: {}, times: rss.times, values: rss.times.map((time) => lifetimeStart(time) / 1000) };
  const instance: InstanceSeries = {
    instance: 'a:1',
    targetLabels: { job: 'j', instance: 'a:1' },
    info: [],
    startTime: [startTime],
    memory: [rss],
    sites: [],
    handles: [],
    limits: [],
    samplingInterval: [],
  };
  const firstAge = (options: Parameters<typeof instanceLifetimes>[2]) =>
    instanceLifetimes(instance, 'j', options).map(({ recording }) => (recording.samples[0]!.time - Date.parse(recording.header.startTime)) / HOUR);
  assert.ok(firstAge({}).every((age) => age < 1));
  assert.ok(firstAge({ warmupMs: 3 * HOUR }).every((age) => age >= 3));
  const byShare = instanceLifetimes(instance, 'j', { warmupShare: 0.5 });
  for (const { recording } of byShare) {
    const start = Date.parse(recording.header.startTime);
    const kept = (recording.samples.at(-1)!.time - recording.samples[0]!.time) / (recording.samples.at(-1)!.time - start);
    assert.ok(kept <= 0.5 + 1e-9, `at most the later half kept, got ${kept}`);
  }
});
