import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Frame } from '../src/model/frame.js';
import { Snapshot } from '../src/model/snapshot.js';
import { Traceback } from '../src/model/traceback.js';
import { HeapProfileFormatError, snapshotFromHeapProfile, snapshotToHeapProfile, type HeapProfileNode } from '../src/formats/heapprofile.js';
import { readProfileFile } from '../src/formats/load-profile.js';
import { fixture, repoRoot } from './child-process.js';
import { syntheticSnapshot, tracesByKey } from './synthetic-snapshots.js';
import { tempDir } from './temp-dir.js';

function* nodesOf(node: HeapProfileNode): Generator<HeapProfileNode> {
  yield node;
  for (const child of node.children) yield* nodesOf(child);
}

test('snapshot -> heapprofile -> snapshot keeps every trace: frames, sizes, counts and metadata', () => {
  for (const seed of [11, 12, 13]) {
    const snapshot = syntheticSnapshot(seed);
    const json = JSON.parse(JSON.stringify(snapshotToHeapProfile(snapshot))) as unknown;
    const back = snapshotFromHeapProfile(json);
    assert.deepEqual(tracesByKey(back), tracesByKey(snapshot));
    assert.deepEqual(back.metadata, snapshot.metadata);
    assert.deepEqual(back.statistics('traceback').map(String), snapshot.statistics('traceback').map(String));
  }
});

test('the export is the DevTools sampling heap profile: a call tree with 0-based lines and samples naming its nodes', () => {
  const frames = [new Frame('src/cache.ts', 42, 'remember', 2), new Frame('src/server.ts', 1, '', 0)];
  const snapshot = new Snapshot(
    [
      { traceback: new Traceback(frames), size: 3000, count: 3 },
      { traceback: new Traceback([frames[1]!]), size: 500, count: 1 },
    ],
    { runtime: 'node', takenAt: '2024-05-01T00:00:00.000Z', samplingIntervalBytes: 32768, stackDepth: 64 },
  );
  const profile = snapshotToHeapProfile(snapshot);
  assert.deepEqual(profile.head.callFrame, { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 });
  assert.equal(profile.head.children.length, 1);
  const server = profile.head.children[0]!;
  assert.deepEqual(server.callFrame, { functionName: '', scriptId: '1', url: 'src/server.ts', lineNumber: 0, columnNumber: 0 });
  assert.equal(server.selfSize, 500);
  const remember = server.children[0]!;
  assert.deepEqual(remember.callFrame, { functionName: 'remember', scriptId: '2', url: 'src/cache.ts', lineNumber: 41, columnNumber: 2 });
  assert.equal(remember.selfSize, 3000);
  const ids = new Set([...nodesOf(profile.head)].map((node) => node.id));
  assert.equal(ids.size, 3, 'node ids are unique');
  assert.equal(profile.samples.length, 4, 'one sample per counted object');
  assert.deepEqual(profile.samples.filter((sample) => sample.nodeId === remember.id).map((sample) => sample.size), [1000, 1000, 1000]);
  assert.deepEqual(profile.samples.map((sample) => sample.ordinal), [1, 2, 3, 4]);
});

test('a .heapprofile taken from a real V8 (node:inspector in a child process) loads as a snapshot', () => {
  const json = execFileSync(process.execPath, [fixture('profiles/take-heapprofile.mjs')], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 50_000 });
  const raw = JSON.parse(json) as { head: HeapProfileNode; samples: unknown[] };
  const dir = tempDir('heapsleuth-heapprofile-');
  const path = join(dir, 'real.heapprofile');
  writeFileSync(path, json);

  const file = readProfileFile(path, { cwd: repoRoot });
  assert.equal(file.kind, 'heapprofile');
  const snapshot = file.snapshot(0);
  assert.equal(snapshot.metadata.samplingIntervalBytes, 32768, 'V8 default when the file does not say');
  const totalSelf = [...nodesOf(raw.head)].reduce((sum, node) => sum + node.selfSize, 0);
  assert.equal(snapshot.totalSize, totalSelf, 'every selfSize is kept');
  assert.equal(snapshot.totalCount, raw.samples.length, 'every sample is counted');
  const top = snapshot.statistics('lineno')[0]!;
  assert.equal(top.traceback.blameFrame?.file, 'test/fixtures/profiles/take-heapprofile.mjs');
  assert.equal(top.traceback.blameFrame?.line, 6, 'the first line of retainChunks(), 1-based');
  assert.equal(top.traceback.blameFrame?.functionName, 'retainChunks');
  // 20000 objects of ~300 bytes stay alive: at least a few MB must be estimated.
  assert.ok(top.size > 2_000_000, `retainChunks holds ${top.size} bytes`);

  // And it goes back out and in again unchanged.
  const again = snapshotFromHeapProfile(JSON.parse(JSON.stringify(snapshotToHeapProfile(snapshot))));
  assert.deepEqual(tracesByKey(again), tracesByKey(snapshot));
});

test('JSON that is not a sampling heap profile is refused in one line', () => {
  assert.throws(() => snapshotFromHeapProfile({ nodes: [] }, { source: 'cpu.cpuprofile' }), (error: unknown) => {
    assert.ok(error instanceof HeapProfileFormatError);
    assert.equal(error.message, 'cpu.cpuprofile: not a sampling heap profile (no "head" node)');
    return true;
  });
  assert.throws(
    () => snapshotFromHeapProfile({ head: { callFrame: {}, selfSize: 0, id: 1, children: [42] } }, { source: 'x.heapprofile' }),
    /x\.heapprofile: bad node at head\.children\[0\]/,
  );
});
