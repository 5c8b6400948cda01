import type { RawCallFrame } from './sampler.js';

const STACK_LIMIT = 32;

type CallSiteLike = { getFileName(): string | null | undefined; getLineNumber(): number | null; getColumnNumber(): number | null; getFunctionName(): string | null };

/**
 * The current stack as call frames (structured, not formatted text), starting at the caller
 * of `below`: the agent's own hook or wrapper frames are left out.
 */
export function captureFrames(below: Function): RawCallFrame[] {
  const savedPrepare = Error.prepareStackTrace;
  const savedLimit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = STACK_LIMIT;
    Error.prepareStackTrace = (_error, callSites) => callSites;
    const holder: { stack?: unknown } = {};
    Error.captureStackTrace(holder, below);
    const callSites = holder.stack as CallSiteLike[] | undefined;
    if (!Array.isArray(callSites)) return [];
    return callSites.map((site) => ({
      functionName: site.getFunctionName() ?? '',
      url: site.getFileName() ?? '',
      lineNumber: Math.max(0, (site.getLineNumber() ?? 1) - 1),
      columnNumber: Math.max(0, (site.getColumnNumber() ?? 1) - 1),
    }));
  } finally {
    Error.prepareStackTrace = savedPrepare;
    Error.stackTraceLimit = savedLimit;
  }
}

/** A key that tells stacks apart (same frames, same key). */
export function stackKey(frames: readonly RawCallFrame[]): string {
  return frames.map((frame) => `${frame.url}:${frame.lineNumber}:${frame.columnNumber}:${frame.functionName}`).join('\u0001');
}
