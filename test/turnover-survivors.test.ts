import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeRecordings } from '../src/index.js';
import { SampleGenerations } from '../src/agent/sample-generations.js';
import { RecordingEncoder, type Recording } from '../src/formats/recording.js';
import { readRecordingFile } from '../src/formats/recording-file.js';
import { Snapshot } from '../src/model/snapshot.js';
import { Frame, Traceback } from '../src/model/index.js';
import type { Trace } from '../src/model/trace.js';
import { mulberry32, poisson, type Random } from './random.js';
import { tempDir } from './temp-dir.js';

const INTERVAL = 16 * 1024;
const TICK_MS = 1000;
const START = Date.parse('2026-11-29T16:00:00.000Z');
const site = new Traceback([new Frame('src/sessions.js', 17, 'openSession'), new Frame('src/server.js', 40, 'accept')]);

/** A sampled population at one stack: before each tick, the samples that arrive; each lives `lifetime` ticks (Infinity: kept for good). */
type Arrivals = (tick: number, random: Random) => number[];

/** What the agent's rows say at each tick (summed over the stacks), with each stack's survivors. */
interface AgentRows {
  counts: number[];
  deaths: number[];
  oldest: number[];
  survivors: number[];
  traces: Trace[][];
  /** Survivors per tick of each stack, by its key. */
  survivorsOf: Map<string, number[]>;
}

function agentRows(ticks: number, seed: number, arrivals: Arrivals): AgentRows {
  return stackRows(ticks, seed, [{ traceback: site, arrivals }]);
}

/** The real SampleGenerations fed the live samples' allocation order numbers of several populations, each at a stack of its own. */
function stackRows(ticks: number, seed: number, populations: readonly { traceback: Traceback; arrivals: Arrivals }[]): AgentRows {
  const random = mulberry32(seed);
  const live = populations.map(() => new Map<number, number>()); // ordinal -> tick it dies at
  let ordinal = 0;
  return generationRows(ticks, (t) => {
    populations.forEach(({ arrivals }, p) => {
      for (const lifetime of arrivals(t, random)) live[p]!.set(ordinal++, t + lifetime);
      for (const [id, dies] of live[p]!) if (dies <= t) live[p]!.delete(id);
    });
    return new Map(populations.map(({ traceback }, p) => [traceback, [...live[p]!.keys()]]));
  });
}

/** What the real SampleGenerations makes of the live samples (allocation order numbers by stack) that `liveAt` gives at each tick. */
function generationRows(ticks: number, liveAt: (tick: number) => Map<Traceback, number[]>): AgentRows {
  const generations = new SampleGenerations();
  const out: AgentRows = { counts: [], deaths: [], oldest: [], survivors: [], traces: [], survivorsOf: new Map() };
  for (let t = 0; t < ticks; t++) {
    const stacks = liveAt(t);
    // the inspector gives a stack's samples together, in allocation order
    const { deaths, oldestAge, survivors } = generations.advance(new Map([...stacks].flatMap(([traceback, ordinals]) => [...ordinals].sort((a, b) => a - b).map((id) => [id, traceback] as const))));
    const tick: Trace[] = [];
    for (const [traceback, ordinals] of stacks) {
      const row = {
        count: ordinals.length,
        died: deaths.get(traceback.key)?.died ?? 0,
        age: oldestAge.get(traceback.key) ?? 0,
        survived: survivors.get(traceback.key) ?? 0,
      };
      if (!out.survivorsOf.has(traceback.key)) out.survivorsOf.set(traceback.key, new Array<number>(t).fill(0));
      out.survivorsOf.get(traceback.key)!.push(row.survived);
      tick.push({
        traceback,
        size: row.count * INTERVAL,
        count: row.count,
        ...(row.died ? { oldDeaths: row.died } : {}),
        ...(row.age ? { oldestAge: row.age } : {}),
        ...(row.survived ? { survivors: row.survived } : {}),
      });
    }
    out.counts.push(tick.reduce((sum, trace) => sum + trace.count, 0));
    out.deaths.push(tick.reduce((sum, trace) => sum + (trace.oldDeaths ?? 0), 0));
    out.oldest.push(Math.max(0, ...tick.map((trace) => trace.oldestAge ?? 0)));
    out.survivors.push(tick.reduce((sum, trace) => sum + (trace.survivors ?? 0), 0));
    out.traces.push(tick);
  }
  return out;
}

/** The rows written by the encoder and read back from a file, as `heapsleuth analyze` reads them; the heap holds the site and a steady rest. */
function recordingOf(rows: AgentRows, withSurvivors = true, maxPointsPerLifetime?: number): Recording {
  const encoder = new RecordingEncoder();
  let text = encoder.encodeHeader({
    runtime: 'node', runtimeVersion: 'v20.20.2', pid: 77, hostname: 'web', service: 'sessions', argv: ['node', 'server.js'], cwd: '/srv',
    startTime: new Date(START).toISOString(),
    sampling: { sampler: 'inspector', intervalBytes: INTERVAL, stackDepth: 64, generations: true, oldestAge: true, ...(withSurvivors ? { survivors: true } : {}) },
    limits: { heapLimitBytes: 4e9 }, agent: { name: 'heapsleuth', version: '0' },
  });
  const metadata = { runtime: 'node' as const, takenAt: '', samplingIntervalBytes: INTERVAL, stackDepth: 64 };
  rows.traces.forEach((traces, t) => {
    const memory = { rss: 1.2e8, heapTotal: 6e7, heapUsed: 3e7 + rows.counts[t]! * INTERVAL, external: 0, arrayBuffers: 0 };
    text += encoder.encodeSample(new Snapshot(traces, metadata), { time: START + t * TICK_MS, memory });
    encoder.commit();
  });
  const path = join(tempDir('heapsleuth-survivors-'), 'sessions.ndjson');
  writeFileSync(path, text);
  return readRecordingFile(path, maxPointsPerLifetime === undefined ? {} : { maxPointsPerLifetime })[0]!;
}

/** Sessions held 6 to 7 ticks, opened ever faster; with `leakEvery`, every n-th of them kept for good. */
const sessions = (leakEvery: number): Arrivals => {
  let opened = 0;
  return (t, random) =>
    Array.from({ length: poisson(random, 1 + 0.15 * t) }, () => (leakEvery > 0 && ++opened % leakEvery === 0 ? Infinity : 6 + Math.floor(random() * 2)));
};

test('the agent: samples kept for good beside ones that die are counted as survivors, ever more of them; objects of a bounded lifetime never', () => {
  for (let seed = 1; seed <= 10; seed++) {
    const leaking = agentRows(40, seed, sessions(5));
    // none before a sample has died old; then ever more (a sample never stops being a survivor while it lives)
    const first = leaking.survivors.findIndex((n) => n > 0);
    assert.ok(first > leaking.deaths.findIndex((n) => n > 0), `seed ${seed}: ${leaking.survivors}`);
    for (let t = first + 1; t < 40; t++) assert.ok(leaking.survivors[t]! >= leaking.survivors[t - 1]!, `seed ${seed}: ${leaking.survivors}`);
    assert.ok(leaking.survivors[39]! >= 8, `seed ${seed}: ${leaking.survivors}`);

    const bounded = agentRows(40, seed, sessions(0));
    assert.deepEqual(new Set(bounded.survivors), new Set([0]), `seed ${seed}: objects living 6-7 ticks outlive nothing`);
  }
});

test('turnover: a leak at the same stack as sessions that die as fast as the site gains is a leak at that line; without the survivors column (older recordings) it is cleared as before', () => {
  for (let seed = 1; seed <= 10; seed++) {
    const rows = agentRows(40, seed, sessions(5));
    // the site's old samples die as fast as it gains in the newest third: what the turnover rule alone clears
    const older = analyzeRecordings([recordingOf(rows, false)]);
    assert.equal(older.verdict, 'no-leak', `seed ${seed}: ${JSON.stringify(older.suspects.slice(0, 1))}`);
    assert.equal(older.process.heapUsed.settled?.cachesAtBound, 1, `seed ${seed}`);

    const verdict = analyzeRecordings([recordingOf(rows)]);
    assert.equal(verdict.verdict, 'leak', `seed ${seed}: survivors ${rows.survivors}`);
    assert.equal(`${verdict.suspects[0]?.file}:${verdict.suspects[0]?.line}`, 'src/sessions.js:17');

    const clean = analyzeRecordings([recordingOf(agentRows(40, seed, sessions(0)))]);
    assert.equal(clean.verdict, 'no-leak', `seed ${seed}: ${JSON.stringify(clean.suspects.slice(0, 1))}`);
  }
});

test('turnover: an LRU cache at its bound that keeps a few hot keys for good is still a cache at its bound', () => {
  const CAPACITY = 60;
  const HOT = 4;
  for (let seed = 1; seed <= 10; seed++) {
    // the first HOT entries are read on every request (never evicted); the rest leave oldest first once the cache is full
    const random = mulberry32(seed);
    const generations = new SampleGenerations();
    const cache: number[] = [];
    let ordinal = 0;
    const rows: AgentRows = { counts: [], deaths: [], oldest: [], survivors: [], traces: [], survivorsOf: new Map() };
    for (let t = 0; t < 40; t++) {
      for (let k = poisson(random, 6); k > 0; k--) {
        cache.push(ordinal++);
        if (cache.length > CAPACITY) cache.splice(HOT, 1);
      }
      const { deaths, oldestAge, survivors } = generations.advance(new Map(cache.map((id) => [id, site])));
      const died = deaths.get(site.key)?.died ?? 0;
      const age = oldestAge.get(site.key) ?? 0;
      const survived = survivors.get(site.key) ?? 0;
      rows.counts.push(cache.length);
      rows.deaths.push(died);
      rows.oldest.push(age);
      rows.survivors.push(survived);
      rows.traces.push([{ traceback: site, size: cache.length * INTERVAL, count: cache.length, ...(died ? { oldDeaths: died } : {}), ...(age ? { oldestAge: age } : {}), ...(survived ? { survivors: survived } : {}) }]);
    }
    assert.ok(Math.max(...rows.survivors) <= HOT, `seed ${seed}: only the hot keys outlive the evicted ones: ${rows.survivors}`);
    const verdict = analyzeRecordings([recordingOf(rows)]);
    assert.equal(verdict.verdict, 'no-leak', `seed ${seed}: ${JSON.stringify(verdict.suspects.slice(0, 1))}`);
  }
});

test('survivors go through the encoder and the reader as the 6th column; a long recording keeps the mean of each merged bucket', () => {
  const rows = agentRows(1000, 3, sessions(5));
  const encoder = new RecordingEncoder();
  const text = encoder.encodeSample(new Snapshot(rows.traces[39]!, { runtime: 'node', takenAt: '', samplingIntervalBytes: INTERVAL, stackDepth: 64 }), {
    time: START,
    memory: { rss: 1, heapTotal: 1, heapUsed: 1, external: 0, arrayBuffers: 0 },
  });
  const written = (JSON.parse(text.split('\n').filter(Boolean).at(-1)!) as { rows: number[][] }).rows[0]!;
  assert.deepEqual(written, [0, rows.counts[39]! * INTERVAL, rows.counts[39], rows.deaths[39], rows.oldest[39], rows.survivors[39]]);

  const recording = recordingOf(rows, true, 400);
  assert.equal(recording.header.sampling.survivors, true);
  assert.ok(recording.samples.length < 1000, 'merged into buckets');
  for (const sample of recording.samples) {
    const ticks = rows.survivors.slice(sample.seq, sample.seq + (sample.ticks ?? 1));
    const mean = ticks.reduce((sum, n) => sum + n, 0) / ticks.length;
    assert.ok(Math.abs((sample.rows[0]?.[5] ?? 0) - mean) < 1e-9, `bucket at seq ${sample.seq}: ${sample.rows[0]} vs ${ticks}`);
  }
});

// One helper, remember() (line 17), allocating for two callers: the request path drops its
// records after a while, the audit path keeps its own for good. Same site, two stacks.
const helper = new Frame('src/sessions.js', 17, 'remember');
const dropped = new Traceback([helper, new Frame('src/sessions.js', 21, 'openSession')]);
const audited = new Traceback([helper, new Frame('src/sessions.js', 25, 'audit')]);

/** Records held 6 to 7 ticks, opened ever faster. */
const held: Arrivals = (t, random) => Array.from({ length: poisson(random, 1 + 0.15 * t) }, () => 6 + Math.floor(random() * 2));
/** Records kept for good, a fifth as many. */
const keptForGood: Arrivals = (t, random) => new Array<number>(poisson(random, (1 + 0.15 * t) / 5)).fill(Infinity);

test('the agent: a stack none of whose samples dies counts, as survivors, its samples that outlived the same allocation\'s turnover through another caller; a stack at a site without deaths does not', () => {
  const elsewhere = new Traceback([new Frame('src/registry.js', 8, 'register')]);
  for (let seed = 1; seed <= 10; seed++) {
    const rows = stackRows(40, seed, [
      { traceback: dropped, arrivals: held },
      { traceback: audited, arrivals: keptForGood },
      { traceback: elsewhere, arrivals: keptForGood },
    ]);
    const kept = rows.survivorsOf.get(audited.key)!;
    const first = kept.findIndex((n) => n > 0);
    assert.ok(first > rows.deaths.findIndex((n) => n > 0), `seed ${seed}: none before a sample of the site died old: ${kept}`);
    for (let t = first + 1; t < 40; t++) assert.ok(kept[t]! >= kept[t - 1]!, `seed ${seed}: ${kept}`);
    assert.ok(kept[39]! >= 5, `seed ${seed}: ${kept}`);
    assert.deepEqual(new Set(rows.survivorsOf.get(dropped.key)), new Set([0]), `seed ${seed}: records held 6-7 ticks outlive nothing`);
    // a site none of whose samples ever died has no turnover to outlive: its trend judges it
    assert.deepEqual(new Set(rows.survivorsOf.get(elsewhere.key)), new Set([0]), `seed ${seed}`);
  }
});

test('turnover: a leak at a helper\'s line through one caller, beside its other caller\'s records that die as fast as the site gains, is a leak at that line', () => {
  for (let seed = 1; seed <= 10; seed++) {
    const rows = stackRows(40, seed, [
      { traceback: dropped, arrivals: held },
      { traceback: audited, arrivals: keptForGood },
    ]);
    // what main's agent wrote: no survivors at a stack none of whose samples died, so the turnover rule cleared the site
    const before = analyzeRecordings([recordingOf({ ...rows, traces: rows.traces.map((traces) => traces.map(({ survivors: _survivors, ...trace }) => trace)) })]);
    assert.equal(before.verdict, 'no-leak', `seed ${seed}: ${JSON.stringify(before.suspects.slice(0, 1))}`);

    const verdict = analyzeRecordings([recordingOf(rows)]);
    assert.equal(verdict.verdict, 'leak', `seed ${seed}: survivors ${rows.survivors}`);
    assert.equal(`${verdict.suspects[0]?.file}:${verdict.suspects[0]?.line}`, 'src/sessions.js:17');

    const clean = analyzeRecordings([recordingOf(stackRows(40, seed, [{ traceback: dropped, arrivals: held }, { traceback: audited, arrivals: () => [] }]))]);
    assert.equal(clean.verdict, 'no-leak', `seed ${seed}: ${JSON.stringify(clean.suspects.slice(0, 1))}`);
  }
});

test('turnover: an LRU cache at its bound whose new entries come from a second stack (a caller inlined mid-run) is still a cache at its bound', () => {
  const CAPACITY = 60;
  const inlined = new Traceback([helper, new Frame('src/server.js', 40, 'accept')]);
  for (let seed = 1; seed <= 10; seed++) {
    const random = mulberry32(seed);
    // entries leave oldest first once the cache is full; from tick 15 on they come at the second stack,
    // which loses none until the first stack's entries are all gone
    const cache: { ordinal: number; stack: Traceback }[] = [];
    let ordinal = 0;
    const rows = generationRows(40, (t) => {
      for (let k = poisson(random, 6); k > 0; k--) {
        cache.push({ ordinal: ordinal++, stack: t < 15 ? dropped : inlined });
        if (cache.length > CAPACITY) cache.shift();
      }
      return new Map([dropped, inlined].map((stack) => [stack, cache.filter((entry) => entry.stack === stack).map((entry) => entry.ordinal)]));
    });
    assert.ok(rows.deaths.slice(15).some((n) => n > 0), `seed ${seed}: the first stack's entries were evicted`);
    assert.deepEqual(new Set(rows.survivorsOf.get(inlined.key)), new Set([0]), `seed ${seed}: no entry outlives the site's evictions by far`);
    const verdict = analyzeRecordings([recordingOf(rows)]);
    assert.equal(verdict.verdict, 'no-leak', `seed ${seed}: ${JSON.stringify(verdict.suspects.slice(0, 1))}`);
  }
});

test('the agent: entries of a cache still filling are not survivors beside the Map\'s backing store, which dies young at the same line as it grows', () => {
  // the Map's table (allocated by the builtin `set`, blamed on the same line) is replaced by one twice
  // as big at ticks 3, 6, 12 and 24: old deaths at that line, at ages 2 to 11, while no entry has been evicted yet
  const table = new Traceback([new Frame('', 0, 'set'), helper, new Frame('src/sessions.js', 21, 'openSession')]);
  const growths = new Set([3, 6, 12, 24]);
  for (let seed = 1; seed <= 10; seed++) {
    const rows = stackRows(40, seed, [
      { traceback: table, arrivals: (t) => (t === 0 || growths.has(t) ? [t === 0 ? 3 : t] : []) },
      { traceback: dropped, arrivals: (t, random) => new Array<number>(poisson(random, 4)).fill(Infinity) },
    ]);
    assert.ok(rows.deaths.filter((n) => n > 0).length >= 3, `seed ${seed}: the table died old: ${rows.deaths}`);
    assert.deepEqual(new Set(rows.survivorsOf.get(dropped.key)), new Set([0]), `seed ${seed}: ${rows.survivorsOf.get(dropped.key)}`);
  }
});
