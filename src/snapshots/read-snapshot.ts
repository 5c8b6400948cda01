import { open, stat, type FileHandle } from 'node:fs/promises';
import { HeapSnapshotError, type HeapGraph } from './heap-graph.js';
import { SnapshotParser, type ParseOptions } from './snapshot-parser.js';

/** Bytes per read: big enough that the parser's per-chunk work is noise, small next to any heap. */
const CHUNK_BYTES = 1024 * 1024;

/** Reads a `.heapsnapshot` file into a HeapGraph, streaming; a bad file throws HeapSnapshotError. */
export async function readHeapSnapshot(path: string, options: ParseOptions = {}): Promise<HeapGraph> {
  const fileBytes = await stat(path).then(
    (stats) => stats.size,
    () => undefined,
  );
  const parser = new SnapshotParser({ ...options, fileBytes });
  await pushFile(path, parser);
  try {
    return parser.finish();
  } catch (error) {
    throw error instanceof HeapSnapshotError ? new HeapSnapshotError(`${path}: ${error.message}`) : error;
  }
}

/**
 * Pushes the file through the parser in chunks, reading the next chunk while the parser
 * works on this one. Two buffers, reused: a fresh buffer per chunk (as a read stream makes)
 * costs a page fault per 4 KiB of the file and garbage the size of the file.
 */
async function pushFile(path: string, parser: SnapshotParser): Promise<void> {
  let file: FileHandle | undefined;
  let pending: Promise<{ bytesRead: number }> | undefined;
  try {
    file = await open(path, 'r');
    const buffers = [Buffer.allocUnsafe(CHUNK_BYTES), Buffer.allocUnsafe(CHUNK_BYTES)] as const;
    let which = 0;
    pending = file.read(buffers[0], 0, CHUNK_BYTES, null);
    for (;;) {
      const { bytesRead } = await pending;
      pending = undefined;
      if (bytesRead === 0) break;
      const chunk = buffers[which]!;
      which ^= 1;
      pending = file.read(buffers[which]!, 0, CHUNK_BYTES, null);
      parser.push(chunk.subarray(0, bytesRead));
      if (parser.done) break;
    }
  } catch (error) {
    if (error instanceof HeapSnapshotError) throw new HeapSnapshotError(`${path}: ${error.message}`);
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String((error as Error).message);
    throw new HeapSnapshotError(`cannot read ${path}: ${reason}`);
  } finally {
    // A read still in flight (the parser stopped early or threw) must end before the file closes.
    await pending?.catch(() => undefined);
    await file?.close();
  }
}

/**
 * The highest node id of a snapshot, reading only its `nodes` section. The file's last
 * bytes are checked too, so a snapshot cut short is refused without reading its edges.
 */
export async function readMaxNodeId(path: string): Promise<number> {
  const parser = new SnapshotParser({ nodesOnly: true });
  await pushFile(path, parser);
  let maxNodeId: number;
  try {
    maxNodeId = parser.finish().maxNodeId;
  } catch (error) {
    throw error instanceof HeapSnapshotError ? new HeapSnapshotError(`${path}: ${error.message}`) : error;
  }
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
