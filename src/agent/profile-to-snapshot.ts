import { Snapshot } from '../model/snapshot.js';
import { Traceback } from '../model/traceback.js';
import type { Frame } from '../model/frame.js';
import type { Trace } from '../model/trace.js';
import type { LocationResolver } from './locations.js';
import type { AllocationNode } from './sampler.js';

export interface ProfileConversion {
  samplingIntervalBytes: number;
  /** Keep at most this many most recent frames of each stack. */
  stackDepth: number;
  resolver: LocationResolver;
  /** Stacks that pass through these scripts are the agent's own memory and are left out. */
  isOwnScript: (url: string) => boolean;
  takenAt?: Date;
  /** Told the allocation order numbers of each stack's live samples (where the sampler reports them). */
  onSamples?: (traceback: Traceback, ordinals: readonly number[]) => void;
}

/**
 * Turns V8's allocation tree into a Snapshot: per stack, the estimated live bytes (the
 * node's `selfSize`, V8's own scaled estimate) and the number of live samples. On Node 20
 * (V8 11.3) a sample's size is the sampling step that picked it (about the interval), not
 * the object's size, so the number of objects cannot be estimated; the sample count
 * measures the evidence behind a size instead (relative error about 1/sqrt(count)).
 * See docs/accuracy.md.
 */
export function snapshotFromAllocationTree(root: AllocationNode, options: ProfileConversion): Snapshot {
  const traces: Trace[] = [];
  const stack: Frame[] = [];
  const ownDepth: boolean[] = [];
  const visit = (node: AllocationNode, isRoot: boolean) => {
    if (!isRoot) {
      stack.push(options.resolver.frameOf(node.callFrame));
      ownDepth.push((ownDepth.at(-1) ?? false) || options.isOwnScript(node.callFrame.url));
    }
    if (node.selfSize > 0 && !(ownDepth.at(-1) ?? false)) {
      const frames = stack.slice(-options.stackDepth).reverse();
      const traceback = new Traceback(frames);
      traces.push({ traceback, size: node.selfSize, count: node.sampleCount });
      if (node.ordinals && options.onSamples) options.onSamples(traceback, node.ordinals);
    }
    for (const child of node.children) visit(child, false);
    if (!isRoot) {
      stack.pop();
      ownDepth.pop();
    }
  };
  visit(root, true);

  return new Snapshot(traces, {
    runtime: 'node',
    takenAt: (options.takenAt ?? new Date()).toISOString(),
    samplingIntervalBytes: options.samplingIntervalBytes,
    stackDepth: options.stackDepth,
  });
}
