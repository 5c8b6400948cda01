/**
 * Signals that mean the process crashed in native code rather than being stopped. Not SIGABRT:
 * Node aborts on its own when the JS heap runs out (a leak's usual end), and says so itself.
 */
const CRASH_SIGNALS = new Set<NodeJS.Signals>(['SIGSEGV', 'SIGBUS', 'SIGILL', 'SIGFPE']);

/**
 * What `run` adds when the command died by a crash signal. The agent's ticks add garbage
 * collections (the inspector sampler's full GC, and young ones from what a tick allocates), so
 * an object JavaScript dropped is collected, and its N-API finalizer frees its native memory,
 * sooner and more often than under the program's own GCs: an addon that still uses that memory
 * (a use-after-free, as in @napi-rs/canvas < 1.0.6's async encode) crashes sooner under run.
 */
export function crashAdvice(signal: NodeJS.Signals | null): string[] {
  if (!signal || !CRASH_SIGNALS.has(signal)) return [];
  return [
    `${signal} is a crash in native code (an addon, the runtime, or under --native the preloaded jemalloc).`,
    `The agent's ticks add garbage collections (a full GC each by default): an addon that uses memory of objects JavaScript dropped crashes sooner under run.`,
    `A backtrace names the library: docs/native.md#a-crash-in-native-code`,
  ];
}
