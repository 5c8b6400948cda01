/**
 * The detective's findings: the JSON verdict contract of docs/verdict.md. Field names
 * here are a public contract (`heapsleuth analyze --json`): add fields, never rename.
 */
export type VerdictKind = 'leak' | 'no-leak' | 'inconclusive';

export interface TracebackEntry {
  file: string;
  line: number;
  function: string;
  /** Whose code: `app` (the user's files), `package` (a dependency), `runtime` (internals, builtins). */
  origin?: 'app' | 'package' | 'runtime';
  /** A second location of the same code (`file:line`) when `file` may not be on disk: see Suspect.alsoAt. */
  alsoAt?: string;
  /** Original source lines from `line` on, embedded in a source map, when that file is not on disk. */
  snippet?: string;
}

/** One point of a series, for charts: epoch milliseconds and a value. */
export interface SeriesPoint {
  time: number;
  value: number;
}

/** An allocation site whose live memory grows. */
export interface Suspect {
  rank: number;
  /**
   * What the suspect groups: `lineno` (one site: file, line, function), `traceback` (one
   * stack of a site), or, for a leak spread over many sites none of which passes alone,
   * `function`, `file` or `package` (all its sites summed; `line` is then its biggest
   * site's, and for `package` `file` is the package folder, `node_modules/<pkg>`).
   * `call`: a dependency's function called from the user's code (`calledFrom`), under
   * which several leaking sites were allocated, one in the dependency itself (a memoizer,
   * a cache with a loader: the values come from the user's code, the entries that keep
   * them from the package); its series sums those sites, which are reported too.
   */
  keyType: 'lineno' | 'traceback' | 'function' | 'file' | 'package' | 'call' | 'handle';
  /**
   * For `handle`: the handle type (`Timeout`, `TCPSocketWrap`, ...) that leaks, created at
   * this site. Such a suspect ranks first: what the open handles reference is what the
   * memory suspects hold. Its byte fields are 0; `handleGrowthPerHour` is its growth.
   */
  handleType?: string;
  handleGrowthPerHour?: number;
  /**
   * For `call`: the innermost frame below the called dependency function that at least two
   * of the summed sites pass through and that holds at least 90% of their growth (where a
   * dependency keeps what its many sites allocate). When present, `file`, `line` and
   * `function` are this frame's; `traceback[0]` stays the dependency function called.
   * `sites`: how many of the summed sites pass through it; `share`: their part of the growth, 0..1.
   */
  sharedFrame?: TracebackEntry & { sites: number; share: number };
  /** For `function`, `file`, `package` and `call`: how many sites it sums. */
  sites?: number;
  file: string;
  line: number;
  function: string;
  /**
   * A second location of the same code. A source map that names an original file that is
   * not on disk (a package shipping `dist/*.js.map` but not `src/`): `file` is the compiled
   * file, `alsoAt` the original. When the map embeds the original's text: `file` is the
   * original, `alsoAt` the compiled file, `snippet` the original lines.
   */
  alsoAt?: string;
  /** Original source lines from `line` on, embedded in the source map, when that file is not on disk. */
  snippet?: string;
  /**
   * Present when the site was allocated in a dependency of a dependency (a package the app
   * does not depend on directly): `file`, `line` and `function` are then the innermost frame
   * of the package the app uses (what the user can upgrade, pin or report), and this is the
   * frame that allocated. `package`: the allocating package. `basis`: `package.json` (the
   * app's package.json does not list it, and lists the blamed one) or `call` (the app's
   * dependencies were not known: the blamed package is the one the user's code called).
   */
  allocatedIn?: TracebackEntry & { package: string; basis: 'package.json' | 'call' };
  /**
   * When the blamed frame is in a dependency: the most recent frame in the user's own code
   * below it in the traceback (the call that reaches into the package), often the line to change.
   */
  calledFrom?: TracebackEntry;
  /** Theil-Sen slope of live bytes, per hour. */
  growthBytesPerHour: number;
  /** Estimated live bytes at the last sample. */
  liveBytes: number;
  /** 1 - the p-value corrected for testing many sites (Benjamini-Hochberg). */
  confidence: number;
  pValue: number;
  traceback: TracebackEntry[];
  /** Live bytes over time (downsampled for charts). */
  series: SeriesPoint[];
  /** Who keeps the site's objects alive, from heap snapshots (`run`, when a leak is seen); absent without them. */
  retainers?: RetainerFinding[];
  /**
   * The code that keeps this suspect's new objects alive when it is in another file than
   * the site that allocated them (the first retainer's `keptBy`): likely the code to change.
   */
  keeper?: { file: string; line?: number; what: string };
}

/** A group of new objects that survived, kept alive by one path, matched to a suspect (docs/retainers.md). */
export interface RetainerFinding {
  /** The path as one line, from the function whose scope holds its first variable. */
  path: string;
  /**
   * The code that holds the objects: the last closure or constructor with a file on the path
   * above them (or the closure at its end). Where it is in another file than the suspect,
   * that file is likely the one to change.
   */
  keptBy?: { file: string; line?: number; what: string };
  /**
   * Every step from the GC roots; `alsoAt` is the compiled position when a source map moved
   * `file`; `moduleScope` marks a scope that is a script's top level (a module's variables);
   * `wraps` the function a wrapper on the path calls (a `once` listener, a bound function, a
   * timer's or an EventTarget listener's callback), outermost kind first.
   */
  steps: {
    edgeType: string;
    edge: string;
    nodeType: string;
    node: string;
    file?: string;
    line?: number;
    alsoAt?: string;
    moduleScope?: true;
    wraps?: { kinds: ('once' | 'bind' | 'timer' | 'immediate' | 'listener' | 'node')[]; function: string; file?: string; line?: number; alsoAt?: string };
  }[];
  /** Objects at the path's end, and all new objects they alone lead to. */
  heads: number;
  objects: number;
  selfBytes: number;
  retainedBytes?: number;
  /** The group's part of all new surviving objects and of their bytes, 0..1. */
  objectShare: number;
  byteShare: number;
  constructors: { name: string; objects: number; bytes: number }[];
  locations: { file: string; line: number }[];
  /**
   * What tied it to the suspect: a closure or constructor at a frame's line, a closure on the
   * path named like a frame's function in its file, a constructor named like a frame's
   * function, code in a frame's file, or (`share`) none of these but the group holds at least
   * half of all new surviving bytes.
   */
  match: 'line' | 'function' | 'constructor' | 'file' | 'share';
}

/** A native allocation site (library, function) whose live memory grows, from allocator dumps (docs/native.md). */
export interface NativeSuspect {
  rank: number;
  /** The file the code is in (a shared library, an addon, the executable). */
  library: string;
  /** Demangled; `+0x1a2b` (offset in the library) where the file has no symbol. */
  function: string;
  growthBytesPerHour: number;
  liveBytes: number;
  confidence: number;
  /** From the blamed frame outwards; `{ library: '<jit>', function: '(JavaScript)' }` last when JS called in. */
  stack: { library: string; function: string }[];
  /** The native stack ends in JIT code: the caller is JavaScript, which native unwinding cannot see. */
  calledFromJavaScript: boolean;
  /** The library has no symbol there (a stripped addon): `function` is an offset, the library is still named. */
  stripped?: boolean;
  /** The runtime's frames the addon allocated through (`napi_create_reference` in node), innermost first. */
  via?: { library: string; function: string }[];
  /** When `calledFromJavaScript`: the JS suspects whose live bytes grow in step with this site's (best first). */
  javascript?: NativeJsSide[];
}

/** A JS suspect tied to a native site by growing at the same time (correlation at the allocator dumps). */
export interface NativeJsSide {
  file: string;
  line: number;
  function: string;
  /** Pearson correlation of the two live-bytes series at the dump times. */
  correlation: number;
}

/** What the allocator's dumps said about native memory as a whole. */
export interface NativeSummary {
  /** Dumps read (points of the native series). */
  dumps: number;
  /** Live bytes the allocator holds for the program (all native allocations, unbiased). */
  liveBytes: SeriesFinding;
  /** RSS grows while live native allocations do not: fragmentation or allocator retention, not a leak. */
  fragmentation: boolean;
  /** What to do about it, when `fragmentation`. */
  advice?: string;
}

/** A process-wide memory series and whether it leaks. */
export interface SeriesFinding {
  growthBytesPerHour: number;
  leak: boolean;
  confidence: number;
  /** Value at the last sample. */
  lastBytes: number;
  /**
   * Only on `heapUsed`, when some allocation sites' growth is over: caches at their bound
   * (`cachesAtBound`: their old sampled objects die as fast as they gain, where the recording
   * tells samples apart) and sites that rose, kept it and levelled off early in the window
   * (`levelledOff`: a warm-up, a one-off load), and sites whose objects live a bounded time
   * (`shortLived`, the longest `livesAtMostSeconds`: no live sample is older than ones that
   * died, where the recording carries the oldest sample's age). How fast their summed live bytes grew and
   * what they hold now. `leak` and `confidence` then judge the heap without them;
   * `growthBytesPerHour` and `lastBytes` are the heap's own.
   */
  settled?: { cachesAtBound: number; shortLived?: number; livesAtMostSeconds?: number; levelledOff: number; growthBytesPerHour: number; liveBytes: number };
}

export interface HandleFinding {
  /** `Timeout`, `TCPSocketWrap`, `FSReqCallback`, `fds`, ... */
  type: string;
  count: number;
  growthPerHour: number;
  leak: boolean;
  confidence: number;
  /** Where the live handles of this type were created, when the agent recorded it (while the type grew). */
  createdAt?: HandleCreation;
}

/** The creation site holding most live handles of a type: the nearest frame a user can change. */
export interface HandleCreation {
  file: string;
  line: number;
  function: string;
  /** Sampled live handles created there (a lower bound: the agent samples a bounded number per tick). */
  liveSampled: number;
  /** The creation stack, most recent call first. */
  traceback: TracebackEntry[];
  /** When the site is in a dependency: the user's own frame that called into it. */
  calledFrom?: TracebackEntry;
  /** When the handles were created in a dependency of a dependency: the frame that created them (as Suspect.allocatedIn); `file`, `line`, `function` are then the package the app uses. */
  createdIn?: TracebackEntry & { package: string; basis: 'package.json' | 'call' };
}

export interface Restart {
  /** Epoch milliseconds when the new process started. */
  time: number;
  previousPid: number;
  pid: number;
  /** Highest RSS the previous process reached. */
  previousPeakRssBytes: number;
}

export interface Projection {
  /** The limit memory runs into first: the container limit for RSS, V8's heap limit for the heap. 0 when unknown. */
  limitBytes: number;
  limitKind: 'cgroup' | 'heap' | 'none';
  /** Hours until that limit at the current growth; null when not growing or no limit is known. */
  hoursToLimit: number | null;
}

/** What the program freed as it stopped: the ticks marked `final` in the recording. */
export interface Teardown {
  /** `exit`, `stop`, or the stop signal (`SIGTERM`, `SIGINT`, ...). */
  reason: string;
  /** Epoch milliseconds of the final tick. */
  time: number;
  /** JS heap and external memory released between the last running tick and the final one. */
  releasedBytes: number;
  /** Epoch milliseconds of the last tick of the running phase (the end of what was judged). */
  lastRunningTime: number;
}

export interface Verdict {
  verdict: VerdictKind;
  /** Why the verdict is what it is, in one sentence (always set for `inconclusive`). */
  reason?: string;
  service: string;
  runtime: 'node' | 'python';
  window: { start: string; end: string; samples: number; durationSeconds: number };
  suspects: Suspect[];
  process: {
    rss: SeriesFinding;
    heapUsed: SeriesFinding;
    external: SeriesFinding;
    arrayBuffers: SeriesFinding;
    /** RSS growth that the JS heap and external memory do not explain: native allocations. */
    nativeGap: SeriesFinding;
  };
  handles: HandleFinding[];
  restarts: Restart[];
  projection: Projection;
  /** Things the reader skipped or doubts about the input. */
  warnings: string[];
  /**
   * Present when the process stopped with a final tick: what it released on the way out.
   * Trends are judged without that tick; what was freed at exit is never evidence against a leak.
   */
  teardown?: Teardown;
  /** Native allocation sites that grow, from allocator dumps (`run --native`); absent without dumps. */
  nativeSuspects?: NativeSuspect[];
  /** What the allocator dumps said about native memory as a whole; absent without dumps. */
  native?: NativeSummary;
  /**
   * Present when retainer paths were attached: the heap snapshots they come from started at
   * `since` (the early snapshot), so the paths cover objects allocated from then on. `auto`:
   * `run` started them when its live analysis saw a leak (`trigger`); `start`: from the
   * second tick (`run --retainers`).
   */
  retainerSnapshots?: RetainerSnapshots;
}

/** Where retainer paths come from (Verdict.retainerSnapshots). */
export interface RetainerSnapshots {
  mode: 'auto' | 'start';
  /** ISO time of the early snapshot. */
  since: string;
  /** The surest suspect when `run` saw the leak and asked for snapshots (`auto`), with its confidence and the sample count then. */
  trigger?: { suspect: string; confidence: number; sample: number };
}
