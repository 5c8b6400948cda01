import { createReadStream } from 'node:fs';
import { HeapSnapshotError, type HeapGraph } from './heap-graph.js';
import { SnapshotParser, type ParseOptions } from './snapshot-parser.js';

/** Bytes per read: big enough that the parser's per-chunk work is noise, small next to any heap. */
const CHUNK_BYTES = 4 * 1024 * 1024;

/** Reads a `.heapsnapshot` file into a HeapGraph, streaming; a bad file throws HeapSnapshotError. */
export async function readHeapSnapshot(path: string, options: ParseOptions = {}): Promise<HeapGraph> {
  const parser = new SnapshotParser(options);
  const stream = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  try {
    for await (const chunk of stream) {
      parser.push(chunk as Buffer);
      if (parser.done) break;
    }
  } catch (error) {
    if (error instanceof HeapSnapshotError) throw new HeapSnapshotError(`${path}: ${error.message}`);
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String((error as Error).message);
    throw new HeapSnapshotError(`cannot read ${path}: ${reason}`);
  } finally {
    stream.destroy();
  }
  try {
    return parser.finish();
  } catch (error) {
    throw error instanceof HeapSnapshotError ? new HeapSnapshotError(`${path}: ${error.message}`) : error;
  }
}

/** The highest node id of a snapshot, reading only its `nodes` section. */
export async function readMaxNodeId(path: string): Promise<number> {
  return (await readHeapSnapshot(path, { nodesOnly: true })).maxNodeId;
}
