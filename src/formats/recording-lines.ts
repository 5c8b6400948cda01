/** The rows of one sample as columns (reused from sample to sample: copy what you keep). */
export interface RowColumns {
  length: number;
  stackIds: Float64Array;
  bytes: Float64Array;
  counts: Float64Array;
  /** Old sampled objects that died since the previous tick (the 4th column; 0 where absent). */
  deaths: Float64Array;
  /** Ticks the stack's oldest live sample was seen before this one (the 5th column; 0 where absent). */
  ages: Float64Array;
  /** Live samples that outlived the stack's turnover (the 6th column; 0 where absent). */
  survivors: Float64Array;
}

/** Empty columns of a capacity. */
export function newColumns(capacity: number): RowColumns {
  return {
    length: 0,
    stackIds: new Float64Array(capacity),
    bytes: new Float64Array(capacity),
    counts: new Float64Array(capacity),
    deaths: new Float64Array(capacity),
    ages: new Float64Array(capacity),
    survivors: new Float64Array(capacity),
  };
}

/** What a long sample line's text holds in place of rows read by hand. */
export const FAST_ROWS_TEXT = '"\\u0000fast-rows"';

/** Told every non-empty line of a recording, as RecordingLineReader cuts them. */
export interface LineHandler {
  /**
   * A line, trimmed of NUL padding (`padded`: there was some) and blanks. A long sample
   * line's rows come read into `rows`, its text holding FAST_ROWS_TEXT in their place;
   * `last`: the text ended without a newline after it.
   */
  line(lineNo: number, text: string, rows: RowColumns | undefined, padded: boolean, last: boolean): void;
}

const NEWLINE = 0x0a;
/** Put after a last line without a newline: a byte past every line that is no digit. */
const END_OF_TEXT = Buffer.from('\n');
const ROWS = Buffer.from('"rows":[');
/** Lines shorter than this are parsed whole; longer sample lines get their rows read by hand. */
const LONG_LINE = 512;
/** Line types that continue a lifetime (before any header they are the rest of a truncated file). */
const CONTINUING = new Set(['sample', 'stack', 'frame', 'end']);

/**
 * The byte-level half of reading a recording: cuts text pushed in chunks of any size into
 * lines and reads the rows of long sample lines by hand (the bulk of the work on a big
 * file, and stateless, so it can run on a worker thread: see recording-file.ts). What the
 * lines mean is RecordingDecoder's job.
 */
export class RecordingLineReader {
  private carry: Buffer[] = [];
  private lineNo = 0;
  private readonly columns = newColumns(256);

  /**
   * `started`: whether a line before these started a lifetime (RecordingDecoder reads rows
   * by hand only after one; a reader of a later part of the file assumes so).
   */
  constructor(
    private readonly handler: LineHandler,
    private started = false,
  ) {}

  /** Lines cut so far (empty ones too: what line numbers count). */
  get lines(): number {
    return this.lineNo;
  }

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
        // the newline is kept after the line: the row reader's digit loops stop at it
        const line = Buffer.concat([...this.carry, chunk.subarray(start, newline + 1)]);
        this.carry = [];
        this.line(line, 0, line.length - 1, false);
      } else {
        this.line(chunk, start, newline, false);
      }
      start = newline + 1;
    }
    if (start < chunk.length) this.carry.push(Buffer.from(chunk.subarray(start)));
  }

  /** The end of the text: a last line without a newline is told with `last`. */
  finish(): void {
    if (this.carry.length > 0) {
      const line = Buffer.concat([...this.carry, END_OF_TEXT]);
      this.carry = [];
      this.line(line, 0, line.length - 1, true);
    }
  }

  private line(buffer: Buffer, start: number, end: number, last: boolean): void {
    this.lineNo += 1;
    // A file truncated in place while its writer kept its offset (copytruncate) starts with a run of NUL bytes.
    const from = start;
    while (start < end && buffer[start] === 0) start++;
    const padded = start > from;
    while (start < end && (buffer[start] === 0x20 || buffer[start] === 0x09 || buffer[start] === 0x0d)) start++;
    if (start === end) return;
    if (end - start >= LONG_LINE && this.started) {
      const at = buffer.indexOf(ROWS, start);
      if (at >= 0 && at < end) {
        const close = readRows(buffer, at + ROWS.length, end, this.columns);
        if (close >= 0) {
          this.handler.line(this.lineNo, buffer.toString('utf8', start, at) + '"rows":' + FAST_ROWS_TEXT + buffer.toString('utf8', close, end), this.columns, padded, last);
          return;
        }
      }
    }
    const text = buffer.toString('utf8', start, end);
    if (!this.started) this.started = startsLifetime(text);
    this.handler.line(this.lineNo, text, undefined, padded, last);
  }
}

/**
 * Whether RecordingDecoder, holding no lifetime yet, starts one with this line (or fails the
 * file): a JSON object of any type but those that continue a lifetime.
 */
function startsLifetime(text: string): boolean {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !CONTINUING.has((value as Record<string, unknown>)['type'] as string);
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
 * The rows as the encoders write them: `[id,bytes,count]`, `[id,bytes,count,oldDeaths]`,
 * `[id,bytes,count,oldDeaths,oldestAge]` or `[id,bytes,count,oldDeaths,oldestAge,survivors]`
 * with whole ids, bytes, deaths, ages and survivors and a count with at most one decimal
 * point; -1 for anything else (readAnyRows then decides).
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
  let { stackIds, bytes: sizes, counts, deaths, ages, survivors } = columns;
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
    let age = 0;
    let survived = 0;
    if (c === 0x2c) {
      // the 4th column: old samples that died, a whole number
      c = buffer[++p]!;
      from = p;
      for (let digit = c - 0x30; digit >>> 0 < 10; digit = c - 0x30) {
        died = died * 10 + digit;
        c = buffer[++p]!;
      }
      if (p === from || p - from > 15) return -1;
      if (c === 0x2c) {
        // the 5th column: the oldest live sample's age in ticks, a whole number
        c = buffer[++p]!;
        from = p;
        for (let digit = c - 0x30; digit >>> 0 < 10; digit = c - 0x30) {
          age = age * 10 + digit;
          c = buffer[++p]!;
        }
        if (p === from || p - from > 15) return -1;
        if (c === 0x2c) {
          // the 6th column: live samples that outlived the stack's turnover, a whole number
          c = buffer[++p]!;
          from = p;
          for (let digit = c - 0x30; digit >>> 0 < 10; digit = c - 0x30) {
            survived = survived * 10 + digit;
            c = buffer[++p]!;
          }
          if (p === from || p - from > 15) return -1;
        }
      }
    }
    if (c !== 0x5d || p >= end) return -1;
    if (length === capacity) {
      columns.length = length;
      growColumns(columns);
      ({ stackIds, bytes: sizes, counts, deaths, ages, survivors } = columns);
      capacity = stackIds.length;
    }
    stackIds[length] = id;
    sizes[length] = bytes;
    counts[length] = count;
    deaths[length] = died;
    ages[length] = age;
    survivors[length] = survived;
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
  let ages = columns.ages;
  let survivors = columns.survivors;
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
          growColumns(columns);
          stackIds = columns.stackIds;
          bytes = columns.bytes;
          counts = columns.counts;
          deaths = columns.deaths;
          ages = columns.ages;
          survivors = columns.survivors;
        }
        stackIds[length] = id;
        bytes[length] = size;
        counts[length] = number;
        deaths[length] = 0;
        ages[length] = 0;
        survivors[length] = 0;
        length++;
      } else if (field === 3) {
        deaths[length - 1] = number;
      } else if (field === 4) {
        ages[length - 1] = number;
      } else if (field === 5) {
        survivors[length - 1] = number;
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

/** A copy of `array` in one twice its length. */
export function doubled(array: Float64Array): Float64Array<ArrayBuffer> {
  const copy = new Float64Array(array.length * 2);
  copy.set(array);
  return copy;
}

export function growColumns(columns: RowColumns): void {
  columns.stackIds = doubled(columns.stackIds);
  columns.bytes = doubled(columns.bytes);
  columns.counts = doubled(columns.counts);
  columns.deaths = doubled(columns.deaths);
  columns.ages = doubled(columns.ages);
  columns.survivors = doubled(columns.survivors);
}
