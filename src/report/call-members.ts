import type { Suspect, TracebackEntry } from '../analysis/verdict.js';

/**
 * The reported sites a `call` suspect sums: the sites whose traceback passes through the
 * call's dependency frame, entered from the call's `calledFrom` line. The analysis forms a
 * call from its sites' tracebacks and reports every one of them, so the verdict alone tells
 * which they are; best ranked first.
 */
export function callMembers(call: Suspect, suspects: readonly Suspect[]): Suspect[] {
  const entry = call.traceback[0];
  const caller = call.calledFrom;
  if (call.keyType !== 'call' || !entry || !caller) return [];
  return suspects.filter((suspect) => suspect.keyType === 'lineno' && passesThrough(suspect.traceback, entry, caller)).sort((a, b) => a.rank - b.rank);
}

function passesThrough(traceback: readonly TracebackEntry[], entry: TracebackEntry, caller: TracebackEntry): boolean {
  return traceback.some((frame, i) => {
    if (!sameFrame(frame, entry)) return false;
    // runtime frames between (Array.prototype.map, emit) do not break the call, as in the analysis
    const below = traceback.slice(i + 1).find((other) => other.origin !== 'runtime');
    return below !== undefined && sameFrame(below, caller);
  });
}

function sameFrame(a: TracebackEntry, b: TracebackEntry): boolean {
  return a.file === b.file && a.line === b.line && a.function === b.function;
}
