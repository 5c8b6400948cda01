import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Frame } from '../src/model/frame.js';
import { Snapshot } from '../src/model/snapshot.js';
import { Traceback } from '../src/model/traceback.js';
import { RecordingEncoder } from '../src/formats/recording.js';
import { snapshotFromPprof, snapshotToPprof } from '../src/formats/pprof.js';
import { snapshotToHeapProfile } from '../src/formats/heapprofile.js';
import { parseProfileFile, ProfileLoadError, readProfileFile, selectSnapshotIndex } from '../src/formats/load-profile.js';
import { cliPath, fixture, runChild, type ChildResult } from './child-process.js';
import { tracesByKey } from './synthetic-snapshots.js';
import { tempDir } from './temp-dir.js';

const dir = tempDir('heapsleuth-cli-snapshots-');
const START = Date.parse('2024-05-01T12:00:00.000Z');
const MiB = 1024 * 1024;
const remember = new Traceback([new Frame('src/cache.ts', 42, 'remember', 2), new Frame('src/routes/login.ts', 17, 'handle', 0)]);
const serve = new Traceback([new Frame('src/server.ts', 5, 'serve', 0)]);
const warmup = new Traceback([new Frame('src/config.ts', 3, 'load', 0)]);

/** Sample i of the recording: remember() grows 1 MiB a minute, serve() stays at 2 MiB, load() frees its memory. */
function snapshotAt(i: number): Snapshot {
  return new Snapshot(
    [
      { traceback: remember, size: (i + 1) * MiB, count: (i + 1) * 16 },
      { traceback: serve, size: 2 * MiB, count: 32 },
      { traceback: warmup, size: Math.max(0, 3 - i) * 256 * 1024, count: Math.max(0, 3 - i) * 4 },
    ].filter((trace) => trace.size > 0),
    { runtime: 'node', takenAt: new Date(START + i * 60_000).toISOString(), samplingIntervalBytes: 65536, stackDepth: 64 },
  );
}

function writeRecording(samples: number): string {
  const encoder = new RecordingEncoder();
  let text = encoder.encodeHeader({
    runtime: 'node',
    runtimeVersion: 'v20.0.0',
    pid: 4121,
    hostname: 'test',
    service: 'api',
    argv: ['node', 'server.js'],
    cwd: '/srv/api',
    startTime: new Date(START).toISOString(),
    sampling: { sampler: 'inspector', intervalBytes: 65536, stackDepth: 64 },
    limits: {},
    agent: { name: 'heapsleuth', version: '0.0.0' },
  });
  for (let i = 0; i < samples; i++) {
    const memory = { rss: 100 * MiB, heapTotal: 50 * MiB, heapUsed: 40 * MiB, external: MiB, arrayBuffers: 0 };
    text += encoder.encodeSample(snapshotAt(i), { time: START + i * 60_000, memory });
    encoder.commit();
  }
  const path = join(dir, `api-${samples}.ndjson`);
  writeFileSync(path, text);
  return path;
}

const recording = writeRecording(6);

/** Runs `heapsleuth <name> args` in a child process. */
function heapsleuth(name: string, ...args: string[]): Promise<ChildResult> {
  return runChild(process.execPath, [cliPath, name, ...args], { timeoutMs: 30_000 });
}

test('load-profile tells recordings, pprof, .heapprofile (plain or gzipped) and snapshot dumps apart by content', () => {
  const snapshot = snapshotAt(2);
  const files: [string, Uint8Array, string][] = [
    ['a.pb.gz', snapshotToPprof(snapshot), 'pprof'],
    ['a.heapprofile', Buffer.from(JSON.stringify(snapshotToHeapProfile(snapshot))), 'heapprofile'],
    ['a.heapprofile.gz', gzipSync(JSON.stringify(snapshotToHeapProfile(snapshot))), 'heapprofile'],
    ['misnamed.json', snapshotToPprof(snapshot), 'pprof'],
  ];
  for (const [name, bytes, kind] of files) {
    const file = parseProfileFile(bytes, name);
    assert.equal(file.kind, kind, name);
    assert.deepEqual(file.times, [START + 2 * 60_000], name);
    assert.deepEqual(tracesByKey(file.snapshot(0)), tracesByKey(snapshot), name);
  }
  const dumpPath = join(dir, 'dump.json');
  snapshot.dump(dumpPath);
  assert.equal(readProfileFile(dumpPath).kind, 'snapshot');
  const rec = readProfileFile(recording);
  assert.equal(rec.kind, 'recording');
  assert.equal(rec.times.length, 6);
  assert.deepEqual(tracesByKey(rec.snapshot(3)), tracesByKey(snapshotAt(3)));

  assert.throws(() => parseProfileFile(Buffer.from('hello world\n'), 'notes.txt'), (error: unknown) => {
    assert.ok(error instanceof ProfileLoadError);
    assert.equal(error.message, 'notes.txt: not a profile heapsleuth reads (expected a recording, pprof, .heapprofile or heapsleuth snapshot)');
    return true;
  });
  assert.throws(() => parseProfileFile(Buffer.from('{"nodes": []}'), 'cpu.json'), /^ProfileLoadError: cpu\.json: JSON, but not a \.heapprofile/);
  assert.throws(() => readProfileFile(join(dir, 'missing.pb.gz')), /missing\.pb\.gz: no such file$/);
});

test('--at picks by index (negative from the end) or by time (the latest sample at or before it)', () => {
  const file = readProfileFile(recording);
  assert.equal(selectSnapshotIndex(file, undefined), 5);
  assert.equal(selectSnapshotIndex(file, '0'), 0);
  assert.equal(selectSnapshotIndex(file, '-2'), 4);
  assert.equal(selectSnapshotIndex(file, '2024-05-01T12:02:00Z'), 2);
  assert.equal(selectSnapshotIndex(file, '2024-05-01T12:02:59.999Z'), 2);
  assert.equal(selectSnapshotIndex(file, '2030-01-01T00:00:00Z'), 5);
  assert.throws(() => selectSnapshotIndex(file, '6'), /sample 6 does not exist \(it holds 6 samples: 0\.\.5, or -1 for the last\)/);
  assert.throws(() => selectSnapshotIndex(file, '-7'), /sample -7 does not exist/);
  assert.throws(() => selectSnapshotIndex(file, '2024-05-01T11:59:59Z'), /no sample at or before 2024-05-01T11:59:59\.000Z \(the first is at 2024-05-01T12:00:00\.000Z\)/);
  assert.throws(() => selectSnapshotIndex(file, 'yesterday'), /cannot read "yesterday" as a sample index or an ISO time/);
});

test('heapsleuth top prints tracemalloc-style statistics lines under a header naming the snapshot', async () => {
  const result = await heapsleuth('top', recording);
  assert.equal(result.code, 0, result.stderr);
  const lines = result.stdout.trimEnd().split('\n');
  assert.equal(lines[0], `Top 2 lines of sample 5 of 6 in ${recording} at 2024-05-01T12:05:00.000Z`);
  assert.equal(lines[1], 'src/cache.ts:42: size=6144 KiB, samples=96');
  assert.equal(lines[2], 'src/server.ts:5: size=2048 KiB, samples=32');
  assert.equal(lines[3], 'Total: size=8192 KiB, samples=128');

  const early = await heapsleuth('top', recording, '--at', '2024-05-01T12:01:30Z', '--key', 'function', '--limit', '1');
  assert.equal(early.code, 0, early.stderr);
  assert.deepEqual(early.stdout.trimEnd().split('\n'), [
    `Top 1 functions of sample 1 of 6 in ${recording} at 2024-05-01T12:01:00.000Z`,
    'src/cache.ts:42 remember(): size=2048 KiB, samples=32',
    '2 other: size=2560 KiB',
    'Total: size=4608 KiB, samples=72',
  ]);

  const json = await heapsleuth('top', recording, '--at', '0', '--json', '--key', 'traceback');
  assert.equal(json.code, 0, json.stderr);
  const parsed = JSON.parse(json.stdout) as { snapshot: { index: number }; keyType: string; totalSize: number; stats: { rank: number; file: string; size: number; traceback: unknown[] }[] };
  assert.equal(parsed.snapshot.index, 0);
  assert.equal(parsed.keyType, 'traceback');
  assert.equal(parsed.totalSize, 3.75 * MiB);
  assert.deepEqual(parsed.stats.map((stat) => [stat.rank, stat.file, stat.size, stat.traceback.length]), [
    [1, 'src/server.ts', 2 * MiB, 1],
    [2, 'src/cache.ts', MiB, 2],
    [3, 'src/config.ts', 0.75 * MiB, 1],
  ]);
});

test('heapsleuth diff compares the first and last samples of a recording, or two profiles of any kind', async () => {
  const result = await heapsleuth('diff', recording);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(result.stdout.trimEnd().split('\n'), [
    'Top 3 differences by lines',
    `  from sample 0 of 6 in ${recording} at 2024-05-01T12:00:00.000Z`,
    `  to   sample 5 of 6 in ${recording} at 2024-05-01T12:05:00.000Z`,
    'src/cache.ts:42: size=6144 KiB (+5120 KiB), samples=96 (+80)',
    'src/config.ts:3: size=0 B (-768 KiB), samples=0 (-12)',
    'src/server.ts:5: size=2048 KiB (+0 B), samples=32 (+0)',
    'Total: size=8192 KiB (+4352 KiB), samples=128 (+68)',
  ]);

  const old = join(dir, 'old.pb.gz');
  const newer = join(dir, 'new.heapprofile');
  writeFileSync(old, snapshotToPprof(snapshotAt(1)));
  writeFileSync(newer, JSON.stringify(snapshotToHeapProfile(snapshotAt(4))));
  const mixed = await heapsleuth('diff', old, newer, '--key', 'filename', '--json');
  assert.equal(mixed.code, 0, mixed.stderr);
  const parsed = JSON.parse(mixed.stdout) as { old: { kind: string }; new: { kind: string }; diffs: { file: string; sizeDiff: number; countDiff: number }[] };
  assert.equal(parsed.old.kind, 'pprof');
  assert.equal(parsed.new.kind, 'heapprofile');
  assert.deepEqual(parsed.diffs.map((diff) => [diff.file, diff.sizeDiff, diff.countDiff]), [
    ['src/cache.ts', 3 * MiB, 48],
    ['src/config.ts', -512 * 1024, -8],
    ['src/server.ts', 0, 0],
  ]);

  const between = await heapsleuth('diff', recording, '--from', '2', '--to', '2024-05-01T12:03:10Z', '--limit', '1');
  assert.equal(between.code, 0, between.stderr);
  assert.match(between.stdout, /^src\/cache\.ts:42: size=4096 KiB \(\+1024 KiB\), samples=64 \(\+16\)$/m);
});

test('heapsleuth export writes pprof and .heapprofile that read back as the chosen sample', async () => {
  const pprofPath = join(dir, 'export.pb.gz');
  const result = await heapsleuth('export', recording, '--at', '3', '-o', pprofPath);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /^heapsleuth: wrote .*export\.pb\.gz \(pprof, 2 stacks, 6144 KiB live\) from sample 3 of 6/);
  const fromPprof = snapshotFromPprof(readFileSync(pprofPath));
  assert.deepEqual(tracesByKey(fromPprof), tracesByKey(snapshotAt(3)));
  assert.equal(fromPprof.metadata.takenAt, '2024-05-01T12:03:00.000Z');

  const heapPath = join(dir, 'export.out');
  const heap = await heapsleuth('export', recording, '--format', 'heapprofile', '-o', heapPath);
  assert.equal(heap.code, 0, heap.stderr);
  const back = readProfileFile(heapPath);
  assert.equal(back.kind, 'heapprofile');
  assert.deepEqual(tracesByKey(back.snapshot(0)), tracesByKey(snapshotAt(5)));
});

test('bad input and bad flags exit 2 with one line on stderr', async () => {
  const single = join(dir, 'single.pb.gz');
  writeFileSync(single, snapshotToPprof(snapshotAt(0)));
  const cases: [string, string[], RegExp][] = [
    ['top', [join(dir, 'missing.ndjson')], /^heapsleuth: .*missing\.ndjson: no such file$/],
    ['top', [recording, '--at', '99'], /^heapsleuth: .*: sample 99 does not exist \(it holds 6 samples: 0\.\.5, or -1 for the last\)$/],
    ['top', [recording, '--key', 'module'], /^heapsleuth: --key: unknown key "module"; use one of filename, lineno, function, traceback$/],
    ['top', [recording, '--cumulative', '--key', 'traceback'], /^heapsleuth: --cumulative cannot be used with --key traceback$/],
    ['top', [recording, '--bogus'], /^heapsleuth: top: Unknown option '--bogus'.*See 'heapsleuth top --help'\.$/],
    ['diff', [single], /^heapsleuth: .*single\.pb\.gz: holds 1 snapshot; diff needs two/],
    ['export', [recording, '-o', join(dir, 'x.bin')], /^heapsleuth: --format: say pprof or heapprofile/],
    ['export', [recording, '--format', 'svg', '-o', join(dir, 'x.svg')], /^heapsleuth: --format: unknown format "svg"; use pprof or heapprofile$/],
    ['export', [recording], /^heapsleuth: export: name the output file with -o FILE/],
  ];
  for (const [name, args, expected] of cases) {
    const result = await heapsleuth(name, ...args);
    assert.equal(result.code, 2, `${name} ${args.join(' ')}: ${result.stderr}`);
    assert.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
    assert.match(result.stderr.trimEnd(), expected);
    assert.equal(result.stdout, '');
  }
});

test('heapsleuth diff reads and diffs two heap profiles written by @datadog/pprof in real processes', async (t) => {
  try {
    await import('@datadog/pprof' as string);
  } catch {
    t.skip('@datadog/pprof is not installed');
    return;
  }
  const before = join(dir, 'dd-before.pb.gz');
  const after = join(dir, 'dd-after.pb.gz');
  for (const [out, chunks] of [[before, '10000'], [after, '40000']] as const) {
    const run = await runChild(process.execPath, [fixture('profiles/datadog-heap.mjs'), out, chunks], { timeoutMs: 30_000 });
    assert.equal(run.code, 0, run.stderr);
  }
  const result = await heapsleuth('diff', before, after, '--limit', '1', '--json');
  assert.equal(result.code, 0, result.stderr);
  const parsed = JSON.parse(result.stdout) as { old: { kind: string }; diffs: { file: string; line: number; function: string; sizeDiff: number }[] };
  assert.equal(parsed.old.kind, 'pprof');
  const top = parsed.diffs[0]!;
  assert.deepEqual([top.file, top.line, top.function], ['test/fixtures/profiles/datadog-heap.mjs', 9, 'retainChunks']);
  // 30000 more objects of roughly 300 bytes: millions of bytes more, as V8 estimates them.
  assert.ok(top.sizeDiff > 3_000_000, `grew by ${top.sizeDiff} bytes`);
});
