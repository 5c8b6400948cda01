import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Frame } from '../src/model/frame.js';
import { Snapshot } from '../src/model/snapshot.js';
import { Traceback } from '../src/model/traceback.js';
import { SiteSelection } from '../src/metrics/site-series.js';

const KiB = 1024;

/** Live bytes per site name at one tick, as a diff against the first tick. */
function sinceStart(now: Record<string, number>, start: Record<string, number>) {
  const snapshot = (sizes: Record<string, number>) =>
    new Snapshot(
      Object.entries(sizes).map(([name, size]) => ({ traceback: new Traceback([new Frame(`src/${name}.ts`, 1, name)]), size, count: size / KiB })),
      { runtime: 'node', takenAt: new Date(0).toISOString(), samplingIntervalBytes: KiB, stackDepth: 8 },
    );
  return snapshot(now).compareTo(snapshot(start), 'lineno');
}

test('a reported site stays reported when it falls back to where it started, so a backend sees its whole series', () => {
  const selection = new SiteSelection(2);
  const start = { noisy: 100 * KiB, leak: 100 * KiB, flat: 100 * KiB };
  const ticks = [
    { noisy: 110 * KiB, leak: 120 * KiB, flat: 100 * KiB },
    { noisy: 90 * KiB, leak: 140 * KiB, flat: 100 * KiB },
    { noisy: 105 * KiB, leak: 160 * KiB, flat: 100 * KiB },
  ];
  const reported = ticks.map((tick) => selection.select(sinceStart(tick, start), 60_000).map((site) => [site.site, site.liveBytes]));
  assert.deepEqual(reported, [
    [
      ['src/leak.ts:1 leak', 120 * KiB],
      ['src/noisy.ts:1 noisy', 110 * KiB],
    ],
    [
      ['src/leak.ts:1 leak', 140 * KiB],
      ['src/noisy.ts:1 noisy', 90 * KiB],
    ],
    [
      ['src/leak.ts:1 leak', 160 * KiB],
      ['src/noisy.ts:1 noisy', 105 * KiB],
    ],
  ]);
});

test('a reported site gives way only to sites that grew more, and never more than K are reported', () => {
  const selection = new SiteSelection(2);
  const start = { a: 0, b: 0, c: 0 };
  selection.select(sinceStart({ a: 10 * KiB, b: 5 * KiB, c: 0 }, start), 1000);
  const next = selection.select(sinceStart({ a: 10 * KiB, b: 0, c: 20 * KiB }, start), 2000);
  assert.deepEqual(
    next.map((site) => site.site),
    ['src/c.ts:1 c', 'src/a.ts:1 a'],
  );
});
