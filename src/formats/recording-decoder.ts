import { Frame, type FrameSource } from '../model/frame.js';
import { Traceback } from '../model/traceback.js';
import { readHeader, readSample, RecordingFormatError, type RecordingEnd, type RecordingHeader, type RecordingSample } from './recording.js';
import { growColumns, newColumns, RecordingLineReader, type LineHandler, type RowColumns } from './recording-lines.js';

export { readRows, type RowColumns } from './recording-lines.js';

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
  private defined = 0;

  /** How many stacks are defined. */
  get size(): number {
    return this.defined;
  }

  get(id: number): Traceback | undefined {
    return id >= 0 && id < this.dense.length && Number.isInteger(id) ? this.dense[id] : this.sparse.get(id);
  }

  /** Whether a stack of that id is defined (what every row of every sample asks: kept cheap). */
  has(id: number): boolean {
    const dense = this.dense;
    return (id >= 0 && id < dense.length && dense[id | 0] !== undefined && (id | 0) === id) || (this.sparse.size > 0 && this.sparse.has(id));
  }

  set(id: number, traceback: Traceback): void {
    if (!this.has(id)) this.defined++;
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
/**
 * Reads recording text pushed in chunks of any size, line by line, and tells a sink what
 * it holds; memory stays bounded by the longest line and the stacks defined. The rules
 * (torn last line, corrupt lines, several headers, lines before the first header) are in
 * docs/recording-format.md.
 */
export class RecordingDecoder implements LineHandler {
  private readonly lines = new RecordingLineReader(this);
  private header: RecordingHeader | undefined;
  private headers = 0;
  private frames = new Map<number, Frame>();
  private stacks = new StackTable();
  private orphanLines = 0;
  private unknownStackRows = 0;
  private readonly columns: RowColumns = newColumns(256);
  readonly warnings: string[] = [];

  constructor(
    private readonly source: string,
    private readonly sink: RecordingSink,
  ) {}

  /** Whether a lifetime started (a header was read). */
  get started(): boolean {
    return this.header !== undefined;
  }

  /** Bytes that came after the last complete line (a line still being written, or torn). */
  get pendingBytes(): number {
    return this.lines.pendingBytes;
  }

  push(chunk: Buffer): void {
    this.lines.push(chunk);
  }

  /** The end of the text: a last line without a newline is read, or ignored as torn. Throws when there was no header. */
  finish(): void {
    this.lines.finish();
    this.close();
  }

  /** The end of lines told to `line` directly (cut by a RecordingLineReader elsewhere). Throws when there was no header. */
  close(): void {
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

  line(lineNo: number, text: string, fastRows: RowColumns | undefined, padded: boolean, last: boolean): void {
    const value = parseJSON(text, fastRows !== undefined);
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
        const parsedRows = value['rows'] === FAST_ROWS ? fastRows : undefined;
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

  private columnsOf(rows: RecordingSample['rows']): RowColumns {
    const columns = this.columns;
    columns.length = 0;
    for (const row of rows) appendRow(columns, row[0], row[1], row[2], row[3] ?? 0, row[4] ?? 0, row[5] ?? 0);
    return columns;
  }

  private dropUnknownStacks(columns: RowColumns): void {
    let kept = 0;
    const { stackIds, bytes, counts, deaths, ages, survivors } = columns;
    const stacks = this.stacks;
    for (let i = 0; i < columns.length; i++) {
      if (!stacks.has(stackIds[i]!)) continue;
      if (kept !== i) {
        stackIds[kept] = stackIds[i]!;
        bytes[kept] = bytes[i]!;
        counts[kept] = counts[i]!;
        deaths[kept] = deaths[i]!;
        ages[kept] = ages[i]!;
        survivors[kept] = survivors[i]!;
      }
      kept++;
    }
    this.unknownStackRows += columns.length - kept;
    columns.length = kept;
  }
}

/** Stands for rows already read into the decoder's columns. */
const FAST_ROWS = Symbol('rows read by hand');

/** The line as JSON (FAST_ROWS where the line reader read its rows); undefined when it is not JSON. */
function parseJSON(text: string, fast: boolean): unknown {
  try {
    const value = JSON.parse(text) as unknown;
    if (fast && isObject(value) && value['rows'] === '\u0000fast-rows') value['rows'] = FAST_ROWS as unknown as [];
    return value;
  } catch {
    return undefined;
  }
}

function appendRow(columns: RowColumns, stackId: number, bytes: number, count: number, deaths: number, age: number, survivors: number): void {
  if (columns.length === columns.stackIds.length) growColumns(columns);
  columns.stackIds[columns.length] = stackId;
  columns.bytes[columns.length] = bytes;
  columns.counts[columns.length] = count;
  columns.deaths[columns.length] = deaths;
  columns.ages[columns.length] = age;
  columns.survivors[columns.length] = survivors;
  columns.length++;
}

/** Epoch milliseconds a Date can hold (a torn or spliced line can join two numbers into one too big). */
function isValidTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(new Date(value).getTime());
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
