/**
 * `snapshot.toPprof()` and `snapshot.toHeapProfile()`. The model must not import formats
 * (data flows one way), so the package entry adds these methods; the functions
 * snapshotToPprof() and snapshotToHeapProfile() work without it.
 */
import { Snapshot } from '../model/snapshot.js';
import { snapshotToHeapProfile, type HeapProfile } from './heapprofile.js';
import { snapshotToPprof } from './pprof.js';

declare module '../model/snapshot.js' {
  interface Snapshot {
    /** Gzipped pprof `profile.proto` with `inuse_objects`/count and `inuse_space`/bytes. */
    toPprof(): Uint8Array;
    /** Chrome's sampling heap profile (`.heapprofile`) that DevTools and speedscope open. */
    toHeapProfile(): HeapProfile;
  }
}

Snapshot.prototype.toPprof = function toPprof(this: Snapshot): Uint8Array {
  return snapshotToPprof(this);
};

Snapshot.prototype.toHeapProfile = function toHeapProfile(this: Snapshot): HeapProfile {
  return snapshotToHeapProfile(this);
};
