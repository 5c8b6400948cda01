import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeRecordings, Frame } from 'heapsleuth';
import type { Recording } from '../src/formats/recording.js';
import { inspectorRecording, INTERVAL } from './inspector-recording.js';

const TICK_MS = 3000;
const START = Date.parse('2026-11-29T15:44:05.000Z');

/** One allocation site's row at every tick: live bytes, live samples, old deaths, the oldest live sample's age. */
interface SiteRows {
  frame: Frame;
  bytes: number[];
  counts: number[];
  deaths?: number[];
  oldest?: number[];
}

const numbers = (text: string) => text.trim().split(/\s+/).map(Number);

/** A recording of a few sites (one stack each), with the rows the inspector sampler writes and a heap that holds them. */
function recordingOf(sites: readonly SiteRows[], heapBase = 10e6): Recording {
  return inspectorRecording(
    sites.map((site) => ({ ...site, frames: [site.frame] })),
    { start: START, tickMs: TICK_MS, heapUsed: (_, held) => heapBase + held },
  );
}

/** Samples kept for good from the given ticks on (each a sampling interval), as the sampler reports them. */
function keptFrom(frame: Frame, arrivals: readonly number[], ticks: number): SiteRows {
  const counts = Array.from({ length: ticks }, (_, t) => arrivals.filter((arrival) => arrival <= t).length);
  const first = Math.min(...arrivals);
  return { frame, counts, bytes: counts.map((count) => count * INTERVAL), oldest: counts.map((_, t) => Math.max(0, t - first)) };
}

/** Objects made at start and kept (module scope): a flat level from the first tick that saw them. */
function moduleScope(frame: Frame, samples: number, ticks: number): SiteRows {
  return keptFrom(frame, Array.from({ length: samples }, () => 1), ticks);
}

const at = (line: number, name = '') => new Frame('workload.js', line, name);

// The eight sites of winston's fixed import worker (bench/real-leaks, case winston-close-exception-listeners),
// as recorded in a 70 s run of the fixed version: module-scope objects, a request in flight, job log lines
// kept a while in a bounded results map (line 50), a job's log capture (line 47). No site passes alone.
const WINSTON_FIXED: SiteRows[] = [
  { frame: at(1), bytes: numbers('0' + ' 265064'.repeat(23)), counts: numbers('0' + ' 4'.repeat(23)), oldest: numbers('0 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22') },
  { frame: at(34), bytes: numbers('0' + ' 131456'.repeat(23)), counts: numbers('0' + ' 2'.repeat(23)), oldest: numbers('0 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22') },
  {
    frame: at(61, 'runJob'),
    bytes: numbers('0 66240 66240 66240 66240 66240 66240 66240 66240 66240 66240 66240 66240 66240 152376 152376 152376 152376 152376 152376 152376 152376 66240 66240'),
    counts: numbers('0 1 1 1 1 1 1 1 1 1 1 1 1 1 2 2 2 2 2 2 2 2 1 1'),
    deaths: numbers('0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1 0 0 0 1 0'),
    oldest: numbers('0 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22'),
  },
  {
    frame: at(19),
    bytes: numbers('0 65600 65600 65600 65600 65600 65600 65600 65600 65600 65600 65600 65600 65600 131168 65600 65600 65600 65600 131168 65600 65600 65600 65600'),
    counts: numbers('0 1 1 1 1 1 1 1 1 1 1 1 1 1 2 1 1 1 1 2 1 1 1 1'),
    oldest: numbers('0 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22'),
  },
  {
    frame: at(50, 'write'),
    bytes: numbers('0 0 65600 65600 65600 65600 65600 65600 65600 65600 131200 131200 131200 131200 131200 65600 131776 131776 131776 131776 131776 262976 328576 394176'),
    counts: numbers('0 0 1 1 1 1 1 1 1 1 2 2 2 2 2 1 2 2 2 2 2 4 5 6'),
    deaths: numbers('0 0 0 0 0 0 1 0 0 0 0 0 0 0 0 1 0 0 0 0 0 0 0 0'),
    oldest: numbers('0 0 0 1 2 3 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17'),
  },
  { frame: at(40), bytes: numbers('0 0 0 66560' + ' 0'.repeat(20)), counts: numbers('0 0 0 1' + ' 0'.repeat(20)) },
  {
    frame: at(47, 'jobLogCapture'),
    bytes: numbers('0 0 0 0 0 0 0 0 0 65856 65856 65856 65856 65856 131560 131560 131560 131560 131560 131560 131560 131560 131560 131560'),
    counts: numbers('0 0 0 0 0 0 0 0 0 1 1 1 1 1 2 2 2 2 2 2 2 2 2 2'),
    oldest: numbers('0 0 0 0 0 0 0 0 0 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14'),
  },
  { frame: at(36), bytes: numbers('0'.repeat(1) + ' 0'.repeat(22) + ' 65600'), counts: numbers('0' + ' 0'.repeat(22) + ' 1') },
];

test('a file whose few surviving samples sit in one site (winston\'s fixed worker) is not a leak spread over the file', () => {
  const verdict = analyzeRecordings([recordingOf(WINSTON_FIXED)]);
  assert.equal(verdict.verdict, 'no-leak', JSON.stringify(verdict.suspects.map((s) => [s.keyType, s.file, s.line, s.sites])));
  assert.deepEqual(verdict.suspects, []);
});

test('as many surviving samples spread over the file\'s sites are a leak, blamed on the file', () => {
  const ticks = WINSTON_FIXED[0]!.counts.length;
  // the same module-scope level and the same number of survivors as above (8), two in each of four sites, none enough alone
  const spread: SiteRows[] = [
    moduleScope(at(1), 4, ticks),
    moduleScope(at(34), 2, ticks),
    keptFrom(at(50, 'write'), [3, 13], ticks),
    keptFrom(at(56, 'parseRecord'), [6, 16], ticks),
    keptFrom(at(63, 'scopeOf'), [9, 19], ticks),
    keptFrom(at(70, 'remember'), [11, 21], ticks),
  ];
  const verdict = analyzeRecordings([recordingOf(spread)]);
  assert.equal(verdict.verdict, 'leak', JSON.stringify(verdict.process.heapUsed));
  const [top] = verdict.suspects;
  assert.equal(top?.keyType, 'file', JSON.stringify(verdict.suspects.map((s) => [s.keyType, s.file, s.line])));
  assert.equal(top.file, 'workload.js');
  assert.equal(top.sites, 6);
});

test('a spread leak whose biggest site passes alone keeps its file while the rest still carries a leak without it', () => {
  const ticks = 24;
  const sites: SiteRows[] = [
    moduleScope(at(1), 4, ticks),
    // a site that gains a sample every 2-3 ticks: enough alone
    keptFrom(at(50, 'write'), [2, 4, 7, 9, 12, 14, 17, 19, 22], ticks),
    // six more, two survivors each: the leak spread thin
    ...[56, 63, 70, 77, 84, 91].map((line, k) => keptFrom(at(line, `piece${k}`), [3 + k, 13 + k], ticks)),
  ];
  const verdict = analyzeRecordings([recordingOf(sites)]);
  assert.equal(verdict.verdict, 'leak');
  const kinds = verdict.suspects.map((s) => `${s.keyType} ${s.file}:${s.line}`);
  assert.ok(kinds.includes('lineno workload.js:50'), kinds.join(', '));
  // the site holds 9 of the file's 21 survivors: less than half of its rise, so the file is named too
  assert.ok(kinds.some((kind) => kind.startsWith('file workload.js')), kinds.join(', '));
});
