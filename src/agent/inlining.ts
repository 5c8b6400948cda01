import v8 from 'node:v8';

/**
 * Stops V8 from inlining functions into their callers from now on. The sampling heap
 * profiler charges an allocation to the function whose frame is on the stack, and an
 * inlined function has none: a small function in a package that leaks is then charged
 * to whatever called it (often the user's code, the wrong file). Without inlining every
 * function keeps its own frame, at some cost in speed, which `heapsleuth run` (a
 * diagnosis run) accepts by default and a production agent does not.
 */
export function stopInlining(): void {
  v8.setFlagsFromString('--no-turbo-inlining');
}
