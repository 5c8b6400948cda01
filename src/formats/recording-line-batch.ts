// What the line-reading workers (recording-read-worker.ts) and the thread that decodes their
// lines (recording-file.ts) share: the messages and the shared counters.
import type { MessagePort } from 'node:worker_threads';

/**
 * Lines of a batch, told in order; line i's rows are columns rowEnds[i-1]..rowEnds[i] (ids,
 * bytes, counts, deaths, ages and survivors `capacity` apart); line numbers count from the segment's start.
 */
export interface LineBatch {
  kind: 'lines';
  lineNos: Int32Array;
  /** FAST, PADDED and LAST bits per line. */
  flags: Uint8Array;
  texts: string[];
  rowEnds: Int32Array;
  capacity: number;
  columns: Float64Array;
}

export type ReaderMessage =
  | LineBatch
  /** A segment's lines are all told: how many it held (empty ones too). */
  | { kind: 'segment'; lines: number }
  /** This worker has no more segments. */
  | { kind: 'end' }
  | { kind: 'error'; message: string; code?: string };

export interface WorkerData {
  fd: number;
  port: MessagePort;
  /** Int32 counters at the indexes below. */
  state: Int32Array;
  chunkBytes: number;
  /** The file is read in segments of this many bytes: this worker's are first, first + stride, ... (the last one runs to the end of the file). */
  segmentBytes: number;
  segments: number;
  first: number;
  stride: number;
}

export const FAST = 1;
export const PADDED = 2;
export const LAST = 4;

/** Messages the worker posted. */
export const POSTED = 0;
/** Batches the decoding thread took. */
export const CONSUMED = 1;
/** Set by the decoding thread: stop reading (it failed, or is done). */
export const STOP = 2;
/** Set by the worker once it will not touch the file descriptor again. */
export const CLOSED = 3;
export const STATE_SLOTS = 4;

/** Rows per batch (32 bytes each), and batches a worker posts ahead of the decoding thread. */
export const BATCH_ROWS = 32768;
export const BATCHES_IN_FLIGHT = 12;
