import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { HeapSnapshotError } from './heap-graph.js';
import { readMaxNodeId } from './read-snapshot.js';

/**
 * Baselines at least this big are read on a worker thread, beside the second snapshot: a
 * worker's start (tens of milliseconds, about 10 MB) is then small next to the read.
 */
export const BASELINE_WORKER_BYTES = 64 * 1024 * 1024;

/**
 * The highest node id of the baseline snapshot `path`, read while the caller does other
 * work (reads the second snapshot): on a worker thread when the file is big and there is
 * a second core, else in this thread. A bad file rejects with the HeapSnapshotError
 * readMaxNodeId gives.
 */
export async function readBaselineMaxNodeId(path: string): Promise<number> {
  const size = await stat(path).then(
    (stats) => stats.size,
    () => 0,
  );
  return size >= BASELINE_WORKER_BYTES && availableParallelism() > 1 ? readMaxNodeIdInWorker(path) : readMaxNodeId(path);
}

export function readMaxNodeIdInWorker(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./baseline-worker.js', import.meta.url), { workerData: path });
    worker.once('message', (message: { maxNodeId?: number; snapshotError?: string; error?: string }) => {
      if (message.maxNodeId !== undefined) resolve(message.maxNodeId);
      else if (message.snapshotError !== undefined) reject(new HeapSnapshotError(message.snapshotError));
      else reject(new Error(`reading the baseline snapshot on a worker thread failed: ${message.error}`));
    });
    worker.once('error', reject);
    // Settles nothing when the message came first; otherwise the worker died without an answer.
    worker.once('exit', (code) => reject(new Error(`the worker reading the baseline snapshot stopped (exit ${code})`)));
  });
}
