import type { Snapshot } from '../model/snapshot.js';
import type { Trace } from '../model/trace.js';
import type { RecordingSink, RowColumns, SampleLine, StackTable } from './recording-decoder.js';
import { streamRecordingInto, type ReadRecordingOptions } from './recording-file.js';
import { tickSnapshot, type RecordingHeader } from './recording.js';
import { indexInRange, timeChoiceTakes, type SnapshotChoice } from './snapshot-choice.js';

/** One tick a choice named: its index among the recording's samples, and its snapshot. */
export interface RecordingTick {
  index: number;
  snapshot: Snapshot;
}

export interface RecordingTicks {
  source: string;
  /** Samples of the file's first process lifetime: what indexes count, as parseRecording reads it. */
  count: number;
  /** When the first of them was taken (for messages). */
  firstTime: number | undefined;
  /** The tick each choice names, in the order of the choices; undefined where it names none. */
  ticks: Array<RecordingTick | undefined>;
  /** What was skipped while reading, as parseRecording tells it. */
  warnings: string[];
  /** The most ticks' rows held at once while reading: bounded by the choices, whatever the file's length. */
  heldAtMost: number;
}

/**
 * Negative indexes up to this far from the end are kept in a ring of that many ticks while
 * the file streams by; one further back (rare) costs a first pass that counts the samples.
 */
export const RING_TICKS = 16;

/**
 * Reads the ticks `choices` name from a recording file in one pass, in memory bounded by
 * the choices (not by the file's length): the file streams through the recording decoder,
 * each choice keeps a copy of the rows of the tick it names so far (the newest replaces the
 * one before), and only the ticks finally named become snapshots. Reads the first process
 * lifetime of a file holding several, as parseRecording does. Throws RecordingFormatError
 * for a file that is not a recording, and the file system's errors.
 */
export function readRecordingTicks(path: string, choices: SnapshotChoice[], options: Pick<ReadRecordingOptions, 'workerFromBytes' | 'segmentBytes'> = {}): RecordingTicks {
  let planned = choices;
  if (choices.some((choice) => 'index' in choice && choice.index < -RING_TICKS)) {
    const { count } = readRecordingTicks(path, [], options);
    planned = choices.map((choice) => ('index' in choice && choice.index < 0 ? { index: indexInRange(choice.index, count) ?? count } : choice));
  }
  const { sink, warnings } = streamRecordingInto(path, () => new TickPicker(planned), options);
  if (sink.lifetimes > 1) warnings.push(`${path}: holds ${sink.lifetimes} process lifetimes (one header each); read the first one only`);
  return { source: path, count: sink.count, firstTime: sink.firstTime, ticks: sink.ticks(), warnings, heldAtMost: sink.heldAtMost };
}

/** The rows of one tick, copied out of the decoder's reused columns. */
interface HeldTick {
  index: number;
  time: number;
  length: number;
  stackIds: Float64Array;
  bytes: Float64Array;
  counts: Float64Array;
}

/** Where one choice keeps the tick it names so far: one slot, or a ring of `-index` slots for a negative index. */
interface ChoiceSlots {
  choice: SnapshotChoice;
  slots: Array<HeldTick | undefined>;
}

/** A sink that keeps, of the first lifetime's samples, only the rows of the ticks the choices name. */
class TickPicker implements RecordingSink {
  lifetimes = 0;
  count = 0;
  firstTime: number | undefined;
  heldAtMost = 0;
  private held = 0;
  private firstHeader: RecordingHeader | undefined;
  private stacks: StackTable | undefined;
  private readonly choices: ChoiceSlots[];

  constructor(choices: SnapshotChoice[]) {
    this.choices = choices.map((choice) => ({ choice, slots: new Array<HeldTick | undefined>('index' in choice && choice.index < 0 ? -choice.index : 1).fill(undefined) }));
  }

  header(header: RecordingHeader): void {
    this.lifetimes += 1;
    if (this.lifetimes === 1) this.firstHeader = header;
  }

  sample(line: SampleLine, rows: RowColumns, stacks: StackTable): void {
    if (this.lifetimes !== 1) return;
    const index = this.count++;
    this.firstTime ??= line.time;
    this.stacks = stacks;
    for (const { choice, slots } of this.choices) {
      if ('time' in choice) {
        if (timeChoiceTakes(choice, line.time, slots[0]?.time)) this.hold(slots, 0, index, line.time, rows);
      } else if (choice.index < 0) {
        this.hold(slots, index % slots.length, index, line.time, rows);
      } else if (choice.index === index) {
        this.hold(slots, 0, index, line.time, rows);
      }
    }
  }

  end(): void {}

  /** The tick each choice names, as snapshots (the only ticks made into traces). */
  ticks(): Array<RecordingTick | undefined> {
    return this.choices.map(({ choice, slots }) => {
      let held = slots[0];
      if ('index' in choice && choice.index < 0) {
        const index = indexInRange(choice.index, this.count);
        held = index === undefined ? undefined : slots[index % slots.length];
      }
      return held && { index: held.index, snapshot: this.snapshotOf(held) };
    });
  }

  private snapshotOf(held: HeldTick): Snapshot {
    const traces = new Array<Trace>(held.length);
    for (let i = 0; i < held.length; i++) traces[i] = { traceback: this.stacks!.get(held.stackIds[i]!)!, size: held.bytes[i]!, count: held.counts[i]! };
    return tickSnapshot(this.firstHeader!, held.time, traces);
  }

  /** Copies a tick's rows into a slot, reusing the arrays of the tick it replaces when they are long enough. */
  private hold(slots: Array<HeldTick | undefined>, at: number, index: number, time: number, rows: RowColumns): void {
    let slot = slots[at];
    if (!slot) {
      this.held += 1;
      this.heldAtMost = Math.max(this.heldAtMost, this.held);
    }
    if (!slot || slot.stackIds.length < rows.length) {
      const capacity = Math.max(rows.length, 16);
      slot = { index, time, length: 0, stackIds: new Float64Array(capacity), bytes: new Float64Array(capacity), counts: new Float64Array(capacity) };
      slots[at] = slot;
    }
    slot.index = index;
    slot.time = time;
    slot.length = rows.length;
    slot.stackIds.set(rows.stackIds.subarray(0, rows.length));
    slot.bytes.set(rows.bytes.subarray(0, rows.length));
    slot.counts.set(rows.counts.subarray(0, rows.length));
  }
}
