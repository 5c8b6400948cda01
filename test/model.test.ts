import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Filter, Frame, Snapshot, Traceback, formatSize, type Trace } from '../src/index.js';
import { tempDir } from './temp-dir.js';

const handler = new Frame('src/routes/login.ts', 17, 'handle');
const remember = new Frame('src/cache.ts', 42, 'remember');
const builtin = new Frame('', 0, 'push');
const internal = new Frame('node:internal/timers', 500, 'listOnTimeout');
const render = new Frame('src/render.ts', 3, 'render');

function trace(frames: Frame[], size: number, count: number): Trace {
  return { traceback: new Traceback(frames), size, count };
}

function snapshot(traces: Trace[], samplingIntervalBytes = 0): Snapshot {
  return new Snapshot(traces, { runtime: 'node', takenAt: '2026-01-01T00:00:00.000Z', samplingIntervalBytes, stackDepth: 64 });
}

test('sizes print as tracemalloc prints them', () => {
  assert.equal(formatSize(0), '0 B');
  assert.equal(formatSize(5120, true), '+5120 B');
  assert.equal(formatSize(15.3 * 1024), '15.3 KiB');
  assert.equal(formatSize(1840 * 1024), '1840 KiB');
  assert.equal(formatSize(-38.2 * 1024 * 1024, true), '-38.2 MiB');
  assert.equal(formatSize(-0.2, true), '+0 B');
});

test('the blame frame skips builtins and node internals', () => {
  const traceback = new Traceback([builtin, remember, handler, internal]);
  assert.equal(traceback.blameFrame, remember);
  assert.equal(new Traceback([builtin, internal]).blameFrame, builtin);
});

test('the blame frame skips code that has no file a person can open', () => {
  const notFiles = ['', '(native)', 'evalmachine.<anonymous>', '[eval]', '[eval1]', 'wasm://wasm/1a2b', 'webpack://app/src/x.ts', '<frozen importlib._bootstrap>'];
  for (const file of notFiles) {
    const compiled = new Frame(file, 1, 'compiled');
    assert.equal(compiled.isUserCode, false, file);
    assert.equal(new Traceback([compiled, remember, handler]).blameFrame, remember, file);
  }
  for (const file of ['src/cache.ts', 'node_modules/lru/index.js', '/srv/app/server.js', 'C:/srv/app/server.js', 'weird name (1).js']) {
    assert.equal(new Frame(file, 1).isUserCode, true, file);
  }
});

test('statistics group by the blame frame and sort by size', () => {
  const snap = snapshot([trace([builtin, remember, handler], 3000, 3), trace([remember, internal], 1000, 1), trace([render, handler], 2000, 4)]);
  const lines = snap.statistics('lineno').map(String);
  assert.deepEqual(lines, [
    'src/cache.ts:42: size=4000 B, count=4, average=1000 B',
    'src/render.ts:3: size=2000 B, count=4, average=500 B',
  ]);
  assert.deepEqual(snap.statistics('filename').map((s) => s.traceback.mostRecent!.file), ['src/cache.ts', 'src/render.ts']);
  assert.equal(String(snap.statistics('function')[0]), 'src/cache.ts:42 remember(): size=4000 B, count=4, average=1000 B');
});

test('cumulative statistics count every frame of a stack once', () => {
  const snap = snapshot([trace([remember, handler, remember], 3000, 3), trace([render, handler], 2000, 4)]);
  const byFile = new Map(snap.statistics('filename', { cumulative: true }).map((s) => [s.traceback.mostRecent!.file, s.size]));
  assert.equal(byFile.get('src/routes/login.ts'), 5000);
  assert.equal(byFile.get('src/cache.ts'), 3000);
  assert.throws(() => snap.statistics('traceback', { cumulative: true }), /cumulative/);
});

test('compareTo sorts by absolute change and keeps groups that disappeared', () => {
  const old = snapshot([trace([remember], 1000, 1), trace([render], 9000, 9)]);
  const now = snapshot([trace([remember], 6120, 4), trace([handler], 500, 1)]);
  const diffs = now.compareTo(old, 'lineno');
  assert.deepEqual(
    diffs.map((d) => [d.traceback.mostRecent!.file, d.sizeDiff]),
    [['src/render.ts', -9000], ['src/cache.ts', 5120], ['src/routes/login.ts', 500]],
  );
  assert.equal(String(diffs[1]), 'src/cache.ts:42: size=6120 B (+5120 B), count=4 (+3), average=1530 B');
});

test('sampled snapshots print samples instead of counts', () => {
  const snap = snapshot([trace([remember], 1840 * 1024, 120)], 65536);
  assert.equal(String(snap.statistics('lineno')[0]), 'src/cache.ts:42: size=1840 KiB, samples=120');
});

test('tracebacks format like Python, oldest call first, with limits', () => {
  const traceback = new Traceback([remember, handler, internal]);
  assert.deepEqual(traceback.format(), [
    '  File "node:internal/timers", line 500, in listOnTimeout',
    '  File "src/routes/login.ts", line 17, in handle',
    '  File "src/cache.ts", line 42, in remember',
  ]);
  assert.deepEqual(traceback.format(1), ['  File "src/cache.ts", line 42, in remember']);
  assert.deepEqual(traceback.format(-1), ['  File "node:internal/timers", line 500, in listOnTimeout']);
  assert.equal(traceback.format(2, true)[0], '  File "src/cache.ts", line 42, in remember');
  assert.equal(String(new Traceback([remember, handler])), 'remember (src/cache.ts:42) <- handle (src/routes/login.ts:17)');
});

test('filters include and exclude by file pattern, line and all frames', () => {
  const snap = snapshot([trace([remember, handler], 100, 1), trace([render, handler], 200, 1), trace([builtin, internal], 300, 1)]);
  const files = (s: Snapshot) => s.statistics('filename').map((stat) => stat.traceback.mostRecent!.file).sort();
  assert.deepEqual(files(snap.filterTraces([Filter.include('src/*')])), ['src/cache.ts', 'src/render.ts']);
  assert.deepEqual(files(snap.filterTraces([Filter.exclude('src/cache.ts')])), ['(native)', 'src/render.ts'].map((f) => (f === '(native)' ? '' : f)).sort());
  assert.deepEqual(files(snap.filterTraces([Filter.include('src/cache.ts', { lineno: 41 })])), []);
  assert.deepEqual(files(snap.filterTraces([Filter.include('src/routes/*', { allFrames: true })])), ['src/cache.ts', 'src/render.ts']);
});

test('dump and load keep every trace', () => {
  const dir = tempDir('heapsleuth-');
  const snap = snapshot([trace([remember, handler], 1234, 2), trace([render], 99, 1)], 16384);
  snap.dump(join(dir, 'a.snapshot'));
  const again = Snapshot.load(join(dir, 'a.snapshot'));
  assert.deepEqual(again.statistics('traceback').map(String), snap.statistics('traceback').map(String));
  assert.equal(again.metadata.samplingIntervalBytes, 16384);
  assert.equal(again.traces[0]!.traceback.frames[1]!.functionName, 'handle');
});

test('loading something that is not a snapshot says so', async () => {
  const dir = tempDir('heapsleuth-');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(dir, 'bad'), '{"format":"heapsleuth-snapshot","version":99}');
  assert.throws(() => Snapshot.load(join(dir, 'bad')), /version 99 is not supported/);
  writeFileSync(join(dir, 'junk'), 'not json');
  assert.throws(() => Snapshot.load(join(dir, 'junk')), /invalid JSON/);
});
