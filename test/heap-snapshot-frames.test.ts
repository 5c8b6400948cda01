import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { madeForHeapSnapshot } from '../src/native/heap-snapshot-frames.js';
import { fixture } from './child-process.js';

interface RecordedSuspect {
  function: string;
  stack: { library: string; function: string }[];
}

test('native stacks through V8\'s heap snapshot code are told apart from the program\'s (the native suspects of a real run --native --retainers)', () => {
  // Recorded from a run whose last jemalloc dump was written while V8 generated a heap
  // snapshot: its top native suspect was the snapshot's own memory, not the addon's leak.
  const { suspects } = JSON.parse(readFileSync(fixture('native/heap-snapshot-suspects.json'), 'utf8')) as { suspects: RecordedSuspect[] };
  const snapshot = suspects.filter((suspect) => madeForHeapSnapshot(suspect.stack));
  assert.equal(snapshot.length, 1, JSON.stringify(suspects.map((suspect) => suspect.stack[0]?.function)));
  assert.match(snapshot[0]!.stack.map((frame) => frame.function).join('\n'), /HeapProfiler::TakeSnapshot/);
  // the addon's references and the Buffers' memory stay
  const kept = suspects.filter((suspect) => !madeForHeapSnapshot(suspect.stack)).map((suspect) => suspect.function);
  assert.ok(kept.includes('hold_reference'), JSON.stringify(kept));
  assert.ok(kept.some((name) => name.startsWith('node::NodeArrayBufferAllocator::')), JSON.stringify(kept));
});
