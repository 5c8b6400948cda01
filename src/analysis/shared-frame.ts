import type { Frame } from '../model/frame.js';
import { lastValue } from './group-segments.js';
import type { GroupSeries } from './series.js';
import { frameSource, tracebackEntry } from './traceback-entries.js';
import type { Suspect } from './verdict.js';

/**
 * The frame that the sites summed by one call pass through: where a dependency keeps what
 * many of its sites allocate. A pool registry allocates its queues, clients and listeners
 * in a dozen files, each site small, but all of them under the registry's one lookup; a
 * scheduler's actions, subscriptions and closures all come from one operator. That frame
 * is the code that decided to keep them, the line to read first.
 */
export interface SharedFrame {
  frame: Frame;
  /** How many of the sites pass through it. */
  sites: number;
  /** Their part of the sites' summed growth, 0..1. */
  share: number;
}

/**
 * The sites passing through a frame must hold at least this part of the summed growth. A
 * frame only some of the growth passes through names one branch, not the keeper of all.
 */
export const SHARED_GROWTH_SHARE = 0.9;

/**
 * The innermost frame, strictly below the call's entry frame (`entryKey`: the dependency
 * frame the user's code called), that at least two of the sites' biggest stacks pass
 * through and that holds at least SHARED_GROWTH_SHARE of their summed growth; undefined
 * when there is none. Being below the entry keeps the event loop, `main` and the user's
 * own frames (a router, a request handler) out: those are shared by unrelated sites, the
 * entry is where they stop being shared. Only dependency frames count: runtime frames
 * (`emit`, `Array.prototype.map`) name no code to change, and the user's own callbacks
 * inside the call (a memoizer's loader) make the values, they do not keep them. Where stacks disagree on which of two frames is
 * inner (a dispatcher recursing through itself), the growth passing through them decides.
 * `eligible` narrows the frames that can be it (package-calls.ts keeps dependencies of the
 * called package out: what the user can change or report is the package they call).
 */
export function sharedFrame(entryKey: string, sites: readonly GroupSeries[], eligible: (frame: Frame) => boolean = () => true): SharedFrame | undefined {
  const growths = sites.map(growthOf);
  const total = growths.reduce((sum, growth) => sum + growth, 0);
  if (total <= 0) return undefined;
  // per site: each candidate frame's innermost position (0 = the allocating frame)
  const positions = sites.map((site) => framePositions(site.biggestStack.frames, entryKey, eligible));
  const candidates = new Map<string, { frame: Frame; sites: number; growth: number }>();
  positions.forEach((found, i) => {
    for (const { frame } of found.values()) {
      const entry = candidates.get(frame.key) ?? { frame, sites: 0, growth: 0 };
      entry.sites++;
      entry.growth += growths[i]!;
      candidates.set(frame.key, entry);
    }
  });
  const qualified = [...candidates.values()].filter((entry) => entry.sites >= 2 && entry.growth / total >= SHARED_GROWTH_SHARE);
  if (qualified.length === 0) return undefined;
  const innerWeight = (a: Frame, b: Frame): number =>
    positions.reduce((sum, found, i) => {
      const pa = found.get(a.key)?.position;
      const pb = found.get(b.key)?.position;
      return pa !== undefined && pb !== undefined && pa < pb ? sum + growths[i]! : sum;
    }, 0);
  const innermost = qualified.reduce((best, entry) => (innerWeight(entry.frame, best.frame) > innerWeight(best.frame, entry.frame) ? entry : best));
  return { frame: innermost.frame, sites: innermost.sites, share: innermost.growth / total };
}

/** Dependency frames between the allocation and the entry frame, by key, at their innermost position. */
function framePositions(frames: readonly Frame[], entryKey: string, eligible: (frame: Frame) => boolean): Map<string, { frame: Frame; position: number }> {
  const found = new Map<string, { frame: Frame; position: number }>();
  const entry = frames.findIndex((frame) => frame.key === entryKey);
  if (entry < 0) return found;
  frames.slice(0, entry).forEach((frame, position) => {
    if (frame.origin === 'package' && eligible(frame) && !found.has(frame.key)) found.set(frame.key, { frame, position });
  });
  return found;
}

/** What a site gained from its first sample to its last (0 when it did not gain). */
function growthOf(site: GroupSeries): number {
  const first = site.bytes.find((segment) => segment.length > 0)?.[0] ?? 0;
  return Math.max(0, lastValue(site.bytes) - first);
}

/** A call suspect's fields when it has a shared frame: the frame becomes its place (file, line, function). */
export function sharedFrameFields(shared: SharedFrame): Pick<Suspect, 'file' | 'line' | 'function' | 'alsoAt' | 'snippet' | 'sharedFrame'> {
  const entry = tracebackEntry(shared.frame);
  return {
    file: entry.file,
    line: entry.line,
    function: entry.function,
    ...frameSource(shared.frame),
    sharedFrame: { ...entry, sites: shared.sites, share: shared.share },
  };
}
