import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { Frame, Traceback, readProfileFile, selectSnapshotIndex, snapshotToHeapProfile, snapshotToPprof, type Snapshot } from '../src/index.js';
import { readRecordingTicks } from '../src/formats/recording-ticks.js';
import { cliPath, runChild, type ChildResult } from './child-process.js';
import { recordingText, type SampleSpec } from './recording-text.js';
import { tempDir } from './temp-dir.js';

const dir = tempDir('heapsleuth-recording-ticks-');
const START = Date.parse('2026-10-01T00:00:00.000Z');
const TICKS = 3000;
const SITES = 40;
const stacks = Array.from(
  { length: SITES },
  (_, i) => new Traceback([new Frame(`src/module-${i % 7}.js`, 10 + i, `site${i}`, 4), new Frame(`src/routes-${i % 3}.js`, 200 + i, 'handle', 2)]),
);

/**
 * Tick t of a long recording: five sites grow, the others churn, and the sites appear one
 * by one over the first ticks (so their stacks are defined in the middle of the file).
 */
function sampleAt(t: number): SampleSpec {
  const traces = stacks.slice(0, Math.min(SITES, 1 + Math.floor(t / 10))).map((traceback, i) => {
    const size = i < 5 ? 65536 * (1 + t) : 65536 * (1 + ((t * 7919 + i * 104729) % 9));
    return { traceback, size, count: size / 65536 + (t % 3) / 3 };
  });
  const heapUsed = 50e6 + t * 1000;
  return { traces, process: { time: START + t * 60_000, memory: { rss: heapUsed + 80e6, heapTotal: heapUsed + 1e7, heapUsed, external: 1e6, arrayBuffers: 1e5 } } };
}

const longRecording = join(dir, 'checkout-long.ndjson');
writeFileSync(longRecording, recordingText(Array.from({ length: TICKS }, (_, t) => sampleAt(t)), { service: 'checkout', startTime: new Date(START).toISOString() }));

/** The file read whole, as heapsleuth read recordings before it streamed them: the reference. */
const whole = readProfileFile(longRecording);

function heapsleuth(...args: string[]): Promise<ChildResult> {
  return runChild(process.execPath, [cliPath, ...args], { timeoutMs: 60_000 });
}

/** A tick of the whole-file reading, as a snapshot dump: `top` and `diff` read dumps whole, so their output on it is the reference. */
function dumpOf(index: number): string {
  const path = join(dir, `tick-${index}.json`);
  whole.snapshot(index).dump(path);
  return path;
}

test('a long recording streamed by the tick reader gives the ticks the whole-file reader gives, keeping at most two', () => {
  assert.equal(whole.times.length, TICKS);
  for (const options of [{}, { workerFromBytes: 0, segmentBytes: 64 * 1024 }]) {
    const read = readRecordingTicks(longRecording, [{ index: 0 }, { index: -1 }], options);
    assert.equal(read.count, TICKS);
    assert.deepEqual(read.warnings, []);
    assert.deepEqual(
      read.ticks.map((tick) => tick?.index),
      [0, TICKS - 1],
    );
    assert.deepEqual(sameSnapshot(read.ticks[0]!.snapshot, whole.snapshot(0)), true);
    assert.deepEqual(sameSnapshot(read.ticks[1]!.snapshot, whole.snapshot(TICKS - 1)), true);
    assert.equal(read.heldAtMost, 2, 'the first tick and the newest so far, nothing else');
  }

  const byTime = readRecordingTicks(longRecording, [{ time: START + 1234.5 * 60_000 }]);
  assert.equal(byTime.ticks[0]!.index, 1234);
  assert.equal(byTime.heldAtMost, 1);

  const fromEnd = readRecordingTicks(longRecording, [{ index: -5 }]);
  assert.equal(fromEnd.ticks[0]!.index, TICKS - 5);
  assert.equal(fromEnd.heldAtMost, 5, 'a ring of the last five ticks');
  const farFromEnd = readRecordingTicks(longRecording, [{ index: -2000 }]);
  assert.equal(farFromEnd.ticks[0]!.index, TICKS - 2000);
  assert.equal(farFromEnd.heldAtMost, 1, 'counted first, then that one tick kept');
  assert.equal(sameSnapshot(farFromEnd.ticks[0]!.snapshot, whole.snapshot(TICKS - 2000)), true);

  const missing = readRecordingTicks(longRecording, [{ index: TICKS }, { time: START - 1 }]);
  assert.deepEqual(missing.ticks, [undefined, undefined]);
  assert.equal(missing.firstTime, START);
});

test('a file of several process lifetimes is read as its first one, with the whole reader\'s warning', () => {
  const path = join(dir, 'restarted.ndjson');
  const first = recordingText([0, 1, 2].map(sampleAt), { pid: 1 });
  const second = recordingText([3, 4].map(sampleAt), { pid: 2 });
  writeFileSync(path, first + second);
  const read = readRecordingTicks(path, [{ index: -1 }]);
  assert.equal(read.count, 3);
  assert.equal(read.ticks[0]!.index, 2);
  assert.deepEqual(read.warnings, readProfileFile(path).warnings);
  assert.match(read.warnings.join('\n'), /holds 2 process lifetimes \(one header each\); read the first one only/);
});

test('any choice on any recording names the tick the whole-file reader names (times out of order, restarts, far from the end)', () => {
  const choice = fc.oneof(
    fc.integer({ min: -30, max: 30 }).map((index) => ({ text: String(index), choice: { index } })),
    fc.integer({ min: -2, max: 30 }).map((minute) => ({ text: new Date(START + minute * 60_000).toISOString(), choice: { time: START + minute * 60_000 } })),
  );
  const lifetime = fc.array(fc.integer({ min: 0, max: 25 }), { maxLength: 25 });
  let run = 0;
  fc.assert(
    fc.property(fc.array(lifetime, { minLength: 1, maxLength: 3 }), fc.array(choice, { minLength: 1, maxLength: 3 }), (lifetimes, choices) => {
      const path = join(dir, `random-${run++}.ndjson`);
      writeFileSync(path, lifetimes.map((minutes) => recordingText(minutes.map((minute, t) => ({ ...sampleAt(t * 7), process: { ...sampleAt(t).process, time: START + minute * 60_000 } })))).join(''));
      const reference = readProfileFile(path);
      const read = readRecordingTicks(path, choices.map((c) => c.choice));
      assert.equal(read.count, reference.times.length);
      assert.deepEqual(read.warnings, reference.warnings);
      choices.forEach((c, i) => {
        let expected: number | undefined;
        try {
          expected = selectSnapshotIndex(reference, c.text);
        } catch {
          expected = undefined;
        }
        assert.equal(read.ticks[i]?.index, expected, `${c.text} of ${reference.times.length}`);
        if (expected !== undefined) sameSnapshot(read.ticks[i]!.snapshot, reference.snapshot(expected));
      });
      assert.ok(read.heldAtMost <= choices.reduce((sum, c) => sum + ('index' in c.choice && c.choice.index < 0 ? Math.min(-c.choice.index, 16) : 1), 0));
    }),
    { numRuns: 150 },
  );
});

test('heapsleuth top on a long recording prints what it prints for the same tick read whole', async () => {
  for (const [args, index] of [
    [[], TICKS - 1],
    [['--at', '0', '--key', 'traceback'], 0],
    [['--at', '2026-10-02T10:30:00Z', '--key', 'filename', '--cumulative'], 2070],
  ] as const) {
    const streamed = await heapsleuth('top', longRecording, '--limit', '0', ...args);
    const reference = await heapsleuth('top', dumpOf(index), '--limit', '0', ...args);
    assert.equal(streamed.code, 0, streamed.stderr);
    assert.equal(reference.code, 0, reference.stderr);
    const [header, ...lines] = streamed.stdout.split('\n');
    assert.match(header!, new RegExp(`of sample ${index} of ${TICKS} in .*checkout-long\\.ndjson at `));
    assert.deepEqual(lines, reference.stdout.split('\n').slice(1));

    const json = JSON.parse((await heapsleuth('top', longRecording, '--json', ...args)).stdout) as Record<string, unknown>;
    const referenceJson = JSON.parse((await heapsleuth('top', dumpOf(index), '--json', ...args)).stdout) as Record<string, unknown>;
    assert.deepEqual(json['snapshot'], { source: longRecording, kind: 'recording', index, takenAt: new Date(START + index * 60_000).toISOString() });
    assert.deepEqual({ ...json, snapshot: undefined }, { ...referenceJson, snapshot: undefined });
  }
});

test('heapsleuth diff on a long recording prints what it prints for the same two ticks read whole', async () => {
  for (const [args, from, to] of [
    [[], 0, TICKS - 1],
    [['--from', '-3', '--to', '2026-10-01T12:00:00Z', '--key', 'traceback'], TICKS - 3, 720],
  ] as const) {
    const streamed = await heapsleuth('diff', longRecording, '--limit', '0', ...args);
    const reference = await heapsleuth('diff', dumpOf(from), dumpOf(to), '--limit', '0', ...args.filter((arg, i) => !/^--(from|to)$/.test(arg) && !/^--(from|to)$/.test(args[i - 1] ?? '')));
    assert.equal(streamed.code, 0, streamed.stderr);
    assert.equal(reference.code, 0, reference.stderr);
    const lines = streamed.stdout.split('\n');
    assert.match(lines[1]!, new RegExp(`from sample ${from} of ${TICKS} in `));
    assert.match(lines[2]!, new RegExp(`to   sample ${to} of ${TICKS} in `));
    assert.deepEqual([lines[0], ...lines.slice(3)], [reference.stdout.split('\n')[0], ...reference.stdout.split('\n').slice(3)]);
  }
});

test('heapsleuth export of a long recording writes the bytes the whole-file reader\'s tick gives', async () => {
  const pprof = join(dir, 'newest.pb.gz');
  const written = await heapsleuth('export', longRecording, '-o', pprof);
  assert.equal(written.code, 0, written.stderr);
  assert.match(written.stderr, new RegExp(`from sample ${TICKS - 1} of ${TICKS} in `));
  assert.deepEqual(readFileSync(pprof), Buffer.from(snapshotToPprof(whole.snapshot(TICKS - 1))));

  const heapprofile = await heapsleuth('export', longRecording, '--at', '17', '--format', 'heapprofile', '-o', '-');
  assert.equal(heapprofile.code, 0, heapprofile.stderr);
  assert.equal(heapprofile.stdout, JSON.stringify(snapshotToHeapProfile(whole.snapshot(17))));
});

test('bad recordings and ticks that do not exist are one line on stderr and exit 2', async () => {
  const header = recordingText([]);
  const files = {
    empty: join(dir, 'empty.ndjson'),
    garbage: join(dir, 'garbage.ndjson'),
    headerOnly: join(dir, 'header-only.ndjson'),
    cutInHeader: join(dir, 'cut-in-header.ndjson'),
    futureVersion: join(dir, 'future.ndjson'),
    oneTick: join(dir, 'one-tick.ndjson'),
  };
  writeFileSync(files.empty, '');
  writeFileSync(files.garbage, 'not a recording\n{"type":"sample"}\n');
  writeFileSync(files.headerOnly, header);
  writeFileSync(files.cutInHeader, header.slice(0, 40));
  writeFileSync(files.futureVersion, recordingText([sampleAt(0)]).replace('"version":2', '"version":99'));
  writeFileSync(files.oneTick, recordingText([sampleAt(0)]));
  const cases: [string[], RegExp][] = [
    [['top', files.empty], /empty\.ndjson: not a profile heapsleuth reads/],
    [['top', files.garbage], /garbage\.ndjson: not a profile heapsleuth reads/],
    [['top', files.headerOnly], /header-only\.ndjson: holds no samples yet$/],
    [['export', files.cutInHeader, '-o', join(dir, 'x.pb.gz')], /cut-in-header\.ndjson: invalid JSON, and not a heapsleuth recording$/],
    [['top', files.futureVersion], /future\.ndjson: recording format version 99 is not supported/],
    [['diff', files.oneTick], /one-tick\.ndjson: holds 1 snapshot; diff needs two/],
    [['top', longRecording, '--at', String(TICKS)], new RegExp(`sample ${TICKS} does not exist \\(it holds ${TICKS} samples: 0\\.\\.${TICKS - 1}, or -1 for the last\\)$`)],
    [['diff', longRecording, '--from', '-4000'], /sample -4000 does not exist/],
    [['export', longRecording, '--at', '2026-09-30T23:59:59Z', '--format', 'pprof', '-o', '-'], /no sample at or before 2026-09-30T23:59:59\.000Z \(the first is at 2026-10-01T00:00:00\.000Z\)$/],
    [['top', longRecording, '--at', 'yesterday'], /cannot read "yesterday" as a sample index or an ISO time/],
  ];
  for (const [args, expected] of cases) {
    const result = await heapsleuth(...args);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
    assert.match(result.stderr.trimEnd(), expected);
    assert.equal(result.stdout, '');
  }

  // A recording cut in the middle of a line is read up to its last whole line, with a warning.
  const text = readFileSync(longRecording, 'utf8');
  const torn = join(dir, 'torn.ndjson');
  writeFileSync(torn, text.slice(0, text.length - 100));
  const result = await heapsleuth('top', torn, '--limit', '1');
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /^heapsleuth: warning: .*torn\.ndjson: ignored a torn last line \d+/);
  assert.match(result.stdout, new RegExp(`^Top 1 lines of sample ${TICKS - 2} of ${TICKS - 1} in `));
});

/** Whether two snapshots hold the same traces (same stacks, sizes and counts, in order) and metadata. */
function sameSnapshot(a: Snapshot, b: Snapshot): boolean {
  const rows = (snapshot: Snapshot) => snapshot.traces.map((trace) => [trace.traceback.key, trace.size, trace.count]);
  assert.deepEqual(rows(a), rows(b));
  assert.deepEqual(a.metadata, b.metadata);
  return true;
}
