import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeRecordings, Frame, Traceback } from 'heapsleuth';
import type { Recording, RecordingSample, SampleRow } from '../src/formats/recording.js';

const INTERVAL = 64 * 1024;
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
  const samples: RecordingSample[] = site.counts.map((count, i) => {
    const rows: SampleRow[] = count > 0 || site.deaths[i]! > 0 ? [[0, count * INTERVAL, count, site.deaths[i]!, site.oldest[i]!]] : [];
    const time = START + i * TICK_MS;
    const heapUsed = 24e6 - 19e6 * Math.exp(-i / 3);
    return { seq: i, time, process: { time, memory: { rss: 90e6, heapTotal: 30e6, heapUsed, external: 2e6, arrayBuffers: 1e4 } }, rows };
  });
  return {
    source: 'workload-3049.ndjson',
    header: {
      type: 'header',
      format: 'heapsleuth-recording',
      version: 2,
      runtime: 'node',
      runtimeVersion: 'v20.20.2',
      pid: 3049,
      hostname: 'worker-1',
      service: 'workload',
      argv: ['node', 'workload.js'],
      cwd: '/srv/pricebot',
      startTime: new Date(START - 500).toISOString(),
      sampling: { sampler: 'inspector', intervalBytes: INTERVAL, stackDepth: 64, generations: true, oldestAge: true },
      limits: { heapLimitBytes: 4096 * 1024 * 1024 },
      agent: { name: 'heapsleuth', version: '0.1.0' },
    },
    stacks: new Map([[0, new Traceback([SITE])]]),
    samples,
    warnings: [],
  };
}

// socks-proxy-agent 6.2.0-beta.1 (the fixed version, bench/real-leaks), 23 running ticks of a 70 s run:
// an agent per request, each kept about 30 s by its connection's timer. Few samples; two of them are
// seen dying old (ticks 12 and 22), by when the population has stopped rising beyond counting noise.
const SOCKS_FIXED: SiteRows = {
  counts: numbers('0 0 1 1 1 1 1 1 1 1 2 2 2 2 3 3 3 3 3 5 5 5 4'),
  deaths: numbers('0 0 0 0 0 0 0 0 0 0 0 0 1 0 0 0 0 0 0 0 0 0 1'),
  oldest: numbers('0 0 0 1 2 3 4 5 6 7 8 9 2 3 4 5 6 7 8 9 10 11 12'),
};

const suspectedSites = (site: SiteRows) => analyzeRecordings([recordingOf(site)]).suspects.filter((suspect) => suspect.file === SITE.file);

test('objects seen dying of age: only what the site gains after its first old death is evidence (socks-proxy-agent\'s fixed version)', () => {
  assert.deepEqual(suspectedSites(SOCKS_FIXED), []);
});

test('the same rise with no sample ever dying is a leak: the rule reads deaths, not the shape', () => {
  const kept: SiteRows = { counts: SOCKS_FIXED.counts, deaths: SOCKS_FIXED.counts.map(() => 0), oldest: SOCKS_FIXED.counts.map((_, i) => Math.max(0, i - 2)) };
  assert.equal(suspectedSites(kept).length, 1);
});

test('a leak beside objects that die old keeps gaining after their first deaths and is still found', () => {
  // one sample kept every second tick, and old samples dying now and then from tick 6 on
  const counts = SOCKS_FIXED.counts.map((_, i) => Math.floor(i / 2) + (i >= 4 ? 1 : 0));
  const deaths = counts.map((_, i) => (i >= 6 && i % 4 === 2 ? 1 : 0));
  const leak: SiteRows = { counts, deaths, oldest: counts.map((_, i) => Math.max(0, i - 2)) };
  assert.equal(suspectedSites(leak).length, 1);
});
