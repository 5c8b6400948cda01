import type { Snapshot } from '../model/snapshot.js';
import type { FlameNode } from './report-data-types.js';

export type { FlameNode } from './report-data-types.js';

/**
 * The live allocations of a snapshot as a call tree, outermost call at the root, for a
 * flame graph or icicle. Subtrees holding less than `minFraction` of the total are
 * dropped (their bytes stay in their parent's value) to keep the report small.
 */
export function flameTree(snapshot: Snapshot, minFraction = 0.002): FlameNode {
  const root: FlameNode = { name: 'all live allocations', file: '', line: 0, value: 0, children: [] };
  const index = new Map<FlameNode, Map<string, FlameNode>>();
  for (const trace of snapshot.traces) {
    if (!(trace.size > 0)) continue;
    root.value += trace.size;
    let node = root;
    for (let i = trace.traceback.frames.length - 1; i >= 0; i--) {
      const frame = trace.traceback.frames[i]!;
      let children = index.get(node);
      if (!children) index.set(node, (children = new Map()));
      const key = `${frame.file}\u0000${frame.line}\u0000${frame.functionName}`;
      let child = children.get(key);
      if (!child) {
        child = { name: frame.functionName || '(anonymous)', file: frame.file, line: frame.line, value: 0, children: [] };
        children.set(key, child);
        node.children.push(child);
      }
      child.value += trace.size;
      node = child;
    }
  }
  prune(root, root.value * minFraction);
  return root;
}

function prune(node: FlameNode, minValue: number): void {
  node.children = node.children.filter((child) => child.value >= minValue).sort((a, b) => b.value - a.value);
  for (const child of node.children) prune(child, minValue);
}
