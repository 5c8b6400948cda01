import type { Trace } from './trace.js';
import type { Frame } from './frame.js';

export interface FilterOptions {
  /** Keep only matching traces (true) or drop matching traces (false). */
  inclusive: boolean;
  /** A glob on the frame's file: `*` any characters, `?` one character. */
  filenamePattern: string;
  /** Only this line of the matching file. */
  lineno?: number;
  /** Match any frame of the stack, not only the frame to blame. */
  allFrames?: boolean;
}

/**
 * Include or exclude traces by file pattern and line, as tracemalloc.Filter does:
 * a trace is kept when it matches at least one inclusive filter (if there are any)
 * and no exclusive filter.
 */
export class Filter {
  readonly inclusive: boolean;
  readonly filenamePattern: string;
  readonly lineno: number | undefined;
  readonly allFrames: boolean;
  private readonly regex: RegExp;

  constructor(options: FilterOptions) {
    this.inclusive = options.inclusive;
    this.filenamePattern = options.filenamePattern;
    this.lineno = options.lineno;
    this.allFrames = options.allFrames ?? false;
    this.regex = globToRegExp(options.filenamePattern);
  }

  static include(filenamePattern: string, options: Omit<FilterOptions, 'inclusive' | 'filenamePattern'> = {}): Filter {
    return new Filter({ ...options, inclusive: true, filenamePattern });
  }

  static exclude(filenamePattern: string, options: Omit<FilterOptions, 'inclusive' | 'filenamePattern'> = {}): Filter {
    return new Filter({ ...options, inclusive: false, filenamePattern });
  }

  matchesFrame(frame: Frame): boolean {
    if (!this.regex.test(frame.file)) return false;
    return this.lineno === undefined || frame.line === this.lineno;
  }

  /** Whether the trace matches the pattern (regardless of inclusive/exclusive). */
  matches(trace: Trace): boolean {
    const frames = this.allFrames ? trace.traceback.frames : [trace.traceback.blameFrame];
    return frames.some((frame) => frame !== undefined && this.matchesFrame(frame));
  }
}

export function applyFilters(traces: readonly Trace[], filters: readonly Filter[]): Trace[] {
  const inclusive = filters.filter((filter) => filter.inclusive);
  const exclusive = filters.filter((filter) => !filter.inclusive);
  return traces.filter(
    (trace) =>
      (inclusive.length === 0 || inclusive.some((filter) => filter.matches(trace))) &&
      !exclusive.some((filter) => filter.matches(trace)),
  );
}

function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (const char of pattern) {
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}
