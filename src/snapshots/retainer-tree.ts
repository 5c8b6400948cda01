import { nodeNameOf, type HeapGraph, type TypeCodes } from './heap-graph.js';

export const NONE = 0xffffffff;

/**
 * The shortest retainer path of every reachable node, as a breadth-first tree from the
 * snapshot's root: `parentNode[v]` and `parentEdge[v]` are the last step of v's path,
 * `order` lists reached nodes in the order they were found (parents before children).
 * Weak edges do not keep objects alive and are skipped. The user roots (global objects,
 * the Node environment, C++ roots) are searched before V8's own "(GC roots)", so a path
 * reads through the program's objects rather than through stack slots and handle scopes
 * whenever one exists.
 */
export interface RetainerTree {
  parentNode: Uint32Array;
  parentEdge: Uint32Array;
  order: Uint32Array;
  reached: number;
}

export function buildRetainerTree(graph: HeapGraph, codes: TypeCodes): RetainerTree {
  const { nodeCount, firstEdge, edgeTo, edgeType } = graph;
  const parentNode = new Uint32Array(nodeCount).fill(NONE);
  const parentEdge = new Uint32Array(nodeCount).fill(NONE);
  const order = new Uint32Array(nodeCount);
  if (nodeCount === 0) return { parentNode, parentEdge, order, reached: 0 };
  const weak = codes.weak;
  // One bit per reached node, tested for every edge: a few MB that stay in cache, where
  // parentNode (4 bytes a node) would miss on nearly every edge of a big heap.
  const seen = new Uint8Array((nodeCount >>> 3) + 1);
  let tail = 0;
  parentNode[0] = 0;
  seen[0] = 1;
  order[tail++] = 0;
  const deferred: number[] = [];
  for (let e = firstEdge[0]!; e < firstEdge[1]!; e++) {
    const to = edgeTo[e]!;
    if (edgeType[e] === weak || seen[to >>> 3]! & (1 << (to & 7))) continue;
    if (nodeNameOf(graph, to) === '(GC roots)') {
      deferred.push(e);
      continue;
    }
    seen[to >>> 3]! |= 1 << (to & 7);
    parentNode[to] = 0;
    parentEdge[to] = e;
    order[tail++] = to;
  }
  let head = 1;
  const search = () => {
    while (head < tail) {
      const v = order[head++]!;
      const last = firstEdge[v + 1]!;
      for (let e = firstEdge[v]!; e < last; e++) {
        const to = edgeTo[e]!;
        const bit = 1 << (to & 7);
        if (seen[to >>> 3]! & bit || edgeType[e] === weak) continue;
        seen[to >>> 3]! |= bit;
        parentNode[to] = v;
        parentEdge[to] = e;
        order[tail++] = to;
      }
    }
  };
  search();
  for (const e of deferred) {
    const to = edgeTo[e]!;
    if (seen[to >>> 3]! & (1 << (to & 7))) continue;
    seen[to >>> 3]! |= 1 << (to & 7);
    parentNode[to] = 0;
    parentEdge[to] = e;
    order[tail++] = to;
  }
  search();
  return { parentNode, parentEdge, order, reached: tail };
}
