import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hamedRaoFactor, increasePValue, mannKendall, pooledMannKendall, theilSenSlope, tieCorrectedVariance, trendTest } from '../src/analysis/trend.js';
import { benjaminiHochberg } from '../src/analysis/multiple-testing.js';
import { normalUpperTail } from '../src/analysis/normal-distribution.js';
import { downsampleSegment } from '../src/analysis/segment.js';
import { averageRanks, median } from '../src/analysis/order-statistics.js';

const close = (actual: number, expected: number, tolerance: number) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not within ${tolerance} of ${expected}`);
const at = (values: number[]) => ({ times: values.map((_, i) => i * 1000), values });

test('Mann-Kendall S and its variance on series checked by hand', () => {
  assert.deepEqual(mannKendall([1, 2, 3, 4, 5]), { n: 5, s: 10, variance: (5 * 4 * 15) / 18 });
  assert.equal(mannKendall([3, 1, 2]).s, -1);
  // ties: two pairs of equal values, [5*4*15 - 2*(2*1*9)] / 18
  const tied = mannKendall([1, 1, 2, 2, 3]);
  assert.equal(tied.s, 8);
  close(tied.variance, 264 / 18, 1e-12);
  assert.equal(tieCorrectedVariance([7, 7, 7]), 0);
});

test('one-sided p-value for an increase, with continuity correction', () => {
  close(normalUpperTail(0), 0.5, 1e-7);
  close(normalUpperTail(1.959964), 0.025, 1e-6);
  close(normalUpperTail(-1.959964), 0.975, 1e-6);
  close(normalUpperTail(5) / 2.866516e-7, 1, 1e-5);
  // S = 10, Var = 16.667: z = 9 / 4.0825 = 2.2045
  close(increasePValue(10, 50 / 3), 0.013745, 1e-5);
  close(increasePValue(1, 10), 0.5, 1e-7);
  assert.ok(increasePValue(-10, 50 / 3) > 0.98);
  assert.equal(increasePValue(0, 0), 1);
  close(pooledMannKendall([at([1, 2, 3, 4, 5])]).pValue, 0.013745, 1e-5);
});

test('Theil-Sen slope: the median pairwise slope, robust to an outlier, never across segments', () => {
  // slopes per ms: 0.001 x3 between the first three points, and three to the outlier
  assert.equal(theilSenSlope([{ times: [0, 1000, 2000, 3000], values: [0, 1, 2, 30] }]), 0.001 * 5.5);
  assert.equal(theilSenSlope([{ times: [0, 1000, 2000, 3000, 4000], values: [0, 1, 2, 3, 400] }]), 0.001);
  // two lifetimes, each rising 1 per second; the second starts far higher
  const segments = [at([0, 1, 2, 3]), { times: [10_000, 11_000, 12_000, 13_000], values: [100, 101, 102, 103] }];
  assert.equal(theilSenSlope(segments), 0.001);
  // subsampled pairs on a long line still give its slope
  const long = at(Array.from({ length: 400 }, (_, i) => 3 * i));
  assert.equal(theilSenSlope([long], 1000), 0.003);
});

test('Hamed-Rao: no inflation for a clean line or white noise, inflation for a slow wave', () => {
  assert.equal(hamedRaoFactor(at([1, 2, 3, 4, 5, 6, 7, 8]), 0.001), 1);
  const wave = at(Array.from({ length: 40 }, (_, i) => Math.sin((2 * Math.PI * i) / 20)));
  assert.ok(hamedRaoFactor(wave, 0) > 2, String(hamedRaoFactor(wave, 0)));
  // wiggles below the measurement resolution (one sampling interval) are not autocorrelated noise
  const wiggly = at(Array.from({ length: 40 }, (_, i) => i * 32768 + 1000 * Math.sin((2 * Math.PI * i) / 20)));
  assert.ok(hamedRaoFactor(wiggly, 32.768, 0) > 2);
  assert.equal(hamedRaoFactor(wiggly, 32.768, 32768), 1);
  // for a rise, the correction only raises p-values (which is what makes screening on plain Mann-Kendall safe)
  const risingWave = at(wave.values.map((value, i) => value + i * 0.05));
  const corrected = trendTest([risingWave]);
  assert.ok(corrected.pValue > pooledMannKendall([risingWave]).pValue);
  assert.ok(corrected.pValue < 0.5);
});

test('pooling over segments adds S and variances', () => {
  const a = at([1, 2, 3, 4, 5]);
  const pooled = pooledMannKendall([a, a]);
  assert.equal(pooled.s, 20);
  close(pooled.variance, 100 / 3, 1e-12);
});

test('Benjamini-Hochberg on a known example', () => {
  // sorted 0.005, 0.01, 0.03, 0.04 -> 0.02, 0.02, 0.04, 0.04
  assert.deepEqual(benjaminiHochberg([0.01, 0.04, 0.03, 0.005]), [0.02, 0.04, 0.04, 0.02]);
  assert.deepEqual(benjaminiHochberg([0.5]), [0.5]);
  assert.deepEqual(benjaminiHochberg([]), []);
  // monotone in p and never below it
  const adjusted = benjaminiHochberg([0.001, 0.002, 0.9, 0.04, 0.04]);
  assert.deepEqual(adjusted, [0.005, 0.005, 0.9, 0.05, 0.05]);
});

test('order statistics and downsampling by bucket medians', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
  assert.deepEqual(Array.from(averageRanks([10, 20, 10, 30])), [1.5, 3, 1.5, 4]);
  const values = Array.from({ length: 1000 }, (_, i) => (i === 500 ? 1e9 : i));
  const reduced = downsampleSegment({ times: values.map((_, i) => i), values }, 200);
  assert.equal(reduced.values.length, 200);
  assert.ok(Math.max(...Array.from(reduced.values)) < 1000, 'a lone spike does not survive a bucket median');
  assert.equal(reduced.values[0], 2);
  const short = { times: [1, 2], values: [3, 4] };
  assert.equal(downsampleSegment(short, 200), short);
});
