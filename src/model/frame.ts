/**
 * One call frame of an allocation stack: where a function lives.
 *
 * On V8 the line is the first line of the allocating function (the sampling heap
 * profiler attributes allocations per function, not per statement); on Python it is
 * the exact line. `file` is already shown the way a person reads it: relative to the
 * observed process's working directory, `node_modules/<pkg>/...`, or a `node:` URL.
 * An empty `file` marks code without a script (V8 builtins, native code).
 */
const NOT_A_FILE = /^(?:$|node:|<|\(native\)|\[eval\d*\]|evalmachine\.<anonymous>|[a-z][a-z0-9+.-]*:\/\/)/i;

/** Where else a frame's code can be read, when its own file may not be on disk. */
export interface FrameSource {
  /**
   * A second location of the same code (`file:line`): the compiled file when a source map
   * names an original that is not on disk (`file` is then the compiled one, `alsoAt` the
   * original), or the compiled file when the original's text came from the map.
   */
  alsoAt?: string;
  /** Lines of the original source from `line` on, embedded in the source map (`sourcesContent`), when that file is not on disk. */
  snippet?: string;
}

const PACKAGE_PATH = /(?:^|\/)(?:node_modules|site-packages|dist-packages)\//;

export type CodeOrigin = 'app' | 'package' | 'runtime';

export class Frame {
  readonly alsoAt: string | undefined;
  readonly snippet: string | undefined;

  constructor(
    readonly file: string,
    readonly line: number,
    readonly functionName: string = '',
    readonly column: number = 0,
    source: FrameSource = {},
  ) {
    this.alsoAt = source.alsoAt;
    this.snippet = source.snippet;
  }

  /**
   * Code a user can change, in a file a person can open: not a runtime internal (`node:`,
   * Python's `<stdlib>/`), not a builtin or code compiled at run time without a script
   * (`String.prototype.repeat`, `JSON.parse`, `new Function`), not a name that is no file
   * (`evalmachine.<anonymous>` from `vm`, `[eval]`, `wasm://...`, `webpack://...`).
   */
  get isUserCode(): boolean {
    return !NOT_A_FILE.test(this.file);
  }

  /**
   * Whose code this is: `app` (the user's own files), `package` (a dependency under
   * `node_modules/` or `site-packages/`), or `runtime` (internals, builtins, code without
   * a file). The first `app` frame under a `package` one is often the line to change.
   */
  get origin(): CodeOrigin {
    if (!this.isUserCode) return 'runtime';
    return PACKAGE_PATH.test(this.file) ? 'package' : 'app';
  }

  /** `src/cache.ts:42`, as tracemalloc prints a frame. */
  toString(): string {
    return `${this.file || '(native)'}:${this.line}`;
  }

  /** `remember (src/cache.ts:42)`, as a stack trace line. */
  describe(): string {
    const where = this.toString();
    return this.functionName ? `${this.functionName} (${where})` : where;
  }

  /** A string that identifies the frame, usable as a map key. */
  get key(): string {
    return `${this.file}\u0000${this.line}\u0000${this.column}\u0000${this.functionName}`;
  }

  static compare(a: Frame, b: Frame): number {
    return compareStrings(a.file, b.file) || a.line - b.line || compareStrings(a.functionName, b.functionName) || a.column - b.column;
  }
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
