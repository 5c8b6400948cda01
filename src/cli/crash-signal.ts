/** Signals that mean the process crashed in native code rather than being stopped. */
const CRASH_SIGNALS = new Set<NodeJS.Signals>(['SIGSEGV', 'SIGBUS', 'SIGILL', 'SIGFPE', 'SIGABRT']);

/**
 * What `run` adds when the command died by a crash signal. The agent's inspector sampler runs
 * a full GC at each tick, so N-API finalizers free what JavaScript dropped sooner and more
 * often than the program's own GCs would: an addon that still uses such memory (a
 * use-after-free, as in @napi-rs/canvas < 1.0.6's async encode) crashes sooner under run.
 */
export function crashAdvice(signal: NodeJS.Signals | null): string[] {
  if (!signal || !CRASH_SIGNALS.has(signal)) return [];
  return [
    `${signal} is a crash in native code (an addon, the runtime, or under --native the preloaded jemalloc).`,
    `The agent runs a full GC at each tick: an addon that still uses memory of objects JavaScript dropped crashes sooner under run.`,
    `A backtrace names the library: docs/native.md#a-crash-in-native-code`,
  ];
}
