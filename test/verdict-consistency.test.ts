import { test } from 'node:test';
import assert from 'node:assert/strict';
// The public entry points, as users import them.
import { analyzeRecordings, parseRecording, Frame, Traceback, type Recording } from 'heapsleuth';
import { renderVerdict } from 'heapsleuth/report';
import { recordingText, type SampleSpec } from './recording-text.js';

// What the verdict says must follow from what it found (issue 18: 6, 9, 10).

const MiB = 1024 * 1024;
const T0 = Date.UTC(2026, 10, 23, 12);
const site = new Traceback([new Frame('src/sessions.ts', 12, 'remember')]);
const steady = new Traceback([new Frame('src/cache.ts', 42, 'fill')]);
/** Deterministic noise in [-1, 1], the same on every run. */
const noise = (i: number) => (((i * 7919) % 13) - 6) / 6;

interface SeriesSpec {
  siteBytes: (i: number) => number;
  rss?: (i: number) => number;
  heapUsed?: (i: number) => number;
  external?: (i: number) => number;
  timeouts?: (i: number) => number;
}

function recording(pid: number, startMs: number, everyMs: number, count: number, spec: SeriesSpec, limits = {}): Recording {
  const samples: SampleSpec[] = Array.from({ length: count }, (_, i) => ({
    traces: [
      { traceback: site, size: spec.siteBytes(i), count: 10 + i },
      { traceback: steady, size: 4 * MiB + noise(i) * 64 * 1024, count: 60 },
    ],
    process: {
      time: startMs + i * everyMs,
      memory: {
        rss: spec.rss?.(i) ?? 200 * MiB + noise(i) * MiB,
        heapTotal: 80 * MiB,
        heapUsed: spec.heapUsed?.(i) ?? 50 * MiB + noise(i + 3) * MiB,
        external: spec.external?.(i) ?? 3 * MiB + noise(i + 5) * 32 * 1024,
        arrayBuffers: MiB,
      },
      handles: { Timeout: spec.timeouts?.(i) ?? 4 + (i % 2), TCPSocketWrap: 2 },
    },
  }));
  return parseRecording(recordingText(samples, { service: 'checkout', pid, startTime: new Date(startMs).toISOString(), limits }), `checkout-${pid}.ndjson`);
}

test('overlapping recordings of one service: the window ends with the last sample, current values come from the process running then', () => {
  // A leaking replica over 0..190 s and a quiet one over 10..50 s.
  const long = recording(1, T0, 10_000, 20, { siteBytes: (i) => (1 + i) * MiB, rss: (i) => (200 + 4 * i) * MiB, heapUsed: (i) => (50 + i) * MiB }, { heapLimitBytes: 4096 * MiB });
  const short = recording(2, T0 + 10_000, 10_000, 5, { siteBytes: () => MiB / 2, rss: () => 150 * MiB }, { heapLimitBytes: 4096 * MiB });
  for (const order of [[long, short], [short, long]]) {
    const verdict = analyzeRecordings(order);
    assert.equal(verdict.window.start, new Date(T0).toISOString());
    assert.equal(verdict.window.end, new Date(T0 + 190_000).toISOString());
    assert.equal(verdict.verdict, 'leak');
    assert.equal(verdict.process.rss.lastBytes, (200 + 4 * 19) * MiB);
    assert.equal(verdict.process.heapUsed.lastBytes, (50 + 19) * MiB);
    assert.equal(verdict.suspects[0]?.function, 'remember');
    assert.equal(verdict.suspects[0]?.liveBytes, 20 * MiB);
  }
});

test('a flat, noisy series is never projected to the memory limit, even when something else leaks', () => {
  // Timers leak; the heap wanders around 50 MiB with a slight upward slope that is not significant.
  const leakingTimers = recording(1, T0, 60_000, 30, { siteBytes: () => 2 * MiB + noise(1) * 1024, heapUsed: (i) => 50 * MiB + noise(i) * 4 * MiB + i * 8 * 1024, timeouts: (i) => 10 + 40 * i }, {
    heapLimitBytes: 4096 * MiB,
  });
  const verdict = analyzeRecordings([leakingTimers]);
  assert.equal(verdict.verdict, 'leak');
  assert.deepEqual(
    verdict.handles.filter((handle) => handle.leak).map((handle) => handle.type),
    ['Timeout'],
  );
  assert.equal(verdict.process.heapUsed.leak, false);
  assert.ok(verdict.process.heapUsed.growthBytesPerHour > 0, 'the precondition: a positive but insignificant slope');
  assert.equal(verdict.projection.limitKind, 'heap');
  assert.equal(verdict.projection.hoursToLimit, null);
  assert.doesNotMatch(renderVerdict(verdict, { color: false }), /reached in/);
});

test('a growing heap is projected to the limit', () => {
  const growing = recording(1, T0, 60_000, 30, { siteBytes: (i) => (1 + i) * MiB, heapUsed: (i) => (50 + 2 * i) * MiB + noise(i) * 256 * 1024 }, { heapLimitBytes: 4096 * MiB });
  const verdict = analyzeRecordings([growing]);
  assert.equal(verdict.process.heapUsed.leak, true);
  assert.equal(verdict.projection.limitKind, 'heap');
  // About 120 MiB/h from about 108 MiB towards 4096 MiB: some 33 hours.
  assert.ok(verdict.projection.hoursToLimit! > 30 && verdict.projection.hoursToLimit! < 36, String(verdict.projection.hoursToLimit));
});

test('NEXT names what to do for leaks without a suspect site: handles, external memory', () => {
  const timers = analyzeRecordings([recording(1, T0, 60_000, 30, { siteBytes: () => 2 * MiB, timeouts: (i) => 10 + 40 * i })]);
  const timersText = renderVerdict(timers, { color: false });
  assert.match(timersText, /^ {2}NEXT {6}find where Timeout handles are opened and never closed/m);
  assert.doesNotMatch(timersText, /nothing to do/);

  const buffers = analyzeRecordings([recording(1, T0, 60_000, 30, { siteBytes: () => 2 * MiB, external: (i) => (3 + 2 * i) * MiB + noise(i) * 64 * 1024, rss: (i) => (200 + 2 * i) * MiB })]);
  assert.equal(buffers.verdict, 'leak');
  assert.equal(buffers.process.external.leak, true);
  const buffersText = renderVerdict(buffers, { color: false });
  assert.match(buffersText, /^ {2}NEXT {6}look for Buffers and typed arrays kept alive/m);

  const quiet = analyzeRecordings([recording(1, T0, 60_000, 30, { siteBytes: () => 2 * MiB + 1024 })]);
  assert.equal(quiet.verdict, 'no-leak');
  assert.match(renderVerdict(quiet, { color: false }), /^ {2}NEXT {6}nothing to do$/m);
});
