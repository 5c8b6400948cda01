import { Frame } from './frame.js';

/**
 * The stack of an allocation. `frames[0]` is the most recent call (where the memory
 * was allocated), the last frame is the outermost.
 */
export class Traceback {
  readonly frames: readonly Frame[];

  constructor(frames: readonly Frame[]) {
    this.frames = frames;
  }

  get length(): number {
    return this.frames.length;
  }

  /** The allocation site, or undefined for an empty stack. */
  get mostRecent(): Frame | undefined {
    return this.frames[0];
  }

  /**
   * The frame to blame: the most recent one in code a user can change (skipping
   * `node:` internals and builtins), or the most recent frame when there is none.
   */
  get blameFrame(): Frame | undefined {
    return this.frames.find((frame) => frame.isUserCode) ?? this.frames[0];
  }

  get key(): string {
    return this.frames.map((frame) => frame.key).join('\u0001');
  }

  /**
   * Lines as Python's traceback module prints them, oldest call first unless
   * `mostRecentFirst`. A positive `limit` keeps that many most recent frames, a
   * negative one that many oldest frames (tracemalloc's semantics).
   */
  format(limit?: number, mostRecentFirst = false): string[] {
    let frames = [...this.frames].reverse(); // oldest first
    if (limit !== undefined) {
      frames = limit > 0 ? frames.slice(-limit) : frames.slice(0, -limit);
    }
    if (mostRecentFirst) frames.reverse();
    const lines: string[] = [];
    for (const frame of frames) {
      const fn = frame.functionName ? `, in ${frame.functionName}` : '';
      lines.push(`  File "${frame.file || '(native)'}", line ${frame.line}${fn}`);
    }
    return lines;
  }

  /** `remember (src/cache.ts:42) <- handle (src/routes/login.ts:17) <- ...` */
  toString(): string {
    return this.frames.map((frame) => frame.describe()).join(' <- ');
  }

  static compare(a: Traceback, b: Traceback): number {
    const n = Math.min(a.frames.length, b.frames.length);
    for (let i = 0; i < n; i++) {
      const order = Frame.compare(a.frames[i]!, b.frames[i]!);
      if (order !== 0) return order;
    }
    return a.frames.length - b.frames.length;
  }
}
