import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { HeapSnapshotError, type HeapGraph } from './heap-graph.js';
import { SnapshotParser, type ParseOptions } from './snapshot-parser.js';

/** Bytes per read: big enough that the parser's per-chunk work is noise, small next to any heap. */
const CHUNK_BYTES = 1024 * 1024;

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

/**
 * The highest node id of a snapshot, reading only its `nodes` section. The file's last
 * bytes are checked too, so a snapshot cut short is refused without reading its edges.
 */
export async function readMaxNodeId(path: string): Promise<number> {
  const maxNodeId = (await readHeapSnapshot(path, { nodesOnly: true })).maxNodeId;
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const tail = Buffer.alloc(Math.min(64, size));
    await file.read(tail, 0, tail.length, size - tail.length);
    if (!/\]\s*\}\s*$/.test(tail.toString('latin1'))) throw new HeapSnapshotError(`${path}: truncated heap snapshot: it does not end with the "strings" section`);
  } finally {
    await file.close();
  }
  return maxNodeId;
}
