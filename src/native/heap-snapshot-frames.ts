/**
 * V8's heap snapshot code: what it allocates is the snapshot's, not the program's. V8 mallocs
 * tens of MiB while it generates a snapshot (a name per global handle, the object ids, the
 * graph), and a jemalloc dump written meanwhile (every --native-dump-every bytes, by whichever
 * thread allocates) counts it: heapsleuth's own retainer snapshots, or the service's
 * `v8.writeHeapSnapshot`, then looked like a native leak "in node" when that dump was the last.
 */
const HEAP_SNAPSHOT_FUNCTION = /^v8::(internal::)?(HeapProfiler|HeapSnapshotGenerator|V8HeapExplorer|NativeObjectsExplorer|HeapObjectsMap|HeapSnapshotJSONSerializer)::/;

/** True when a native stack (any order) passes through V8's heap snapshot code. */
export function madeForHeapSnapshot(frames: readonly { function: string }[]): boolean {
  return frames.some((frame) => HEAP_SNAPSHOT_FUNCTION.test(frame.function));
}
