import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { Function as PprofFunction, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import { parseRecording, RecordingFormatError, snapshotOfSample, type Recording } from '../src/formats/recording.js';
import { parseProfileFile, ProfileLoadError, readProfileFile } from '../src/formats/load-profile.js';
import { PprofFormatError, snapshotFromPprof, snapshotToPprof } from '../src/formats/pprof.js';
import { HeapProfileFormatError, snapshotFromHeapProfile, snapshotToHeapProfile } from '../src/formats/heapprofile.js';
import { snapshotFromJSON, snapshotToJSON } from '../src/model/snapshot-json.js';
import { Snapshot } from '../src/model/snapshot.js';
import { analyzeRecordings } from '../src/analysis/analyze.js';
import { renderVerdict } from '../src/report/terminal-verdict.js';
import { cliPath, fixture, runNode } from './child-process.js';
import { syntheticSnapshot, tracesByKey } from './synthetic-snapshots.js';
import { tempDir } from './temp-dir.js';

/**
 * Every reader, fed bytes it was never meant to read, either returns a value (with
 * warnings) or throws its own error class with one short line; never a TypeError or
 * RangeError from inside, never a hang. What a reader returns must also survive the
 * rest of the pipeline (snapshots, statistics, the verdict) without throwing. Where the
 * answer is known (no header, garbage between good lines, a cut, a round trip), what
 * comes back is checked too.
 */

const SEED = 20260514;
const REAL_RECORDING = readFileSync(fixture('report-checkout.ndjson'), 'utf8');
const REAL_LINES = REAL_RECORDING.trimEnd().split('\n');
const work = tempDir('heapsleuth-fuzz-');

type ErrorClass = new (...args: never[]) => Error;

/** Runs `read`: a value is fine; an error must be one of `allowed`, in one line of reasonable length. */
function outcome<T>(read: () => T, allowed: ErrorClass[], what: string): T | undefined {
  try {
    return read();
  } catch (error) {
    assert.ok(error instanceof Error, `${what}: threw a non-error ${String(error)}`);
    assert.ok(
      allowed.some((kind) => error instanceof kind),
      `${what}: threw ${error.name} from inside: ${error.message}\n${error.stack ?? ''}`,
    );
    assert.doesNotMatch(error.message, /\n/, `${what}: the message is one line`);
    assert.ok(error.message.length <= 400, `${what}: the message is short (${error.message.length} chars)`);
    return undefined;
  }
}

/** The rest of the pipeline on a recording a reader accepted: none of it may throw. */
function useRecording(recording: Recording): void {
  for (const sample of recording.samples) {
    const snapshot = snapshotOfSample(recording, sample);
    snapshot.statistics('lineno');
    snapshot.statistics('filename', { cumulative: true });
  }
  const verdict = analyzeRecordings([recording]);
  renderVerdict(verdict, { color: false });
  JSON.stringify(verdict);
}

function useSnapshot(snapshot: Snapshot): void {
  for (const key of ['filename', 'lineno', 'function', 'traceback'] as const) snapshot.statistics(key);
  snapshot.compareTo(snapshot, 'lineno');
  snapshot.statistics('lineno').map(String);
}

function readRecording(text: string, what: string): Recording | undefined {
  const recording = outcome(() => parseRecording(text, 'fuzz.ndjson'), [RecordingFormatError], what);
  if (recording) useRecording(recording);
  return recording;
}

/** What a reader's samples hold, for comparing two readings: time and live bytes of each. */
function sampleTotals(recording: Recording): Array<[number, number]> {
  return recording.samples.map((sample) => [sample.time, Math.round(snapshotOfSample(recording, sample).totalSize)]);
}

const bytes = (maxLength = 2048) => fc.uint8Array({ maxLength });

test('recordings: random bytes and random text are rejected clearly; a header and random lines hold no sample', () => {
  // Without a header nothing is a recording: every one is rejected, in one line.
  fc.assert(
    fc.property(bytes(), (data) => assert.equal(readRecording(Buffer.from(data).toString('utf8'), 'random bytes'), undefined)),
    { seed: SEED, numRuns: 200 },
  );
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => assert.equal(readRecording(text, 'random text'), undefined)),
    { seed: SEED, numRuns: 200 },
  );
  // A valid header followed by random lines: read, and no sample comes out of them.
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.string({ maxLength: 80 }), fc.json()), { maxLength: 30 }), (lines) => {
      const recording = readRecording([REAL_LINES[0]!, ...lines].join('\n') + '\n', 'header and random lines');
      assert.ok(recording, 'a whole header is read');
      assert.equal(recording.samples.length, 0);
    }),
    { seed: SEED, numRuns: 200 },
  );
});

test('recordings: lines of garbage put anywhere after the header are warnings, and every sample still reads the same', () => {
  const clean = parseRecording(REAL_RECORDING, 'clean.ndjson');
  const expected = sampleTotals(clean);
  assert.equal(expected.length, 30);
  const garbage = fc.oneof(fc.string({ maxLength: 60 }).map((text) => `#${text}`), fc.constantFrom('{', '[1,2', 'null x', '{"type":'));
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: REAL_LINES.length }), garbage), { minLength: 1, maxLength: 8 }), (insertions) => {
      const lines = [...REAL_LINES];
      for (const [at, line] of [...insertions].sort((a, b) => b[0] - a[0])) lines.splice(at, 0, line);
      const recording = readRecording(lines.join('\n') + '\n', `garbage at ${insertions.map(([at]) => at).join(', ')}`);
      assert.ok(recording);
      assert.deepEqual(sampleTotals(recording), expected);
      assert.ok(recording.warnings.length >= 1, 'the garbage is reported');
    }),
    { seed: SEED, numRuns: 100 },
  );
});

test('recordings: a real recording cut at hundreds of offsets keeps every whole sample before the cut', () => {
  const total = REAL_LINES.filter((line) => line.includes('"type":"sample"')).length;
  const headerEnd = REAL_LINES[0]!.length;
  const offsets = new Set<number>();
  for (let offset = 0; offset <= REAL_RECORDING.length; offset += 37) offsets.add(offset);
  for (let offset = headerEnd - 5; offset <= headerEnd + 5; offset++) offsets.add(offset);
  offsets.add(REAL_RECORDING.length);
  assert.ok(offsets.size > 300);
  for (const offset of offsets) {
    const cut = REAL_RECORDING.slice(0, offset);
    const recording = outcome(() => parseRecording(cut, 'cut.ndjson'), [RecordingFormatError], `cut at ${offset}`);
    if (offset < headerEnd) {
      assert.equal(recording, undefined, `cut at ${offset} (inside the header) is rejected`);
      continue;
    }
    assert.ok(recording, `cut at ${offset}, after the header, is read`);
    // Whole lines, and a last line without its newline when it is complete JSON (cut right before the newline).
    const lastLine = cut.slice(cut.lastIndexOf('\n') + 1);
    const whole = cut.slice(0, cut.lastIndexOf('\n') + 1) + (isJSON(lastLine) ? lastLine : '');
    const expected = whole.split('\n').filter((line) => line.includes('"type":"sample"')).length;
    assert.equal(recording.samples.length, expected, `cut at ${offset}: every whole sample is kept`);
    assert.ok(recording.samples.length <= total);
    const torn = !cut.endsWith('\n') && cut.slice(cut.lastIndexOf('\n') + 1).trim() !== '';
    if (torn && !isJSON(cut.slice(cut.lastIndexOf('\n') + 1))) assert.match(recording.warnings.join('\n'), /torn last line/);
    useRecording(recording);
  }
});

test('recordings: torn in the middle (a chunk lost or repeated, lines spliced) still read what is whole', () => {
  fc.assert(
    fc.property(fc.nat(REAL_RECORDING.length), fc.nat(400), fc.boolean(), (at, length, repeat) => {
      const start = Math.max(REAL_LINES[0]!.length + 1, at);
      const text = repeat
        ? REAL_RECORDING.slice(0, start + length) + REAL_RECORDING.slice(start)
        : REAL_RECORDING.slice(0, start) + REAL_RECORDING.slice(start + length);
      const recording = outcome(() => parseRecording(text, 'torn.ndjson'), [RecordingFormatError], `torn at ${start}+${length}`);
      assert.ok(recording, 'a whole header is always read');
      useRecording(recording);
    }),
    { seed: SEED, numRuns: 200 },
  );
});

test('recordings: wrong types and missing fields on any line are skipped or rejected, never crash the pipeline', () => {
  const parsed = REAL_LINES.map((line) => JSON.parse(line) as Record<string, unknown>);
  const mutation = fc.record({
    line: fc.nat(parsed.length - 1),
    key: fc.nat(40),
    nested: fc.boolean(),
    remove: fc.boolean(),
    value: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(-1, 0, 1e308, -1e308, 2 ** 53, 1.5, '', 'x'.repeat(300), [], {}, [[]], [[1]], null)),
  });
  fc.assert(
    fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => {
      const lines = parsed.map((line) => structuredClone(line));
      for (const { line, key, nested, remove, value } of mutations) mutate(lines[line]!, key, nested, remove, value);
      readRecording(lines.map((line) => JSON.stringify(line)).join('\n') + '\n', `mutated ${JSON.stringify(mutations).slice(0, 200)}`);
    }),
    { seed: SEED, numRuns: 200 },
  );
});

test('recordings: wrong, future or missing versions and formats are rejected with a message that names the version', () => {
  const header = JSON.parse(REAL_LINES[0]!) as Record<string, unknown>;
  for (const version of [0, 3, 99, 1.5, '1', null, 'x'.repeat(5000)]) {
    const text = [JSON.stringify({ ...header, version }), ...REAL_LINES.slice(1)].join('\n');
    const recording = outcome(() => parseRecording(text, 'v.ndjson'), [RecordingFormatError], `version ${String(version).slice(0, 20)}`);
    assert.equal(recording, undefined, `version ${String(version).slice(0, 20)} is rejected`);
    assert.throws(() => parseRecording(text, 'v.ndjson'), /version .* is not supported; this heapsleuth reads versions 1 and 2/);
  }
  const { version: _version, ...withoutVersion } = header;
  assert.throws(() => parseRecording(JSON.stringify(withoutVersion), 'v.ndjson'), RecordingFormatError);
  assert.throws(() => parseRecording(JSON.stringify({ ...header, format: 'other' }), 'v.ndjson'), /not a heapsleuth recording/);
  assert.throws(() => parseRecording('', 'empty.ndjson'), /empty\.ndjson: empty file/);
  assert.throws(() => parseRecording('\n\n  \n', 'blank.ndjson'), RecordingFormatError);
  assert.throws(() => parseRecording('\u0000'.repeat(64), 'nul.ndjson'), RecordingFormatError);
});

test('recordings: huge lines (megabytes of one name, of garbage, of rows) are read or skipped', () => {
  const bigName = 'f'.repeat(8 * 1024 * 1024);
  const lines = [...REAL_LINES];
  lines.splice(1, 0, JSON.stringify({ type: 'frame', id: 999, file: bigName, line: 1, function: bigName }));
  lines.splice(2, 0, '{'.repeat(2_000_000));
  lines.splice(3, 0, '['.repeat(200_000) + ']'.repeat(200_000));
  lines.push(JSON.stringify({ type: 'sample', time: 1, memory: {}, rows: Array.from({ length: 200_000 }, (_, i) => [i, 1, 1]) }));
  const recording = outcome(() => parseRecording(lines.join('\n') + '\n', 'huge.ndjson'), [RecordingFormatError], 'huge lines');
  assert.ok(recording);
  assert.ok(recording.warnings.some((warning) => /corrupt line 3/.test(warning)));
  useRecording(recording);
});

test('heapsleuth snapshots: random JSON, wrong types and versions give one clear SyntaxError line', () => {
  const good = snapshotToJSON(
    parseProfileFile(Buffer.from(REAL_RECORDING), 'real.ndjson').snapshot(0),
  ) as unknown as Record<string, unknown>;
  const read = (data: unknown, what: string) => {
    const snapshot = outcome(() => snapshotFromJSON(data, 'fuzz.json'), [SyntaxError], what);
    if (snapshot) useSnapshot(snapshot);
  };
  fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), (json) => read(json, 'random JSON')), { seed: SEED, numRuns: 200 });
  fc.assert(
    fc.property(fc.constantFrom('format', 'version', 'metadata', 'frames', 'traces'), fc.jsonValue({ maxDepth: 3 }), fc.nat(5), (key, value, index) => {
      const data = structuredClone(good);
      const field = data[key];
      if (Array.isArray(field) && field.length > 0 && index < 3) (field as unknown[])[index % field.length] = value;
      else data[key] = value;
      read(data, `${key} := ${JSON.stringify(value).slice(0, 100)}`);
    }),
    { seed: SEED, numRuns: 200 },
  );
  assert.throws(() => snapshotFromJSON({ ...good, version: 2 }, 'v.json'), /version 2 is not supported/);

  // Snapshot.load: an empty file, a folder, random bytes.
  const empty = join(work, 'empty.json');
  writeFileSync(empty, '');
  assert.throws(() => Snapshot.load(empty), /not a heapsleuth snapshot \(invalid JSON\)/);
  const folder = join(work, 'a-folder.json');
  mkdirSync(folder, { recursive: true });
  assert.throws(() => Snapshot.load(folder), (error: NodeJS.ErrnoException) => error.code === 'EISDIR' && !error.message.includes('\n'));
  fc.assert(
    fc.property(bytes(512), (data) => {
      const path = join(work, 'random.json');
      writeFileSync(path, data);
      outcome(() => Snapshot.load(path), [SyntaxError], 'Snapshot.load of random bytes');
    }),
    { seed: SEED, numRuns: 100 },
  );
});

test('pprof: random bytes, gzipped random bytes and profiles with dangling references', () => {
  const read = (data: Uint8Array, what: string) => {
    const snapshot = outcome(() => snapshotFromPprof(data, { source: 'fuzz.pb.gz' }), [PprofFormatError], what);
    if (snapshot) useSnapshot(snapshot);
  };
  fc.assert(fc.property(bytes(), (data) => read(data, 'random bytes')), { seed: SEED, numRuns: 200 });
  fc.assert(fc.property(bytes(), (data) => read(gzipSync(data), 'gzipped random bytes')), { seed: SEED, numRuns: 100 });
  // Protobuf-looking bytes: a field-1 or field-2 tag followed by noise.
  fc.assert(fc.property(fc.constantFrom(0x0a, 0x12), bytes(), (tag, data) => read(Uint8Array.from([tag, ...data]), 'tagged noise')), {
    seed: SEED,
    numRuns: 200,
  });
  // Well-formed protobuf with nonsense inside: indexes past the string table, unknown ids, huge values.
  const big = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.constantFrom(2 ** 31, 2 ** 53 - 1, -(2 ** 53)));
  fc.assert(
    fc.property(
      fc.array(fc.string({ maxLength: 20 }), { maxLength: 8 }),
      fc.array(fc.tuple(big, big), { maxLength: 3 }),
      fc.array(fc.record({ id: big, functionId: big, line: big, address: fc.nat() }), { maxLength: 6 }),
      fc.array(fc.record({ id: big, name: big, filename: big }), { maxLength: 6 }),
      fc.array(fc.record({ locations: fc.array(big, { maxLength: 5 }), values: fc.array(big, { maxLength: 3 }) }), { maxLength: 8 }),
      fc.tuple(big, big, big),
      (strings, types, locations, functions, samples, [timeNanos, period, comment]) => {
        const table = new StringTable();
        for (const text of strings) table.dedup(text);
        const profile = new Profile({
          sampleType: types.map(([type, unit]) => new ValueType({ type, unit })),
          sample: samples.map((sample) => new Sample({ locationId: sample.locations, value: sample.values })),
          location: locations.map(
            (location) => new Location({ id: location.id, address: location.address, line: location.line === 0 ? [] : [new Line({ functionId: location.functionId, line: location.line })] }),
          ),
          function: functions.map((fn) => new PprofFunction({ id: fn.id, name: fn.name, filename: fn.filename })),
          stringTable: table,
          timeNanos,
          period,
          comment: [comment],
        });
        let encoded: Uint8Array;
        try {
          encoded = profile.encode();
        } catch {
          return; // values pprof-format itself refuses to encode
        }
        read(encoded, 'nonsense profile');
        read(gzipSync(encoded), 'nonsense profile, gzipped');
      },
    ),
    { seed: SEED, numRuns: 200 },
  );
});

test('pprof and .heapprofile: what heapsleuth writes reads back to the same traces, for any snapshot', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 0, max: 60 }), (seed, traces) => {
      const snapshot = syntheticSnapshot(seed, traces);
      const expected = tracesByKey(snapshot);
      assert.deepEqual(tracesByKey(snapshotFromPprof(snapshotToPprof(snapshot), { source: 'round.pb.gz' })), expected);
      assert.deepEqual(tracesByKey(snapshotFromHeapProfile(JSON.parse(JSON.stringify(snapshotToHeapProfile(snapshot))), { source: 'round.heapprofile' })), expected);
      assert.deepEqual(tracesByKey(snapshotFromJSON(JSON.parse(JSON.stringify(snapshotToJSON(snapshot))), 'round.json')), expected);
    }),
    { seed: SEED, numRuns: 100 },
  );
});

test('.heapprofile: random JSON, wrong types, and a tree deeper than any real stack', () => {
  const read = (json: unknown, what: string) => {
    const snapshot = outcome(() => snapshotFromHeapProfile(json, { source: 'fuzz.heapprofile' }), [HeapProfileFormatError], what);
    if (snapshot) useSnapshot(snapshot);
  };
  fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), (json) => read(json, 'random JSON')), { seed: SEED, numRuns: 200 });
  const node = fc.letrec((tie) => ({
    node: fc.record(
      {
        callFrame: fc.oneof(
          fc.record({ functionName: fc.oneof(fc.string(), fc.jsonValue()), url: fc.oneof(fc.string(), fc.jsonValue()), lineNumber: fc.oneof(fc.integer(), fc.jsonValue()), columnNumber: fc.jsonValue() }, { requiredKeys: [] }),
          fc.jsonValue(),
        ),
        selfSize: fc.oneof(fc.integer(), fc.double(), fc.jsonValue()),
        id: fc.oneof(fc.nat(20), fc.jsonValue()),
        children: fc.oneof({ maxDepth: 3 }, fc.array(tie('node'), { maxLength: 3 }), fc.jsonValue()),
      },
      { requiredKeys: [] },
    ),
  })).node;
  fc.assert(
    fc.property(node, fc.array(fc.oneof(fc.record({ nodeId: fc.nat(20), size: fc.nat(), ordinal: fc.nat() }), fc.jsonValue()), { maxLength: 10 }), (head, samples) =>
      read({ head, samples }, 'random tree'),
    ),
    { seed: SEED, numRuns: 200 },
  );
  // A chain of 100 000 nested nodes (no real stack is this deep): read, not a stack overflow.
  const depth = 100_000;
  const opening = Array.from({ length: depth }, (_, i) => `{"callFrame":{"functionName":"f${i}","url":"deep.js","lineNumber":${i},"columnNumber":0},"selfSize":0,"id":${i + 2},"children":[`);
  const leaf = '{"callFrame":{"functionName":"leaf","url":"deep.js","lineNumber":0,"columnNumber":0},"selfSize":8,"id":1,"children":[]}';
  const text = `{"head":${opening.join('')}${leaf}${']}'.repeat(depth)},"samples":[]}`;
  const snapshot = outcome(() => parseProfileFile(Buffer.from(text), 'deep.heapprofile').snapshot(0), [ProfileLoadError], 'deep tree');
  assert.ok(snapshot, 'a deep tree is read');
  assert.equal(snapshot.traces.length, 1);
  assert.equal(snapshot.traces[0]!.traceback.frames.length, depth);
  assert.equal(snapshot.traces[0]!.traceback.frames[0]!.functionName, 'leaf');
});

test('any file: parseProfileFile and readProfileFile on random bytes, empty files and folders', () => {
  fc.assert(
    fc.property(fc.oneof(bytes(), bytes().map((data) => Uint8Array.from([0x7b, ...data])), bytes().map((data) => gzipSync(data))), (data) => {
      const file = outcome(() => parseProfileFile(data, 'fuzz.bin'), [ProfileLoadError], 'random file');
      if (!file) return;
      for (let i = 0; i < file.times.length; i++) useSnapshot(file.snapshot(i));
    }),
    { seed: SEED, numRuns: 200 },
  );
  const empty = join(work, 'empty.bin');
  writeFileSync(empty, '');
  assert.throws(() => readProfileFile(empty), (error: Error) => error instanceof ProfileLoadError && /empty\.bin: /.test(error.message));
  assert.throws(() => readProfileFile(work), (error: Error) => error instanceof ProfileLoadError && /is a folder, not a file/.test(error.message));
  assert.throws(() => readProfileFile(join(work, 'missing.pb.gz')), (error: Error) => error instanceof ProfileLoadError && /no such file/.test(error.message));
});

interface CliCase {
  name: string;
  file: string;
  args: (file: string) => string[];
  message: RegExp;
}

test('the CLI: one clear line and exit code 2 when nothing usable remains, never a stack trace', async () => {
  const dir = join(work, 'cli');
  mkdirSync(join(dir, 'folder.ndjson'), { recursive: true });
  mkdirSync(join(dir, 'empty-folder'), { recursive: true });
  const header = JSON.parse(REAL_LINES[0]!) as Record<string, unknown>;
  const files: Record<string, string | Uint8Array> = {
    'empty.ndjson': '',
    'random.bin': Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 251),
    'future.ndjson': [JSON.stringify({ ...header, version: 3 }), ...REAL_LINES.slice(1)].join('\n') + '\n',
    'torn-header.ndjson': REAL_RECORDING.slice(0, 100),
    'not-json.ndjson': 'hello\nworld\n',
    'header-only.ndjson': REAL_LINES[0]! + '\n',
    'garbage-after-header.ndjson': [REAL_LINES[0]!, '{"type":"sample"', 'nonsense', '[1,2]'].join('\n') + '\n',
  };
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);

  const cases: CliCase[] = [];
  const commands: Array<[string, (file: string) => string[]]> = [
    ['analyze', (file) => ['analyze', file]],
    ['top', (file) => ['top', file]],
    ['diff', (file) => ['diff', file]],
    ['export', (file) => ['export', file, '-o', join(dir, 'out.pb.gz')]],
    ['report', (file) => ['report', file, '-o', join(dir, 'out.html')]],
  ];
  const expected: Record<string, RegExp> = {
    'empty.ndjson': /empty/,
    'random.bin': /not a (heapsleuth recording|profile heapsleuth reads)/,
    'future.ndjson': /version 3 is not supported/,
    'torn-header.ndjson': /not a heapsleuth recording|not a profile|invalid JSON/,
    'not-json.ndjson': /not a heapsleuth recording|not a profile/,
    'header-only.ndjson': /no samples|holds 0 snapshots/,
    'garbage-after-header.ndjson': /no samples|holds 0 snapshots/,
    'folder.ndjson': /folder/,
    'empty-folder': /folder/,
    'missing.ndjson': /no such file/,
  };
  for (const [file, message] of Object.entries(expected)) {
    for (const [name, args] of commands) cases.push({ name: `${name} ${file}`, file: join(dir, file), args, message });
  }

  for (const { name, file, args, message } of cases) {
    const result = await runNode([cliPath, ...args(file)], { timeoutMs: 30_000 });
    assert.equal(result.code, 2, `${name}: exit code 2 (got ${result.code}; stderr ${result.stderr})`);
    const errors = result.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('heapsleuth: warning:'));
    assert.equal(errors.length, 1, `${name}: one error line, got:\n${result.stderr}`);
    assert.match(errors[0]!, /^heapsleuth: /, name);
    assert.match(errors[0]!, message, name);
    assert.doesNotMatch(result.stderr, /^\s+at /m, `${name}: no stack trace`);
  }
});

function isJSON(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Replaces or deletes the `key`-th field of a line (or of the first object inside it). */
function mutate(line: Record<string, unknown>, key: number, nested: boolean, remove: boolean, value: unknown): void {
  let target = line;
  if (nested) {
    const inner = Object.values(line).find((field) => typeof field === 'object' && field !== null && !Array.isArray(field));
    if (inner) target = inner as Record<string, unknown>;
  }
  const keys = Object.keys(target);
  if (keys.length === 0) return;
  const name = keys[key % keys.length]!;
  if (remove) delete target[name];
  else target[name] = value;
}
