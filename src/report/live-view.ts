import { formatSize } from '../model/size-format.js';
import { painter, type Paint, type Style } from './color.js';
import { formatRate, siteLabel } from './finding-format.js';
import type { LiveState } from './live-state.js';
import { sparkline } from './sparkline.js';
import { neutralise } from './terminal-text.js';

export type { LiveState, LiveGrower } from './live-state.js';
export { liveStateFromRecording } from './live-state.js';

/** A piece of a line: its text and how to paint it. */
type Segment = readonly [text: string, ...styles: Style[]];

const PROGRESS_WIDTH = 20;
const LABEL_WIDTH = 11;
const SIZE_WIDTH = 9;

/**
 * The live view as lines, none wider than `width` characters (so redrawing in place
 * never wraps): a status line with elapsed time, progress and samples, RSS, heap and
 * external memory with a sparkline each, and the fastest growers so far.
 */
export function renderLiveView(state: LiveState, options: { width: number; color: boolean }): string[] {
  const width = Math.max(20, Math.floor(options.width));
  const paint = painter(options.color);
  const render = (...segments: Segment[]) => fit(segments, width, paint);
  const lines = [render(...statusSegments(state))];
  if (state.samples === 0) {
    lines.push(render(['  waiting for the first sample…', 'dim']));
    return lines;
  }
  const sparkWidth = Math.max(0, Math.min(60, width - 2 - LABEL_WIDTH - SIZE_WIDTH - 2));
  const series: Array<[string, number[]]> = [
    ['RSS', state.rss],
    ['heap used', state.heapUsed],
    ['external', state.external],
  ];
  for (const [label, values] of series) {
    const now = values[values.length - 1] ?? 0;
    lines.push(render([`  ${label.padEnd(LABEL_WIDTH)}`], [formatSize(now).padStart(SIZE_WIDTH), 'bold'], ['  '], [sparkline(values, sparkWidth), 'cyan']));
  }
  if (state.growers.length > 0) {
    lines.push(render(['  growing since start', 'dim']));
    const rates = state.growers.map((grower) => formatRate(grower.bytesPerHour));
    const rateWidth = Math.max(...rates.map((rate) => rate.length));
    state.growers.forEach((grower, i) => {
      lines.push(render(['    '], [rates[i]!.padStart(rateWidth), 'red'], [`  ${formatSize(grower.liveBytes).padStart(SIZE_WIDTH)}  `], [neutralise(siteLabel(grower))]));
    });
  } else if (state.samples > 1) {
    lines.push(render(['  nothing has grown since the start', 'dim']));
  }
  return lines;
}

/** One line per tick for logs and pipes: no escapes, no redrawing. */
export function renderLivePlainLine(state: LiveState): string {
  const parts = [`heapsleuth ${clock(state.elapsedMs)}${state.durationMs !== undefined ? `/${clock(state.durationMs)}` : ''}`, `samples=${state.samples}`];
  const last = (values: number[]) => values[values.length - 1];
  const memory: Array<[string, number | undefined]> = [
    ['rss', last(state.rss)],
    ['heap', last(state.heapUsed)],
    ['external', last(state.external)],
  ];
  for (const [name, value] of memory) if (value !== undefined) parts.push(`${name}=${formatSize(value)}`);
  const top = state.growers[0];
  if (top) parts.push(`top=${neutralise(siteLabel(top))} ${formatRate(top.bytesPerHour)}`);
  return parts.join(' ');
}

function statusSegments(state: LiveState): Segment[] {
  const segments: Segment[] = [['heapsleuth', 'bold'], [' · '], [neutralise(state.service)], [` (pid ${state.pid})  `, 'dim']];
  if (state.durationMs !== undefined && state.durationMs > 0) {
    const fraction = Math.min(1, state.elapsedMs / state.durationMs);
    const done = Math.round(fraction * PROGRESS_WIDTH);
    segments.push(
      [`${clock(state.elapsedMs)} / ${clock(state.durationMs)}  `],
      ['█'.repeat(done), 'green'],
      ['░'.repeat(PROGRESS_WIDTH - done), 'dim'],
      [` ${String(Math.floor(fraction * 100)).padStart(3)}%`],
    );
  } else {
    segments.push([`${clock(state.elapsedMs)} elapsed`]);
  }
  segments.push([`  ${state.samples} sample${state.samples === 1 ? '' : 's'}`, 'dim']);
  return segments;
}

/** `0:42`, `12:05`, `1:02:03`. */
export function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/** Joins segments, cutting the plain text at `width` characters, then paints them. */
function fit(segments: Segment[], width: number, paint: Paint): string {
  let room = width;
  let out = '';
  for (const [text, ...styles] of segments) {
    if (room <= 0) break;
    const chars = [...text];
    const kept = chars.length > room ? chars.slice(0, Math.max(0, room - 1)).join('') + '…' : text;
    room -= Math.min(chars.length, room);
    out += paint(kept, ...styles);
  }
  return out;
}

/** Where the live view writes: a terminal or any stream. */
export interface LiveViewStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface LiveViewOptions {
  color: boolean;
  /** Print nothing at all (`--quiet`). */
  quiet?: boolean;
  /** Redraw in place; defaults to whether the stream is a terminal. */
  tty?: boolean;
}

const ESC = '\u001b[';
const HIDE_CURSOR = `${ESC}?25l`;
const SHOW_CURSOR = `${ESC}?25h`;

/**
 * Shows the live state while a run lasts. On a terminal it redraws in place with the
 * cursor hidden, and gives the cursor back on stop(), on exit and on Ctrl-C; elsewhere
 * it prints one plain line per new sample. Call update() as often as the clock should move.
 */
export class LiveView {
  private drawnLines = 0;
  private cursorHidden = false;
  private plainSamples = -1;
  private readonly tty: boolean;
  private readonly restoreCursor = () => this.stop();
  private readonly onSigint = () => {
    this.stop();
    // Our listener replaced Node's default; with no other listener left, die of SIGINT as expected.
    if (process.listenerCount('SIGINT') === 0) process.kill(process.pid, 'SIGINT');
  };

  constructor(
    private readonly stream: LiveViewStream,
    private readonly options: LiveViewOptions,
  ) {
    this.tty = options.tty ?? stream.isTTY === true;
  }

  update(state: LiveState): void {
    if (this.options.quiet) return;
    if (!this.tty) {
      // One line per sample, however often the caller polls.
      if (state.samples !== this.plainSamples) this.stream.write(renderLivePlainLine(state) + '\n');
      this.plainSamples = state.samples;
      return;
    }
    if (!this.cursorHidden) {
      this.cursorHidden = true;
      process.once('exit', this.restoreCursor);
      process.on('SIGINT', this.onSigint);
      this.stream.write(HIDE_CURSOR);
    }
    const lines = renderLiveView(state, { width: (this.stream.columns || 80) - 1, color: this.options.color });
    const moveUp = this.drawnLines > 0 ? `${ESC}${this.drawnLines}F` : '';
    this.stream.write(`${moveUp}${ESC}J${lines.join('\n')}\n`);
    this.drawnLines = lines.length;
  }

  /** Leaves the last frame on screen and restores the cursor. Safe to call twice. */
  stop(): void {
    if (!this.cursorHidden) return;
    this.cursorHidden = false;
    process.removeListener('exit', this.restoreCursor);
    process.removeListener('SIGINT', this.onSigint);
    this.stream.write(SHOW_CURSOR);
  }
}
