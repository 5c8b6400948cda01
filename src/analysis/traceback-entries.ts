import type { Frame } from '../model/frame.js';
import type { TracebackEntry } from './verdict.js';

export function tracebackEntry(frame: Frame): TracebackEntry {
  return { file: frame.file, line: frame.line, function: frame.functionName, origin: frame.origin, ...frameSource(frame) };
}

/** The user's own frame that called into the package the suspect is blamed on, if any. */
export function calledFrom(frames: readonly Frame[], blame: Frame | undefined): { calledFrom?: TracebackEntry } {
  if (!blame || blame.origin !== 'package') return {};
  const app = frames.slice(frames.indexOf(blame) + 1).find((frame) => frame.origin === 'app');
  return app ? { calledFrom: tracebackEntry(app) } : {};
}

export function frameSource(frame: Frame | undefined): Pick<TracebackEntry, 'alsoAt' | 'snippet'> {
  if (!frame) return {};
  return { ...(frame.alsoAt ? { alsoAt: frame.alsoAt } : {}), ...(frame.snippet ? { snippet: frame.snippet } : {}) };
}
