import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';
import { Function as PprofFunction, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import { PprofFormatError, snapshotFromPprof, snapshotToPprof } from '../src/formats/pprof.js';
import { start, stop, takeSnapshot } from '../src/agent/heap-tracing.js';
import { fixture, repoRoot } from './child-process.js';
import { datadogStyleProfile, syntheticSnapshot, tracesByKey } from './synthetic-snapshots.js';
import { tempDir } from './temp-dir.js';

test('snapshot -> pprof -> snapshot keeps every trace: frames, sizes, counts and metadata', () => {
  for (const seed of [1, 2, 3]) {
    const snapshot = syntheticSnapshot(seed);
    const bytes = snapshotToPprof(snapshot);
    assert.equal(bytes[0], 0x1f, 'gzipped');
    assert.equal(bytes[1], 0x8b, 'gzipped');
    const back = snapshotFromPprof(bytes);
    assert.deepEqual(tracesByKey(back), tracesByKey(snapshot));
    assert.deepEqual(back.metadata, snapshot.metadata);
    // Frames keep their column (pprof's is 1-based, ours 0-based).
    const columns = back.traces.flatMap((trace) => trace.traceback.frames.map((frame) => frame.column));
    assert.ok(columns.includes(14));
    // The same statistics lines come out.
    assert.deepEqual(back.statistics('lineno').map(String), snapshot.statistics('lineno').map(String));
  }
});

test('a real snapshot of this process round-trips through pprof', () => {
  start({ samplingIntervalBytes: 4096 });
  const keep: object[] = [];
  for (let i = 0; i < 5000; i++) keep.push({ i, values: new Array(16).fill(i) });
  const snapshot = takeSnapshot();
  stop();
  assert.ok(keep.length === 5000 && snapshot.traces.length > 0);
  const back = snapshotFromPprof(snapshotToPprof(snapshot));
  assert.deepEqual(tracesByKey(back), tracesByKey(snapshot));
  assert.equal(back.totalSize, snapshot.totalSize);
  assert.equal(back.metadata.samplingIntervalBytes, 4096);
});

test('the exported profile decodes with an independent decoder against profile.proto', async () => {
  const snapshot = syntheticSnapshot(7);
  const root = await protobuf.load(fixture('profiles/profile.proto'));
  const ProfileMessage = root.lookupType('perftools.profiles.Profile');
  const decoded = ProfileMessage.toObject(ProfileMessage.decode(gunzipSync(snapshotToPprof(snapshot))), { longs: Number, defaults: true }) as {
    sampleType: { type: number; unit: number }[];
    sample: { locationId: number[]; value: number[] }[];
    location: { id: number; line: { functionId: number; line: number; column: number }[] }[];
    function: { id: number; name: number; filename: number; startLine: number }[];
    stringTable: string[];
    periodType: { type: number; unit: number };
    period: number;
    timeNanos: number;
    defaultSampleType: number;
  };
  const s = decoded.stringTable;
  assert.equal(s[0], '', 'string_table[0] must be the empty string');
  assert.deepEqual(decoded.sampleType.map((t) => `${s[t.type]}/${s[t.unit]}`), ['inuse_objects/count', 'inuse_space/bytes']);
  assert.equal(`${s[decoded.periodType.type]}/${s[decoded.periodType.unit]}`, 'space/bytes');
  assert.equal(decoded.period, 65536);
  assert.equal(s[decoded.defaultSampleType], 'inuse_space');
  assert.equal(decoded.timeNanos, Date.parse('2024-05-01T12:34:56.789Z') * 1e6);
  assert.equal(decoded.sample.length, snapshot.traces.length);

  const functions = new Map(decoded.function.map((fn) => [fn.id, fn]));
  const locations = new Map(decoded.location.map((location) => [location.id, location]));
  for (const id of [...functions.keys(), ...locations.keys()]) assert.ok(id > 0, 'ids are non-zero');
  const described = decoded.sample.map((sample) => {
    const frames = sample.locationId.map((id) => {
      const location = locations.get(id);
      assert.ok(location, `location ${id} exists`);
      assert.equal(location.line.length, 1);
      const line = location.line[0]!;
      const fn = functions.get(line.functionId);
      assert.ok(fn, `function ${line.functionId} exists`);
      return `${s[fn.name] || ''} (${s[fn.filename] || '(native)'}:${line.line})`;
    });
    return { stack: frames.join(' <- '), count: sample.value[0], size: sample.value[1] };
  });
  const expected = snapshot.traces.map((trace) => ({
    stack: trace.traceback.frames.map((frame) => `${frame.functionName} (${frame.file || '(native)'}:${frame.line})`).join(' <- '),
    count: trace.count,
    size: trace.size,
  }));
  const order = (a: { stack: string }, b: { stack: string }) => (a.stack < b.stack ? -1 : a.stack > b.stack ? 1 : 0);
  assert.deepEqual(described.sort(order), expected.sort(order));
});

test('reads heap profiles shaped as @datadog/pprof and Pyroscope write them (objects/space)', () => {
  const cwd = '/srv/app';
  const snapshot = snapshotFromPprof(datadogStyleProfile(cwd, 1), { cwd });
  assert.equal(snapshot.metadata.samplingIntervalBytes, 524288);
  assert.equal(snapshot.metadata.takenAt, '2024-05-01T10:01:00.000Z');
  const stats = snapshot.statistics('lineno').map(String);
  assert.deepEqual(stats, ['dist/cache.js:42: size=8832 B, samples=12', 'node_modules/body-parser/lib/read.js:120: size=1280 B, samples=5']);
  const remember = snapshot.traces.find((trace) => trace.traceback.mostRecent?.functionName === 'remember');
  assert.equal(remember?.traceback.toString(), 'remember (dist/cache.js:42) <- handle (dist/routes.js:17) <- (anonymous) (dist/server.js:1)');
  assert.equal(snapshot.traces.length, 2, 'samples of one stack are merged');
});

test('reads Go-style heap profiles: picks inuse_space/inuse_objects among alloc_*, unfolds inlined lines', () => {
  const strings = new StringTable();
  const type = (name: string, unit: string) => new ValueType({ type: strings.dedup(name), unit: strings.dedup(unit) });
  const fn = (id: number, name: string) => new PprofFunction({ id, name: strings.dedup(name), systemName: strings.dedup(name), filename: strings.dedup('main.go') });
  const profile = new Profile({
    sampleType: [type('alloc_objects', 'count'), type('alloc_space', 'bytes'), type('inuse_objects', 'count'), type('inuse_space', 'bytes')],
    sample: [new Sample({ locationId: [1, 2], value: [100, 9999, 3, 3072] })],
    location: [
      // Inlined: line[0] is the innermost call.
      new Location({ id: 1, address: 0x4010, line: [new Line({ functionId: 1, line: 12 }), new Line({ functionId: 2, line: 30 })] }),
      new Location({ id: 2, address: 0x7fff10 }),
    ],
    function: [fn(1, 'main.grow'), fn(2, 'main.serve')],
    stringTable: strings,
    periodType: type('space', 'bytes'),
    period: 524288,
  });
  // Plain protobuf this time: the reader takes it as well as gzip.
  const snapshot = snapshotFromPprof(profile.encode(), { takenAt: '2024-01-01T00:00:00.000Z' });
  assert.equal(snapshot.traces.length, 1);
  const trace = snapshot.traces[0]!;
  assert.equal(trace.size, 3072);
  assert.equal(trace.count, 3);
  assert.equal(trace.traceback.toString(), 'main.grow (main.go:12) <- main.serve (main.go:30) <- 0x7fff10 ((native):0)');
  assert.equal(snapshot.metadata.takenAt, '2024-01-01T00:00:00.000Z', 'falls back to the given time when the profile has none');
});

test('profiles that are not heap profiles, and bytes that are not pprof, give one-line errors', () => {
  const strings = new StringTable();
  const cpu = new Profile({
    sampleType: [new ValueType({ type: strings.dedup('samples'), unit: strings.dedup('count') }), new ValueType({ type: strings.dedup('cpu'), unit: strings.dedup('nanoseconds') })],
    stringTable: strings,
  });
  assert.throws(() => snapshotFromPprof(cpu.encode(), { source: 'cpu.pb' }), (error: unknown) => {
    assert.ok(error instanceof PprofFormatError);
    assert.equal(error.message, 'cpu.pb: not a heap profile: no inuse_space or space sample type (found samples/count, cpu/nanoseconds)');
    return true;
  });
  assert.throws(() => snapshotFromPprof(new Uint8Array([0x1f, 0x8b, 1, 2, 3]), { source: 'bad.pb.gz' }), /^PprofFormatError: bad\.pb\.gz: cannot gunzip/);
  assert.throws(() => snapshotFromPprof(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), { source: 'torn.pb' }), /torn\.pb: not a pprof heap profile/);
});

test('go tool pprof -top reads the export (when Go is installed)', (t) => {
  let go: string;
  try {
    go = execFileSync('which', ['go'], { encoding: 'utf8' }).trim();
  } catch {
    t.skip('go is not installed');
    return;
  }
  const dir = tempDir('heapsleuth-pprof-');
  const file = join(dir, 'heap.pb.gz');
  writeFileSync(file, snapshotToPprof(syntheticSnapshot(5)));
  const output = execFileSync(go, ['tool', 'pprof', '-top', '-sample_index=inuse_space', file], { encoding: 'utf8', timeout: 50_000 });
  assert.match(output, /remember|handle|Session/);
});

/** Whether @datadog/pprof (an optional dependency with prebuilt binaries) loads on this machine. */
export async function datadogPprofAvailable(): Promise<boolean> {
  try {
    await import('@datadog/pprof' as string);
    return true;
  } catch {
    return false;
  }
}

test('a heap profile written by @datadog/pprof for a real process reads as a snapshot', async (t) => {
  if (!(await datadogPprofAvailable())) {
    t.skip('@datadog/pprof is not installed');
    return;
  }
  const dir = tempDir('heapsleuth-datadog-');
  const out = join(dir, 'heap.pb.gz');
  execFileSync(process.execPath, [fixture('profiles/datadog-heap.mjs'), out, '20000'], { timeout: 50_000 });
  const snapshot = snapshotFromPprof(readFileSync(out), { cwd: repoRoot, source: out });
  assert.equal(snapshot.metadata.samplingIntervalBytes, 4096);
  const top = snapshot.statistics('lineno')[0]!;
  assert.equal(String(top.traceback.blameFrame?.describe()), 'retainChunks (test/fixtures/profiles/datadog-heap.mjs:9)');
  // 20000 objects with a 32-element array each: several MB live, estimated by V8.
  assert.ok(top.size > 2_000_000 && top.size < 50_000_000, `retainChunks holds ${top.size} bytes`);
  // And heapsleuth's own export of it reads back the same.
  assert.deepEqual(tracesByKey(snapshotFromPprof(snapshotToPprof(snapshot))), tracesByKey(snapshot));
});
