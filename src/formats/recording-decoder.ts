import { Frame, type FrameSource } from '../model/frame.js';
import { Traceback } from '../model/traceback.js';
import { readHeader, readSample, RecordingFormatError, type RecordingEnd, type RecordingHeader, type RecordingSample } from './recording.js';

/** The rows of one sample as columns (reused from sample to sample: copy what you keep). */
export interface RowColumns {
  length: number;
  stackIds: Float64Array;
  bytes: Float64Array;
  counts: Float64Array;
  /** Old sampled objects that died since the previous tick (the 4th column; 0 where absent). */
  deaths: Float64Array;
}

/** A sample line without its rows. */
export type SampleLine = Omit<RecordingSample, 'rows'>;

/**
 * What a recording holds, told line by line. A file can hold several process lifetimes
 * (a fixed HEAPSLEUTH_RECORD path reused by restarts, or an agent that started its file
 * again after it was truncated): each starts with `header`, and its stack ids are its own.
 */
export interface RecordingSink {
  header(header: RecordingHeader): void;
  /** Rows are left out (length 0) when the decoder was told not to read them; rows of undefined stacks are dropped. */
  sample(sample: SampleLine, rows: RowColumns, stacks: StackTable): void;
  end(end: RecordingEnd): void;
}

/** The stacks defined so far in the current lifetime, by id. */
export class StackTable {
  /** Dense ids (what the encoders write) in an array; anything else in a map. */
  private readonly dense: Array<Traceback | undefined> = [];
  private readonly sparse = new Map<number, Traceback>();

  get(id: number): Traceback | undefined {
    return id >= 0 && id < this.dense.length && Number.isInteger(id) ? this.dense[id] : this.sparse.get(id);
  }

  /** Whether a stack of that id is defined (what every row of every sample asks: kept cheap). */
  has(id: number): boolean {
    const dense = this.dense;
    return (id >= 0 && id < dense.length && dense[id | 0] !== undefined && (id | 0) === id) || (this.sparse.size > 0 && this.sparse.has(id));
  }

  set(id: number, traceback: Traceback): void {
    if (id >= 0 && id < this.dense.length + DENSE_GAP && Number.isInteger(id) && !this.sparse.has(id)) {
      while (this.dense.length < id) this.dense.push(undefined);
      this.dense[id] = traceback;
    } else {
      this.sparse.set(id, traceback);
    }
  }

  *entries(): IterableIterator<[number, Traceback]> {
    for (let id = 0; id < this.dense.length; id++) {
      const traceback = this.dense[id];
      if (traceback) yield [id, traceback];
    }
    yield* this.sparse;
  }
}

/** Ids this far beyond the last dense one go to the map (a corrupt id must not allocate a huge array). */
const DENSE_GAP = 4096;
const NEWLINE = 0x0a;
const ROWS = Buffer.from('"rows":[');
/** Lines shorter than this are parsed whole; longer sample lines get their rows read by hand. */
const LONG_LINE = 512;

/**
 * Reads recording text pushed in chunks of any size, line by line, and tells a sink what
 * it holds; memory stays bounded by the longest line and the stacks defined. The rules
 * (torn last line, corrupt lines, several headers, lines before the first header) are in
 * docs/recording-format.md.
 */
export class RecordingDecoder {
  private carry: Buffer[] = [];
  private lineNo = 0;
  private header: RecordingHeader | undefined;
  private headers = 0;
  private frames = new Map<number, Frame>();
  private stacks = new StackTable();
  private orphanLines = 0;
  private unknownStackRows = 0;
  private readonly columns: RowColumns = { length: 0, stackIds: new Float64Array(256), bytes: new Float64Array(256), counts: new Float64Array(256), deaths: new Float64Array(256) };
  readonly warnings: string[] = [];

  constructor(
    private readonly source: string,
    private readonly sink: RecordingSink,
  ) {}

  /** Bytes that came after the last complete line (a line still being written, or torn). */
  get pendingBytes(): number {
    return this.carry.reduce((sum, part) => sum + part.length, 0);
  }

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, start);
      if (newline < 0) break;
      if (this.carry.length > 0) {
        const line = Buffer.concat([...this.carry, chunk.subarray(start, newline)]);
        this.carry = [];
        this.line(line, 0, line.length, false);
      } else {
        this.line(chunk, start, newline, false);
      }
      start = newline + 1;
    }
    if (start < chunk.length) this.carry.push(Buffer.from(chunk.subarray(start)));
  }

  /** The end of the text: a last line without a newline is read, or ignored as torn. Throws when there was no header. */
  finish(): void {
    if (this.carry.length > 0) {
      const line = Buffer.concat(this.carry);
      this.carry = [];
      this.line(line, 0, line.length, true);
    }
    if (!this.header) {
      if (this.orphanLines > 0) {
        throw new RecordingFormatError(
          `${this.source}: no header line: it continues a recording whose start is in another file (rotated with copytruncate by an older agent?)`,
        );
      }
      throw new RecordingFormatError(`${this.source}: empty file, not a heapsleuth recording`);
    }
    if (this.unknownStackRows > 0) this.warnings.push(`${this.source}: ignored ${this.unknownStackRows} rows that refer to undefined stacks`);
  }

  private line(buffer: Buffer, start: number, end: number, last: boolean): void {
    this.lineNo += 1;
    const lineNo = this.lineNo;
    // A file truncated in place while its writer kept its offset (copytruncate) starts with a run of NUL bytes.
    const from = start;
    while (start < end && buffer[start] === 0) start++;
    const padded = start > from;
    while (start < end && (buffer[start] === 0x20 || buffer[start] === 0x09 || buffer[start] === 0x0d)) start++;
    if (start === end) return;
    const value = this.parse(buffer, start, end);
    if (value === undefined) {
      if (!this.header && this.orphanLines === 0 && !padded) throw new RecordingFormatError(`${this.source}: not a heapsleuth recording (line ${lineNo} is not JSON)`);
      if (!this.header) {
        this.orphanLines += 1;
        return;
      }
      this.warnings.push(
        last ? `${this.source}: ignored a torn last line ${lineNo} (the process stopped, or its disk filled up, while writing it)` : `${this.source}: skipped corrupt line ${lineNo}`,
      );
      return;
    }
    if (!isObject(value)) {
      if (!this.header) throw new RecordingFormatError(`${this.source}: not a heapsleuth recording`);
      this.warnings.push(`${this.source}: skipped line ${lineNo}: not an object`);
      return;
    }
    const type = value['type'];
    if (type === 'header' || !this.header) {
      if (type !== 'header' && (type === 'sample' || type === 'stack' || type === 'frame' || type === 'end')) {
        // The rest of a lifetime whose header is gone: the file was truncated while it was written.
        this.orphanLines += 1;
        return;
      }
      this.startLifetime(readHeader(value, this.source), lineNo);
      return;
    }
    switch (type) {
      case 'frame': {
        const { id, file, line } = value;
        if (typeof id !== 'number' || typeof file !== 'string' || typeof line !== 'number') {
          this.warnings.push(`${this.source}: skipped bad frame on line ${lineNo}`);
          break;
        }
        const fn = typeof value['function'] === 'string' ? value['function'] : '';
        const elsewhere: FrameSource = {};
        if (typeof value['alsoAt'] === 'string') elsewhere.alsoAt = value['alsoAt'];
        if (typeof value['snippet'] === 'string') elsewhere.snippet = value['snippet'];
        this.frames.set(id, new Frame(file, line, fn, typeof value['column'] === 'number' ? value['column'] : 0, elsewhere));
        break;
      }
      case 'stack': {
        const { id, frames: ids } = value;
        const stackFrames = Array.isArray(ids) ? ids.map((frameId) => this.frames.get(frameId as number)) : undefined;
        if (typeof id !== 'number' || !stackFrames || stackFrames.some((frame) => frame === undefined)) {
          this.warnings.push(`${this.source}: skipped bad stack on line ${lineNo}`);
          break;
        }
        this.stacks.set(id, new Traceback(stackFrames as Frame[]));
        break;
      }
      case 'sample': {
        const rows = value['rows'];
        const parsedRows = rows === FAST_ROWS ? this.columns : undefined;
        if (parsedRows) value['rows'] = [];
        const sample = readSample(value);
        if (!sample) {
          this.warnings.push(`${this.source}: skipped bad sample on line ${lineNo}`);
          break;
        }
        const { rows: sampleRows, ...line } = sample;
        const columns = parsedRows ?? this.columnsOf(sampleRows);
        this.dropUnknownStacks(columns);
        if (line.handleSites) {
          for (const [type, sites] of Object.entries(line.handleSites)) line.handleSites[type] = sites.filter((row) => this.stacks.get(row[0]) !== undefined);
        }
        this.sink.sample(line, columns, this.stacks);
        break;
      }
      case 'end':
        if (isValidTime(value['time'])) this.sink.end({ time: value['time'], reason: String(value['reason'] ?? '') });
        break;
      default:
        break; // lines of types added later are skipped by design
    }
  }

  private startLifetime(header: RecordingHeader, lineNo: number): void {
    if (this.orphanLines > 0) {
      this.warnings.push(
        `${this.source}: skipped ${this.orphanLines} line${this.orphanLines === 1 ? '' : 's'} before the header on line ${lineNo}: the file was truncated while it was written (copytruncate), their definitions are in the rotated copy`,
      );
      this.orphanLines = 0;
    }
    this.headers += 1;
    this.header = header;
    this.frames = new Map();
    this.stacks = new StackTable();
    this.sink.header(header);
  }

  /** The line as JSON, with a long sample line's rows read by hand into `columns` (FAST_ROWS marks it); undefined when it is not JSON. */
  private parse(buffer: Buffer, start: number, end: number): unknown {
    if (end - start >= LONG_LINE && this.header) {
      const at = buffer.indexOf(ROWS, start);
      if (at >= 0 && at < end) {
        const close = readRows(buffer, at + ROWS.length, end, this.columns);
        if (close >= 0) return parseJSON(buffer.toString('utf8', start, at) + '"rows":' + FAST_ROWS_TEXT + buffer.toString('utf8', close, end), true, this.columns);
      }
    }
    return parseJSON(buffer.toString('utf8', start, end), false, this.columns);
  }

  private columnsOf(rows: RecordingSample['rows']): RowColumns {
    const columns = this.columns;
    columns.length = 0;
    for (const row of rows) appendRow(columns, row[0], row[1], row[2], row[3] ?? 0);
    return columns;
  }

  private dropUnknownStacks(columns: RowColumns): void {
    let kept = 0;
    const { stackIds, bytes, counts, deaths } = columns;
    const stacks = this.stacks;
    for (let i = 0; i < columns.length; i++) {
      if (!stacks.has(stackIds[i]!)) continue;
      if (kept !== i) {
        stackIds[kept] = stackIds[i]!;
        bytes[kept] = bytes[i]!;
        counts[kept] = counts[i]!;
        deaths[kept] = deaths[i]!;
      }
      kept++;
    }
    this.unknownStackRows += columns.length - kept;
    columns.length = kept;
  }
}

/** Stands for rows already read into the decoder's columns. */
const FAST_ROWS = Symbol('rows read by hand');
const FAST_ROWS_TEXT = '"\\u0000fast-rows"';

function parseJSON(text: string, fast: boolean, columns: RowColumns): unknown {
  try {
    const value = JSON.parse(text) as unknown;
    if (fast && isObject(value) && value['rows'] === '\u0000fast-rows') value['rows'] = FAST_ROWS as unknown as [];
    else if (!fast) columns.length = 0;
    return value;
  } catch {
    return undefined;
  }
}

function appendRow(columns: RowColumns, stackId: number, bytes: number, count: number, deaths: number): void {
  if (columns.length === columns.stackIds.length) grow(columns);
  columns.stackIds[columns.length] = stackId;
  columns.bytes[columns.length] = bytes;
  columns.counts[columns.length] = count;
  columns.deaths[columns.length] = deaths;
  columns.length++;
}

// A hand-written reader of `[[id,bytes,count],...]` as the encoders write it (plain
// decimal numbers, no spaces): JSON.parse would build two thousand little arrays per
// sample of a big service. Anything else gives -1 and the line is parsed as JSON.
// A number's digits are gathered as one integer and divided once by a power of ten:
// the correctly rounded value, exactly what JSON.parse gives, up to 15 digits.

/** Reads the rows after `"rows":[` into columns; returns the index after the closing `]`, or -1. */
export function readRows(buffer: Uint8Array, start: number, end: number, columns: RowColumns): number {
  const done = readPlainRows(buffer, start, end, columns);
  return done >= 0 ? done : readAnyRows(buffer, start, end, columns);
}

/**
 * The rows as the encoders write them: `[id,bytes,count]` or `[id,bytes,count,oldDeaths]`
 * with whole ids, bytes and deaths and a count with at most one decimal point; -1 for
 * anything else (readAnyRows then decides).
 */
function readPlainRows(buffer: Uint8Array, start: number, end: number, columns: RowColumns): number {
  let length = 0;
  let p = start;
  if (buffer[p] === 0x5d) {
    columns.length = 0;
    return p + 1;
  }
  // the columns in locals, and one unsigned comparison per digit (c - 0x30 below 10): the
  // loop runs for every byte of the file
  let { stackIds, bytes: sizes, counts, deaths } = columns;
  let capacity = stackIds.length;
  for (;;) {
    if (buffer[p] !== 0x5b) return -1;
    let c = buffer[++p]!;
    let id = 0;
    let from = p;
    for (let digit = c - 0x30; digit >>> 0 < 10; digit = c - 0x30) {
      id = id * 10 + digit;
      c = buffer[++p]!;
    }
    if (c !== 0x2c || p === from || p - from > 15) return -1;
    c = buffer[++p]!;
    let bytes = 0;
    from = p;
    for (let digit = c - 0x30; digit >>> 0 < 10; digit = c - 0x30) {
      bytes = bytes * 10 + digit;
      c = buffer[++p]!;
    }
    if (c !== 0x2c || p === from || p - from > 15) return -1;
    c = buffer[++p]!;
    let count = 0;
    from = p;
    for (let digit = c - 0x30; digit >>> 0 < 10; digit = c - 0x30) {
      count = count * 10 + digit;
      c = buffer[++p]!;
    }
    if (p === from) return -1;
    if (c === 0x2e) {
      let scale = 1;
      const point = p;
      c = buffer[++p]!;
      for (let digit = c - 0x30; digit >>> 0 < 10; digit = c - 0x30) {
        count = count * 10 + digit;
        scale *= 10;
        c = buffer[++p]!;
      }
      if (p === point + 1 || p - from > 16) return -1;
      count /= scale;
    } else if (p - from > 15) {
      return -1;
    }
    let died = 0;
    if (c === 0x2c) {
      // the 4th column: old samples that died, a whole number
      c = buffer[++p]!;
      from = p;
      for (let digit = c - 0x30; digit >>> 0 < 10; digit = c - 0x30) {
        died = died * 10 + digit;
        c = buffer[++p]!;
      }
      if (p === from || p - from > 15) return -1;
    }
    if (c !== 0x5d || p >= end) return -1;
    if (length === capacity) {
      columns.length = length;
      grow(columns);
      ({ stackIds, bytes: sizes, counts, deaths } = columns);
      capacity = stackIds.length;
    }
    stackIds[length] = id;
    sizes[length] = bytes;
    counts[length] = count;
    deaths[length] = died;
    length++;
    c = buffer[++p]!;
    if (c === 0x2c) {
      p++;
      continue;
    }
    if (c === 0x5d && p < end) {
      columns.length = length;
      return p + 1;
    }
    return -1;
  }
}

/** Rows of any plain decimal numbers (signs, decimal points, extra fields). */
function readAnyRows(buffer: Uint8Array, start: number, end: number, columns: RowColumns): number {
  columns.length = 0;
  let stackIds = columns.stackIds;
  let bytes = columns.bytes;
  let counts = columns.counts;
  let deaths = columns.deaths;
  let length = 0;
  let inRow = false;
  let field = 0;
  let value = 0;
  let scale = 1;
  let digits = 0;
  let negative = false;
  let fraction = false;
  let id = 0;
  let size = 0;
  for (let p = start; p < end; p++) {
    const c = buffer[p]!;
    if (c >= 0x30 && c <= 0x39) {
      value = value * 10 + (c - 0x30);
      digits++;
      if (fraction) scale *= 10;
      continue;
    }
    if (c === 0x2c || (c === 0x5d && inRow)) {
      if (!inRow) {
        if (c !== 0x2c) return -1;
        continue; // between rows
      }
      if (digits === 0 || digits > 15) return -1;
      const number = (scale === 1 ? value : value / scale) * (negative ? -1 : 1);
      if (field === 0) id = number;
      else if (field === 1) size = number;
      else if (field === 2) {
        if (length === stackIds.length) {
          columns.length = length;
          grow(columns);
          stackIds = columns.stackIds;
          bytes = columns.bytes;
          counts = columns.counts;
          deaths = columns.deaths;
        }
        stackIds[length] = id;
        bytes[length] = size;
        counts[length] = number;
        deaths[length] = 0;
        length++;
      } else if (field === 3) {
        deaths[length - 1] = number;
      }
      field++;
      value = 0;
      scale = 1;
      digits = 0;
      negative = false;
      fraction = false;
      if (c === 0x5d) {
        if (field < 3) return -1;
        inRow = false;
      }
      continue;
    }
    if (c === 0x2e) {
      if (fraction || digits === 0) return -1;
      fraction = true;
      continue;
    }
    if (c === 0x2d) {
      if (digits > 0 || negative) return -1;
      negative = true;
      continue;
    }
    if (c === 0x5b && !inRow) {
      inRow = true;
      field = 0;
      continue;
    }
    if (c === 0x5d) {
      columns.length = length;
      return p + 1; // the end of the rows
    }
    return -1;
  }
  return -1;
}

function grow(columns: RowColumns): void {
  const bigger = (array: Float64Array) => {
    const copy = new Float64Array(array.length * 2);
    copy.set(array);
    return copy;
  };
  columns.stackIds = bigger(columns.stackIds);
  columns.bytes = bigger(columns.bytes);
  columns.counts = bigger(columns.counts);
  columns.deaths = bigger(columns.deaths);
}

/** Epoch milliseconds a Date can hold (a torn or spliced line can join two numbers into one too big). */
function isValidTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(new Date(value).getTime());
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
