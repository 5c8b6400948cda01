// A worker thread that reads segments of a recording file and cuts them into lines, reading
// the rows of sample lines by hand (RecordingLineReader), while the thread that started it
// decodes the lines and merges their rows (recording-file.ts). Lines go over in batches,
// rows as columns in one transferred Float64Array (no copy, no structured clone of rows).
import { readSync } from 'node:fs';
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import { RecordingLineReader, type LineHandler, type RowColumns } from './recording-lines.js';
import { BATCH_ROWS, BATCHES_IN_FLIGHT, CLOSED, CONSUMED, FAST, LAST, PADDED, POSTED, STOP, type LineBatch, type ReaderMessage, type WorkerData } from './recording-line-batch.js';

const { fd, port, state, chunkBytes, segmentBytes, segments, first, stride } = workerData as WorkerData;
const NEWLINE = 0x0a;
/** Bytes read at a time when looking for the end of a line across a segment's bounds. */
const SEEK_BYTES = 64 * 1024;

/** Lines gathered for the next batch. */
class BatchWriter implements LineHandler {
  private lineNos: number[] = [];
  private flags: number[] = [];
  private texts: string[] = [];
  private rowEnds: number[] = [];
  private rows = 0;
  private capacity = BATCH_ROWS;
  private columns = new Float64Array(6 * BATCH_ROWS);
  private posted = 0;

  line(lineNo: number, text: string, rows: RowColumns | undefined, padded: boolean, last: boolean): void {
    const n = rows ? rows.length : 0;
    if (this.rows + n > this.capacity) {
      this.flush();
      if (n > this.capacity) {
        this.capacity = n;
        this.columns = new Float64Array(6 * n);
      }
    }
    if (rows) {
      const { columns, capacity, rows: at } = this;
      columns.set(rows.stackIds.subarray(0, n), at);
      columns.set(rows.bytes.subarray(0, n), capacity + at);
      columns.set(rows.counts.subarray(0, n), 2 * capacity + at);
      columns.set(rows.deaths.subarray(0, n), 3 * capacity + at);
      columns.set(rows.ages.subarray(0, n), 4 * capacity + at);
      columns.set(rows.survivors.subarray(0, n), 5 * capacity + at);
      this.rows += n;
    }
    this.lineNos.push(lineNo);
    this.flags.push((rows ? FAST : 0) | (padded ? PADDED : 0) | (last ? LAST : 0));
    this.texts.push(text);
    this.rowEnds.push(this.rows);
  }

  flush(): void {
    if (this.lineNos.length === 0) return;
    const batch: LineBatch = {
      kind: 'lines',
      lineNos: Int32Array.from(this.lineNos),
      flags: Uint8Array.from(this.flags),
      texts: this.texts,
      rowEnds: Int32Array.from(this.rowEnds),
      capacity: this.capacity,
      columns: this.columns,
    };
    send(batch, [batch.lineNos.buffer, batch.flags.buffer, batch.rowEnds.buffer, batch.columns.buffer] as ArrayBuffer[]);
    this.posted += 1;
    this.lineNos = [];
    this.flags = [];
    this.texts = [];
    this.rowEnds = [];
    this.rows = 0;
    this.capacity = BATCH_ROWS;
    this.columns = spareColumns();
    // wait while the decoding thread is behind: memory stays bounded by a few batches
    for (let consumed = Atomics.load(state, CONSUMED); this.posted - consumed >= BATCHES_IN_FLIGHT && !stopped(); consumed = Atomics.load(state, CONSUMED)) {
      Atomics.wait(state, CONSUMED, consumed, 1000);
    }
  }
}

/** Columns the decoding thread gave back once it had read them (a fresh allocation each time costs more than the reading). */
function spareColumns(): Float64Array<ArrayBuffer> {
  const spare = receiveMessageOnPort(port)?.message as Float64Array<ArrayBuffer> | undefined;
  return spare ?? new Float64Array(6 * BATCH_ROWS);
}

function send(message: ReaderMessage, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
  Atomics.add(state, POSTED, 1);
  Atomics.notify(state, POSTED);
}

function stopped(): boolean {
  return Atomics.load(state, STOP) !== 0;
}

const chunk = Buffer.allocUnsafe(chunkBytes);

/** Where the first line starting at or after `from` starts (after a newline at from - 1 or later); Infinity when none does. */
function lineStartFrom(from: number): number {
  if (from === 0) return 0;
  for (let position = from - 1; ; ) {
    const got = readSync(fd, chunk, 0, Math.min(chunk.length, SEEK_BYTES), position);
    if (got === 0) return Infinity;
    const newline = chunk.subarray(0, got).indexOf(NEWLINE);
    if (newline >= 0) return position + newline + 1;
    position += got;
  }
}

/** Tells the lines starting in [start, end) (the last one read to its newline, or to the end of the file); returns how many. */
function readSegment(index: number, writer: BatchWriter): number {
  const start = index * segmentBytes;
  const end = index === segments - 1 ? Infinity : start + segmentBytes;
  const reader = new RecordingLineReader(writer, index > 0);
  let position = lineStartFrom(start);
  // no line starts here when the first one after `start` starts at `end` or later
  if (position < end) for (;;) {
    if (stopped()) return 0;
    // to the segment's end, then in small steps to the end of its last line
    const got = readSync(fd, chunk, 0, Math.min(chunk.length, Math.max(end - position, SEEK_BYTES)), position);
    if (got === 0) break;
    let take = got;
    let done = false;
    if (position + got >= end) {
      // stop after the newline that ends the line holding byte end - 1 (or a later chunk's first)
      const newline = chunk.subarray(0, got).indexOf(NEWLINE, Math.max(0, end - 1 - position));
      if (newline >= 0) {
        take = newline + 1;
        done = true;
      }
    }
    reader.push(chunk.subarray(0, take));
    if (done) break;
    position += take;
  }
  reader.finish();
  writer.flush();
  return reader.lines;
}

try {
  const writer = new BatchWriter();
  for (let index = first; index < segments && !stopped(); index += stride) send({ kind: 'segment', lines: readSegment(index, writer) });
  send({ kind: 'end' });
} catch (error) {
  const { message, code } = error as NodeJS.ErrnoException;
  send({ kind: 'error', message: String(message), ...(code === undefined ? {} : { code }) });
} finally {
  // the file descriptor is the starting thread's: it closes it once this says it is done with it
  Atomics.store(state, CLOSED, 1);
  Atomics.notify(state, CLOSED);
  port.close();
}
