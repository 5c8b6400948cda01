/**
 * The code heapsleuth runs inside the target through `Runtime.evaluate`, in the global
 * scope of its main context. Node's modules are reached through `process.getBuiltinModule`
 * (Node >= 20.16) or the console's `require` (the command-line API the inspector offers,
 * present for CommonJS and ESM programs alike). Everything installed lives under one
 * global symbol and is removed at detach; allocations made by this code carry its
 * script URL and are left out of the recording.
 */
export const TARGET_SCRIPT_URL = 'heapsleuth-attach.js';

const KEY = `Symbol.for('heapsleuth.attach')`;
const LOAD = `(typeof process.getBuiltinModule === 'function' ? (name) => process.getBuiltinModule(name) : require)`;
const SOURCE_URL = `\n//# sourceURL=${TARGET_SCRIPT_URL}`;

/**
 * Closes the inspector a moment after heapsleuth has disconnected. On Node 20, closing it
 * while a client's disconnect is still being processed can crash the process (seen about
 * once in ten detaches of a loaded HTTP server with a 0 ms delay, never in 40 with the
 * close after the disconnect); closing disconnects any client still there.
 */
export const CLOSE_DELAY_MS = 1000;
const CLOSE_LATER = `(inspector, delayMs) => {
    const close = () => { try { inspector.close(); } catch {} };
    if (delayMs > 0) setTimeout(close, delayMs).unref(); else close();
  }`;

/** What the target says about itself when heapsleuth arrives. */
export interface TargetIdentity {
  pid: number;
  ppid: number;
  version: string;
  argv: string[];
  execArgv: string[];
  cwd: string;
  hostname: string;
  heapLimitBytes: number;
  /** The inspector's WebSocket URL as the target knows it. */
  inspectorUrl: string | undefined;
  /** A heapsleuth attach session that was left behind (its watchdog still running) and is replaced now. */
  replacedStale: boolean;
  /** The inspector is to be closed at detach: we opened it, or the session left behind had opened it. */
  closesInspector: boolean;
}

/**
 * Installs the attach state: GC counts by kind (a performance observer, as the agent's),
 * and a watchdog. heapsleuth calls `heartbeat` every few seconds; when it stops for
 * `graceMs` (heapsleuth was killed with SIGKILL, or hangs), the watchdog removes the
 * state and, when heapsleuth opened the inspector, closes it, so that no debug port stays
 * open because of us. Its timer is unref'd: it never keeps the target alive.
 */
export function installScript(graceMs: number, closeInspectorOnLoss: boolean): string {
  return `(() => {
  const key = ${KEY};
  const load = ${LOAD};
  const inspector = load('node:inspector');
  const { PerformanceObserver, constants } = load('node:perf_hooks');
  const closeLater = ${CLOSE_LATER};
  const stale = globalThis[key];
  if (stale) stale.dispose(false, 0);
  const closesInspector = ${closeInspectorOnLoss} || Boolean(stale?.closesInspector);
  const kinds = { [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor', [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
    [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental', [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb' };
  const gc = {};
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = kinds[entry.detail?.kind] ?? 'other';
      const stats = gc[kind] ??= { count: 0, pauseMs: 0 };
      stats.count += 1;
      stats.pauseMs += entry.duration;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const state = { seen: Date.now(), gc, closesInspector, dispose: undefined };
  const timer = setInterval(() => {
    if (Date.now() - state.seen > ${Math.round(graceMs)}) state.dispose(closesInspector, 0);
  }, 1000);
  timer.unref();
  state.dispose = (closeInspector, delayMs) => {
    clearInterval(timer);
    observer.disconnect();
    if (globalThis[key] === state) delete globalThis[key];
    if (closeInspector) closeLater(inspector, delayMs);
  };
  Object.defineProperty(globalThis, key, { value: state, configurable: true, enumerable: false, writable: true });
  return {
    pid: process.pid, ppid: process.ppid, version: process.version, argv: process.argv, execArgv: process.execArgv,
    cwd: process.cwd(), hostname: load('node:os').hostname(),
    heapLimitBytes: load('node:v8').getHeapStatistics().heap_size_limit,
    inspectorUrl: inspector.url(), replacedStale: Boolean(stale), closesInspector,
  };
})()${SOURCE_URL}`;
}

/** Keeps the watchdog quiet. */
export const HEARTBEAT_SCRIPT = `(() => { const state = globalThis[${KEY}]; if (state) state.seen = Date.now(); return Boolean(state); })()${SOURCE_URL}`;

/** The process sample, as the agent's ProcessMetrics reads it, plus the heartbeat. */
export const SAMPLE_SCRIPT = `(() => {
  const state = globalThis[${KEY}];
  if (state) state.seen = Date.now();
  const load = ${LOAD};
  const memory = process.memoryUsage();
  const heapSpaces = {};
  for (const space of load('node:v8').getHeapSpaceStatistics()) heapSpaces[space.space_name] = { size: space.space_size, used: space.space_used_size };
  const handles = {};
  for (const type of process.getActiveResourcesInfo()) handles[type] = (handles[type] ?? 0) + 1;
  let openFds;
  try { openFds = load('node:fs').readdirSync('/proc/self/fd').length - 1; } catch {}
  return { time: Date.now(), memory: { rss: memory.rss, heapTotal: memory.heapTotal, heapUsed: memory.heapUsed,
    external: memory.external, arrayBuffers: memory.arrayBuffers }, heapSpaces, gc: state ? state.gc : undefined, handles, openFds };
})()${SOURCE_URL}`;

/** Removes the attach state; with `closeInspector`, closes the inspector CLOSE_DELAY_MS after heapsleuth disconnected. */
export function detachScript(closeInspector: boolean): string {
  return `(() => {
  const state = globalThis[${KEY}];
  if (state) { state.dispose(${closeInspector}, ${CLOSE_DELAY_MS}); return true; }
  if (${closeInspector}) (${CLOSE_LATER})(${LOAD}('node:inspector'), ${CLOSE_DELAY_MS});
  return false;
})()${SOURCE_URL}`;
}
