/**
 * A worker thread's body: reads a baseline snapshot's highest node id (see
 * readMaxNodeIdInWorker) and posts it, or the one-line reason it could not.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { HeapSnapshotError } from './heap-graph.js';
import { readMaxNodeId } from './read-snapshot.js';

readMaxNodeId(workerData as string).then(
  (maxNodeId) => parentPort!.postMessage({ maxNodeId }),
  (error: unknown) =>
    parentPort!.postMessage(
      error instanceof HeapSnapshotError ? { snapshotError: error.message } : { error: error instanceof Error ? (error.stack ?? error.message) : String(error) },
    ),
);
