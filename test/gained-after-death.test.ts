import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeRecordings, Frame } from 'heapsleuth';
import type { Recording } from '../src/formats/recording.js';
import { inspectorRecording, INTERVAL } from './inspector-recording.js';

const TICK_MS = 3000;
const START = Date.parse('2026-11-29T16:28:28.000Z');

const numbers = (text: string) => text.trim().split(/\s+/).map(Number);

/** One site's rows at every tick, as the inspector sampler writes them: live samples, old deaths, the oldest live sample's age. */
interface SiteRows {
  counts: number[];
  deaths: number[];
  oldest: number[];
}

const SITE = new Frame('node_modules/socks-proxy-agent/dist/index.js', 111, 'SocksProxyAgent');

/** A recording of one allocation site in a heap that levels off at 24 MB, as in the real run. */
function recordingOf(site: SiteRows): Recording {
  const bytes = site.counts.map((count) => count * INTERVAL);
  return inspectorRecording([{ ...site, frames: [SITE], bytes }], { start: START, tickMs: TICK_MS, heapUsed: (i) => 24e6 - 19e6 * Math.exp(-i / 3) });
}

// socks-proxy-agent 6.2.0-beta.1 (the fixed version, bench/real-leaks), 23 running ticks of a 70 s run:
// an agent per request, each kept about 30 s by its connection's timer. Few samples; two of them are
// seen dying old (ticks 12 and 22): 5 samples gained from the start, 3 once the two deaths are counted.
const SOCKS_FIXED: SiteRows = {
  counts: numbers('0 0 1 1 1 1 1 1 1 1 2 2 2 2 3 3 3 3 3 5 5 5 4'),
  deaths: numbers('0 0 0 0 0 0 0 0 0 0 0 0 1 0 0 0 0 0 0 0 0 0 1'),
  oldest: numbers('0 0 0 1 2 3 4 5 6 7 8 9 2 3 4 5 6 7 8 9 10 11 12'),
};

const suspectedSites = (site: SiteRows) => analyzeRecordings([recordingOf(site)]).suspects.filter((suspect) => suspect.file === SITE.file);

test('objects seen dying of age: each old death is one gained sample less of evidence (socks-proxy-agent\'s fixed version)', () => {
  assert.deepEqual(suspectedSites(SOCKS_FIXED), []);
});

test('the same rise with no sample ever dying is a leak: the rule reads deaths, not the shape', () => {
  const kept: SiteRows = { counts: SOCKS_FIXED.counts, deaths: SOCKS_FIXED.counts.map(() => 0), oldest: SOCKS_FIXED.counts.map((_, i) => Math.max(0, i - 2)) };
  assert.equal(suspectedSites(kept).length, 1);
});

test('a leak beside a few objects that die old gains far more than they lose and is still found', () => {
  // one sample kept every second tick, and old samples dying now and then from tick 6 on
  const counts = SOCKS_FIXED.counts.map((_, i) => Math.floor(i / 2) + (i >= 4 ? 1 : 0));
  const deaths = counts.map((_, i) => (i >= 6 && i % 4 === 2 ? 1 : 0));
  const leak: SiteRows = { counts, deaths, oldest: counts.map((_, i) => Math.max(0, i - 2)) };
  assert.equal(suspectedSites(leak).length, 1);
});
