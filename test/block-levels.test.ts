import { test } from 'node:test';
import assert from 'node:assert/strict';
import { processMemoryCriteria, resolveOptions } from '../src/analysis/analyze-options.js';
import { examineSeries, isLeak } from '../src/analysis/leak-test.js';
import { seriesShape } from '../src/analysis/series-shape.js';

const MiB = 1024 * 1024;
const options = resolveOptions();

// External memory of tmp's fixed version (bench/real-leaks, tmp-remove-callbacks), MiB per
// 3 s tick of its running phase: a level of about 8.4 MiB from 18 s on, with transient
// spikes, two of them in the last two ticks (Buffers already freed but still counted).
const TMP_FIXED_EXTERNAL = [
  1.7, 6.3, 3.2, 3.2, 3.1, 6.3, 8.4, 8.5, 8.4, 7.4, 8.4, 7.4, 9.4, 8.4, 8.4, 10.4, 10.4, 19.8, 8.8, 8.5, 8.4, 8.1, 15.7, 31.9,
];

const ticks = (values: readonly number[]) => ({
  times: values.map((_, i) => 1_800_000_000_000 + i * 3000),
  values: values.map((value) => value * MiB),
});

test('block floors: a level with upward spikes at the end has no late rise; block medians see one', () => {
  // twelve ticks at 10 MiB, the last two blocks of two each carrying one spike
  const segment = ticks([10, 10, 10, 10, 10, 10, 10, 10, 10, 30, 10, 30]);
  const byFloor = seriesShape([segment], 0, 'floor');
  const byMedian = seriesShape([segment], 0, 'median');
  assert.equal(byFloor.lateRise, 0);
  assert.equal(byMedian.lateRise, 10 * MiB);
});

test('block floors: two spikes in one block of the smoothed series are no fall back', () => {
  // the drawdown smooths by blocks of 3: the second block's median is a spike, its floor is not
  const values = [10, 10, 10, 30, 10, 30, 10, 10, 10, 10, 10, 10];
  const segment = ticks(values);
  assert.equal(seriesShape([segment], 0, 'median').maxDrawdown, 20 * MiB);
  assert.equal(seriesShape([segment], 0, 'floor').maxDrawdown, 0);
});

test("tmp's fixed external memory: judged on block floors, the warm-up is over and nothing persists", () => {
  const series = [ticks(TMP_FIXED_EXTERNAL)];
  const byMedian = examineSeries(series, processMemoryCriteria(options, undefined, 'median'));
  const byFloor = examineSeries(series, processMemoryCriteria(options, undefined, 'floor'));
  // block medians take the end level from the spikes (what called it a leak)
  assert.equal(byMedian.persistent, true);
  assert.equal(isLeak(byMedian, byMedian.pValue, options.fdr), true);
  // floors: start 1.7, middle 7.4, end 8.1 MiB: a warm-up that levelled off
  assert.ok(byFloor.shape!.lateRise < options.persistenceRatio * byFloor.shape!.earlyRise, JSON.stringify(byFloor.shape));
  assert.equal(byFloor.persistent, false);
  assert.equal(isLeak(byFloor, byFloor.pValue, options.fdr), false);
});

test('the same spikes over a floor that keeps rising are a leak on block floors', () => {
  // what tmp's fixed version would show if it also kept 0.5 MiB of Buffers every tick
  const leaking = TMP_FIXED_EXTERNAL.map((value, i) => value + 0.5 * i);
  const examination = examineSeries([ticks(leaking)], processMemoryCriteria(options, undefined, 'floor'));
  assert.equal(examination.persistent, true);
  assert.equal(examination.retained, true);
  assert.equal(isLeak(examination, examination.pValue, options.fdr), true);
});
