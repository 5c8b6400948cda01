import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { RecordingDecoder, type RecordingSink } from './recording-decoder.js';
import { BATCH_ROWS, CLOSED, CONSUMED, FAST, LAST, PADDED, POSTED, STATE_SLOTS, STOP, type LineBatch, type ReaderMessage, type WorkerData } from './recording-line-batch.js';
import type { RowColumns } from './recording-lines.js';
import { RecordingCollector, type Recording } from './recording.js';
import { ReducingCollector } from './recording-reducer.js';

const CHUNK_BYTES = 4 * 1024 * 1024;
/**
 * Files from this size on (a week or more of a big service) are cut into lines and their
 * rows read on worker threads while this thread decodes and merges them: a fifth less wall
 * time on two free cores for a fifth more CPU time (bench/README.md, Analyze); on a
 * machine whose cores are busy it is no faster, so smaller files keep one thread.
 */
export const WORKER_FROM_BYTES = 256 * 1024 * 1024;
/** Two workers read alternate segments of this size: together they keep up with this thread's decoding and merging. */
const WORKERS = 2;
export const SEGMENT_BYTES = 8 * 1024 * 1024;

/**
 * Reads a recording file chunk by chunk into a sink: the decoder's memory stays bounded by
 * the longest line (no string of the whole file). Returns the decoder's warnings. Throws
 * RecordingFormatError for a file that is not a recording, and the file system's errors.
 */
function streamRecordingFile(path: string, sink: RecordingSink, workerFromBytes: number, segmentBytes: number): string[] {
  const decoder = new RecordingDecoder(path, sink);
  const fd = openSync(path, 'r');
  try {
    const stats = fstatSync(fd);
    if (stats.isFile() && stats.size >= workerFromBytes && (availableParallelism() > 1 || workerFromBytes === 0)) {
      decodeOnWorkers(fd, stats.size, segmentBytes, decoder);
    } else {
      const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      for (;;) {
        const got = readSync(fd, chunk, 0, chunk.length, null);
        if (got === 0) break;
        decoder.push(chunk.subarray(0, got));
      }
      decoder.finish();
    }
  } finally {
    closeSync(fd);
  }
  return decoder.warnings;
}

/** Thrown when a worker's later segment held a sample line before any header (rows were read as if after one): the file is read again on this thread. */
class HeaderlessSegment extends Error {}

/**
 * Decodes the lines that worker threads cut from `fd`, synchronously (the callers are): the
 * file is read in segments, alternately by each worker, and their lines decoded in file
 * order on this thread, which takes batches with receiveMessageOnPort and sleeps on a shared
 * counter between them. Workers are stopped and let go on every way out, errors included.
 */
/** How long the reading thread waits for a worker that posts nothing before it gives up. */
const SILENT_WORKER_SECONDS = 60;

function decodeOnWorkers(fd: number, size: number, segmentBytes: number, decoder: RecordingDecoder): void {
  const segments = Math.max(1, Math.ceil(size / segmentBytes));
  const count = Math.min(WORKERS, segments);
  const workers = Array.from({ length: count }, (_, first) => startWorker(fd, { segmentBytes, segments, first, stride: count }));
  try {
    let base = 0;
    for (let segment = 0; segment < segments; segment++) {
      const worker = workers[segment % workers.length]!;
      for (;;) {
        const message = worker.next();
        if (message.kind === 'segment') {
          base += message.lines;
          break;
        }
        if (message.kind === 'end') throw new Error(`a line-reading worker ended before segment ${segment}`);
        if (message.kind === 'error') throw Object.assign(new Error(message.message), message.code === undefined ? {} : { code: message.code });
        decodeBatch(message, base, decoder);
        worker.giveBack(message);
      }
    }
    decoder.close();
  } finally {
    for (const worker of workers) worker.stop();
  }
}

function decodeBatch(batch: LineBatch, base: number, decoder: RecordingDecoder): void {
  const { lineNos, flags, texts, rowEnds, capacity, columns } = batch;
  for (let i = 0; i < lineNos.length; i++) {
    const flag = flags[i]!;
    let rows: RowColumns | undefined;
    if (flag & FAST) {
      if (!decoder.started) throw new HeaderlessSegment();
      const from = i === 0 ? 0 : rowEnds[i - 1]!;
      const to = rowEnds[i]!;
      rows = {
        length: to - from,
        stackIds: columns.subarray(from, to),
        bytes: columns.subarray(capacity + from, capacity + to),
        counts: columns.subarray(2 * capacity + from, 2 * capacity + to),
        deaths: columns.subarray(3 * capacity + from, 3 * capacity + to),
        ages: columns.subarray(4 * capacity + from, 4 * capacity + to),
        survivors: columns.subarray(5 * capacity + from, 5 * capacity + to),
      };
    }
    decoder.line(base + lineNos[i]!, texts[i]!, rows, (flag & PADDED) !== 0, (flag & LAST) !== 0);
  }
}

interface LineWorker {
  /** The worker's next message (waits for it). */
  next(): ReaderMessage;
  /** Hands a batch's columns back for the next batch once its lines were decoded (sinks copy what they keep). */
  giveBack(batch: LineBatch): void;
  /** Stops it once it is past its last read of the file (at most one chunk), and lets it go. */
  stop(): void;
}

function startWorker(fd: number, part: Pick<WorkerData, 'segmentBytes' | 'segments' | 'first' | 'stride'>): LineWorker {
  const state = new Int32Array(new SharedArrayBuffer(STATE_SLOTS * 4));
  const { port1, port2 } = new MessageChannel();
  const data: WorkerData = { fd, port: port2, state, chunkBytes: CHUNK_BYTES, ...part };
  const worker = new Worker(new URL('./recording-read-worker.js', import.meta.url), { workerData: data, transferList: [port2] });
  worker.unref();
  // Errors come through the port; an uncaught one must not throw later on this thread's loop.
  worker.on('error', () => {});
  let received = 0;
  let silentSeconds = 0;
  return {
    next(): ReaderMessage {
      for (;;) {
        const message = receiveMessageOnPort(port1)?.message as ReaderMessage | undefined;
        if (message !== undefined) {
          received += 1;
          silentSeconds = 0;
          if (message.kind === 'lines') {
            Atomics.add(state, CONSUMED, 1);
            Atomics.notify(state, CONSUMED);
          }
          return message;
        }
        // A worker that died without a word (its isolate out of memory, its module failed to
        // load) would leave this thread waiting forever: give up after a minute of silence.
        if (Atomics.wait(state, POSTED, received, 1000) === 'timed-out' && ++silentSeconds >= SILENT_WORKER_SECONDS) {
          throw new Error(`a line-reading worker thread stopped answering (${SILENT_WORKER_SECONDS} s without a batch)`);
        }
      }
    },
    giveBack(batch: LineBatch): void {
      if (batch.capacity === BATCH_ROWS) port1.postMessage(batch.columns, [batch.columns.buffer as ArrayBuffer]);
    },
    stop(): void {
      Atomics.store(state, STOP, 1);
      Atomics.notify(state, CONSUMED);
      Atomics.wait(state, CLOSED, 0, 10_000);
      port1.close();
      void worker.terminate();
    },
  };
}

export interface ReadRecordingOptions {
  /**
   * Keep at most this many running points per process lifetime, merging adjacent ticks
   * beyond it (ReducingCollector); absent: every tick, whole in memory.
   */
  maxPointsPerLifetime?: number;
  /** Read files of at least this many bytes on worker threads (default WORKER_FROM_BYTES; tests set 0). */
  workerFromBytes?: number;
  /** The workers' segment size (default SEGMENT_BYTES; tests cut small files into many). */
  segmentBytes?: number;
}

/** Every process lifetime a recording file holds (see parseRecordings), whole or reduced to bounded memory. */
export function readRecordingFile(path: string, options: ReadRecordingOptions = {}): Recording[] {
  const { sink, warnings } = streamRecordingInto(
    path,
    () => (options.maxPointsPerLifetime === undefined ? new RecordingCollector(path) : new ReducingCollector(path, options.maxPointsPerLifetime)),
    options,
  );
  return sink.recordings(warnings);
}

/**
 * Streams a recording file once into a sink made by `newSink`, on worker threads from
 * `workerFromBytes` on; returns the sink and the decoder's warnings. A file is read again
 * on one thread, into a new sink, in the rare case its workers cannot read it.
 */
export function streamRecordingInto<S extends RecordingSink>(
  path: string,
  newSink: () => S,
  options: Pick<ReadRecordingOptions, 'workerFromBytes' | 'segmentBytes'> = {},
): { sink: S; warnings: string[] } {
  const read = (workerFromBytes: number) => {
    const sink = newSink();
    return { sink, warnings: streamRecordingFile(path, sink, workerFromBytes, options.segmentBytes ?? SEGMENT_BYTES) };
  };
  try {
    return read(options.workerFromBytes ?? WORKER_FROM_BYTES);
  } catch (error) {
    if (error instanceof HeaderlessSegment) return read(Infinity);
    throw error;
  }
}
