import { quoteValue } from '../model/quote-value.js';
import { Snapshot } from '../model/snapshot.js';
import { Traceback } from '../model/traceback.js';
import type { MemoryLimits, ProcessSample } from '../model/process.js';
import type { Trace } from '../model/trace.js';
import { RecordingDecoder, type RecordingSink, type RowColumns, type SampleLine, type StackTable } from './recording-decoder.js';

/**
 * The recording: one NDJSON file per observed process, append-only. Frames and stacks
 * are defined once (`frame`, `stack` lines) and referred to by id; each `sample` line
 * holds `[stackId, bytes, count]` rows and the process metrics of one tick.
 * Documented in docs/recording-format.md.
 */
export const RECORDING_FORMAT = 'heapsleuth-recording';
export const RECORDING_VERSION = 2;
/** Versions this reader reads: version 1 is version 2 without the `final` sample marker. */
const READABLE_VERSIONS: readonly number[] = [1, 2];

export interface RecordingHeader {
  type: 'header';
  format: typeof RECORDING_FORMAT;
  version: number;
  runtime: 'node' | 'python';
  runtimeVersion: string;
  pid: number;
  ppid?: number;
  hostname: string;
  service: string;
  argv: string[];
  cwd: string;
  /** ISO 8601. */
  startTime: string;
  sampling: {
    sampler: string;
    /** Mean bytes between samples; 0 when sizes are exact. */
    intervalBytes: number;
    stackDepth: number;
    /** Rows carry a 4th column, the old samples that died since the previous tick (the inspector sampler tells samples apart). */
    generations?: boolean;
    /** Rows whose stack holds live samples may carry a 5th column, `oldestAge` (written by agents since the column exists). */
    oldestAge?: boolean;
    /**
     * Rows may carry a 6th column, `survivors`: live samples more than twice as old as the oldest
     * of the stack's samples that died old (written by agents since the column exists).
     */
    survivors?: boolean;
  };
  limits: MemoryLimits;
  agent: { name: string; version: string };
  /** Set when the agent runs in a worker thread. */
  threadId?: number;
  /**
   * Set on a header the agent wrote again after its file was truncated in place
   * (copytruncate): 1, 2, ... for the further parts of the same process lifetime.
   */
  part?: number;
}

/**
 * One `[stackId, bytes, count]` row, with `oldDeaths` as a 4th column, `oldestAge` (ticks
 * the stack's oldest live sample was seen before this one) as a 5th and `survivors` (live
 * samples that outlived the stack's turnover) as a 6th where the sampler tells samples apart.
 */
export type SampleRow =
  | [number, number, number]
  | [number, number, number, number]
  | [number, number, number, number, number]
  | [number, number, number, number, number, number];

/** A row with its optional columns written only where they say something (0s are written before a later column). */
export function sampleRow(id: number, bytes: number, count: number, oldDeaths: number, oldestAge: number, survivors = 0): SampleRow {
  if (survivors > 0) return [id, bytes, count, oldDeaths, oldestAge, survivors];
  if (oldestAge > 0) return [id, bytes, count, oldDeaths, oldestAge];
  return oldDeaths > 0 ? [id, bytes, count, oldDeaths] : [id, bytes, count];
}

/** What the agent knows about one tick beyond the snapshot and the process sample. */
export interface SampleDetails {
  /** What the tick cost the process, in milliseconds. */
  tickMs?: number;
  /**
   * False when the snapshot may count objects that died since V8's last major GC (the
   * native sampler when no major GC came in time); absent or true when only live objects count.
   */
  liveOnly?: boolean;
  /**
   * Set on a tick taken as the process stopped (`exit`, `stop`, or the stop signal such as
   * `SIGTERM`): what the program freed on its way out, not how it ran.
   */
  final?: string;
  /** Where live handles of the types that grow were created (sampled), by handle type. */
  handleSites?: Record<string, Array<{ traceback: Traceback; live: number }>>;
}

/** `[stackId, live]`: sampled live handles of a type created at that stack. */
export type HandleSiteRow = [number, number];

export interface RecordingSample extends Omit<SampleDetails, 'handleSites'> {
  /** Creation sites of handles by type: rows of `[stackId, live]`. */
  handleSites?: Record<string, HandleSiteRow[]>;
  seq: number;
  /** Epoch milliseconds. */
  time: number;
  process: ProcessSample;
  rows: SampleRow[];
  /**
   * Recorded ticks this sample stands for, when more than one: a long recording read in
   * bounded memory merges adjacent ticks (src/formats/recording-reducer.ts).
   */
  ticks?: number;
}

export interface RecordingEnd {
  time: number;
  reason: string;
}

export interface Recording {
  /** Where it was read from, for messages. */
  source: string;
  header: RecordingHeader;
  /** Stacks by id (frames most recent first). */
  stacks: Map<number, Traceback>;
  samples: RecordingSample[];
  end?: RecordingEnd;
  /** What was skipped while reading (torn last line, corrupt lines). */
  warnings: string[];
}

/** An error meant for people: the file cannot be read as a recording. */
export class RecordingFormatError extends Error {
  override name = 'RecordingFormatError';
}

/**
 * Writes recording lines. Keeps the ids of frames and stacks already written, so each
 * is defined once. encodeSample returns the definitions it needs followed by the
 * sample line; call commit() once they are safely written, or rollback() if not.
 */
export class RecordingEncoder {
  private readonly frameIds = new Map<string, number>();
  private readonly stackIds = new Map<string, number>();
  private pendingFrames: string[] = [];
  private pendingStacks: string[] = [];
  private seq = 0;

  encodeHeader(header: Omit<RecordingHeader, 'type' | 'format' | 'version'>): string {
    const line: RecordingHeader = { type: 'header', format: RECORDING_FORMAT, version: RECORDING_VERSION, ...header };
    return JSON.stringify(line) + '\n';
  }

  /** Distinct stacks defined so far (the encoder's memory grows with it). */
  get stackCount(): number {
    return this.stackIds.size;
  }

  encodeSample(snapshot: Snapshot, processSample: ProcessSample, details: SampleDetails = {}): string {
    let text = '';
    const rowsByStack = new Map<number, [number, number, number, number, number, number]>();
    for (const trace of snapshot.traces) {
      const { id, definitions } = this.internStack(trace.traceback);
      text += definitions;
      const row = rowsByStack.get(id);
      if (row) {
        row[1] += trace.size;
        row[2] += trace.count;
        row[3] += trace.oldDeaths ?? 0;
        row[4] = Math.max(row[4], trace.oldestAge ?? 0);
        row[5] += trace.survivors ?? 0;
      } else {
        rowsByStack.set(id, [id, trace.size, trace.count, trace.oldDeaths ?? 0, trace.oldestAge ?? 0, trace.survivors ?? 0]);
      }
    }
    let handleSites: Record<string, HandleSiteRow[]> | undefined;
    for (const [type, sites] of Object.entries(details.handleSites ?? {})) {
      for (const site of sites) {
        const { id, definitions } = this.internStack(site.traceback);
        text += definitions;
        ((handleSites ??= {})[type] ??= []).push([id, site.live]);
      }
    }
    const rows = [...rowsByStack.values()].map(([id, bytes, count, oldDeaths, oldestAge, survivors]) =>
      sampleRow(id, Math.round(bytes), round3(count), oldDeaths, oldestAge, survivors),
    );
    const { time, ...metrics } = processSample;
    const sample = {
      type: 'sample',
      seq: this.seq,
      time,
      ...(details.tickMs === undefined ? {} : { tickMs: round3(details.tickMs) }),
      ...(details.liveOnly === false ? { liveOnly: false } : {}),
      ...(details.final ? { final: details.final } : {}),
      ...metrics,
      ...(handleSites ? { handleSites } : {}),
      rows,
    };
    return text + JSON.stringify(sample) + '\n';
  }

  encodeEnd(end: RecordingEnd): string {
    return JSON.stringify({ type: 'end', ...end }) + '\n';
  }

  /** Writing goes on in a new file: define every frame and stack again there; sample numbers go on. */
  forgetDefinitions(): void {
    this.frameIds.clear();
    this.stackIds.clear();
    this.pendingFrames = [];
    this.pendingStacks = [];
  }

  /** The last encodeSample's lines were written. */
  commit(): void {
    this.pendingFrames = [];
    this.pendingStacks = [];
    this.seq += 1;
  }

  /** The last encodeSample's lines were not written: define its new frames and stacks again next time. */
  rollback(): void {
    for (const key of this.pendingFrames) this.frameIds.delete(key);
    for (const key of this.pendingStacks) this.stackIds.delete(key);
    this.pendingFrames = [];
    this.pendingStacks = [];
  }

  private internStack(traceback: Traceback): { id: number; definitions: string } {
    const key = traceback.key;
    const known = this.stackIds.get(key);
    if (known !== undefined) return { id: known, definitions: '' };
    let definitions = '';
    const frameIds = traceback.frames.map((frame) => {
      let id = this.frameIds.get(frame.key);
      if (id === undefined) {
        id = this.frameIds.size;
        this.frameIds.set(frame.key, id);
        this.pendingFrames.push(frame.key);
        definitions +=
          JSON.stringify({
            type: 'frame',
            id,
            file: frame.file,
            line: frame.line,
            function: frame.functionName,
            column: frame.column,
            ...(frame.alsoAt ? { alsoAt: frame.alsoAt } : {}),
            ...(frame.snippet ? { snippet: frame.snippet } : {}),
          }) + '\n';
      }
      return id;
    });
    const id = this.stackIds.size;
    this.stackIds.set(key, id);
    this.pendingStacks.push(key);
    definitions += JSON.stringify({ type: 'stack', id, frames: frameIds }) + '\n';
    return { id, definitions };
  }
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/**
 * Reads a recording's text: its first process lifetime when the file holds several
 * (see parseRecordings). A torn last line (a process killed mid-write) and corrupt lines
 * are skipped with a warning; a file that is not a recording, or of a version this
 * reader does not know, is rejected with a RecordingFormatError.
 */
export function parseRecording(text: string, source = 'recording'): Recording {
  const [first, ...rest] = parseRecordings(text, source);
  if (rest.length > 0) first!.warnings.push(`${source}: holds ${rest.length + 1} process lifetimes (one header each); read the first one only`);
  return first!;
}

/**
 * Reads every process lifetime a recording file holds (a file reused by restarts holds
 * one header per lifetime), each as a Recording of its own, in file order. Warnings of
 * the file are on the first.
 */
export function parseRecordings(text: string, source = 'recording'): Recording[] {
  const collector = new RecordingCollector(source);
  const decoder = new RecordingDecoder(source, collector);
  decoder.push(Buffer.from(text, 'utf8'));
  decoder.finish();
  return collector.recordings(decoder.warnings);
}

/** Keeps everything a decoder tells: the whole recording in memory. */
export class RecordingCollector implements RecordingSink {
  private readonly lifetimes: Recording[] = [];
  private table: StackTable | undefined;

  constructor(private readonly source: string) {}

  header(header: RecordingHeader): void {
    this.keepStacks();
    this.lifetimes.push({ source: this.source, header, stacks: new Map(), samples: [], warnings: [] });
  }

  sample(line: SampleLine, rows: RowColumns, stacks: StackTable): void {
    this.table = stacks;
    const sampleRows: SampleRow[] = new Array<SampleRow>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      sampleRows[i] = sampleRow(rows.stackIds[i]!, rows.bytes[i]!, rows.counts[i]!, rows.deaths[i]!, rows.ages[i]!, rows.survivors[i]!);
    }
    this.lifetimes.at(-1)!.samples.push({ ...line, rows: sampleRows });
  }

  end(end: RecordingEnd): void {
    this.lifetimes.at(-1)!.end = end;
  }

  /** The stacks the current lifetime defined (known from its samples). */
  private keepStacks(): void {
    const recording = this.lifetimes.at(-1);
    if (recording && this.table) for (const [id, traceback] of this.table.entries()) recording.stacks.set(id, traceback);
    this.table = undefined;
  }

  /**
   * The first lifetime as read so far, for a file still being written: the same object on
   * every call, grown by what was decoded since, with the stacks its samples defined.
   */
  firstSoFar(): Recording | undefined {
    const first = this.lifetimes[0];
    if (first && this.lifetimes.length === 1 && this.table && first.stacks.size !== this.table.size) for (const [id, traceback] of this.table.entries()) first.stacks.set(id, traceback);
    return first;
  }

  recordings(warnings: string[]): Recording[] {
    this.keepStacks();
    this.lifetimes[0]!.warnings.push(...warnings);
    return this.lifetimes;
  }
}

/** The header line's fields, checked; throws a RecordingFormatError for a line that is not one. */
export function readHeader(value: Record<string, unknown>, source: string): RecordingHeader {
  if (value['type'] !== 'header' || value['format'] !== RECORDING_FORMAT) {
    throw new RecordingFormatError(`${source}: not a heapsleuth recording (no header line)`);
  }
  if (!READABLE_VERSIONS.includes(value['version'] as number)) {
    throw new RecordingFormatError(
      `${source}: recording format version ${quoteValue(value['version'])} is not supported; this heapsleuth reads versions ${READABLE_VERSIONS.join(' and ')}`,
    );
  }
  const sampling = value['sampling'];
  if (!isObject(sampling) || typeof sampling['intervalBytes'] !== 'number' || typeof value['startTime'] !== 'string') {
    throw new RecordingFormatError(`${source}: the header lacks sampling settings or a start time`);
  }
  const header = value as unknown as RecordingHeader;
  header.limits = isObject(value['limits']) ? (value['limits'] as MemoryLimits) : {};
  header.argv = Array.isArray(value['argv']) ? (value['argv'] as string[]) : [];
  header.service = typeof value['service'] === 'string' ? value['service'] : 'unknown';
  header.runtime = value['runtime'] === 'python' ? 'python' : 'node';
  return header;
}

/** A sample line's fields, or undefined when it is not a usable sample. */
export function readSample(value: Record<string, unknown>): RecordingSample | undefined {
  const { seq, time, rows, memory } = value;
  if (!isValidTime(time) || !Array.isArray(rows) || !isObject(memory)) return undefined;
  if (!rows.every((row) => Array.isArray(row) && row.length >= 3 && row.every((n) => typeof n === 'number'))) return undefined;
  const processSample: ProcessSample = { time, memory: memory as unknown as ProcessSample['memory'] };
  for (const key of ['heapSpaces', 'gc', 'handles'] as const) {
    if (isObject(value[key])) (processSample as unknown as Record<string, unknown>)[key] = value[key];
  }
  if (typeof value['openFds'] === 'number') processSample.openFds = value['openFds'];
  if (typeof value['threads'] === 'number') processSample.threads = value['threads'];
  const sample: RecordingSample = { seq: typeof seq === 'number' ? seq : 0, time, process: processSample, rows: rows as SampleRow[] };
  if (typeof value['tickMs'] === 'number') sample.tickMs = value['tickMs'];
  if (value['liveOnly'] === false) sample.liveOnly = false;
  if (typeof value['final'] === 'string' && value['final'] !== '') sample.final = value['final'];
  const handleSites = value['handleSites'];
  if (isObject(handleSites)) {
    const read: Record<string, HandleSiteRow[]> = {};
    for (const [type, sites] of Object.entries(handleSites)) {
      if (!Array.isArray(sites)) continue;
      read[type] = sites.filter((row): row is HandleSiteRow => Array.isArray(row) && typeof row[0] === 'number' && typeof row[1] === 'number');
    }
    sample.handleSites = read;
  }
  return sample;
}

/** The snapshot a recording holds at one sample. */
export function snapshotOfSample(recording: Recording, sample: RecordingSample): Snapshot {
  const traces: Trace[] = sample.rows.map(([stackId, bytes, count]) => ({ traceback: recording.stacks.get(stackId)!, size: bytes, count }));
  return tickSnapshot(recording.header, sample.time, traces);
}

/** The snapshot of one tick's traces, dated and described as its lifetime's header says. */
export function tickSnapshot(header: RecordingHeader, time: number, traces: Trace[]): Snapshot {
  return new Snapshot(traces, {
    runtime: header.runtime,
    takenAt: new Date(time).toISOString(),
    samplingIntervalBytes: header.sampling.intervalBytes,
    stackDepth: header.sampling.stackDepth,
  });
}

/** Epoch milliseconds a Date can hold (a torn or spliced line can join two numbers into one too big). */
function isValidTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(new Date(value).getTime());
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
