import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { HeapGraph } from '../src/snapshots/heap-graph.js';
import { typeCodes } from '../src/snapshots/heap-graph.js';
import { retainedSizes } from '../src/snapshots/dominators.js';
import { StringTable } from '../src/snapshots/string-table.js';

/** A graph of `n` nodes (node 0 the root) with the given edges; sizes 1, 2, 3, ... */
function graphOf(n: number, edges: Array<[number, number, boolean]>): HeapGraph {
  const sorted = [...edges].sort((a, b) => a[0] - b[0]);
  const firstEdge = new Uint32Array(n + 1);
  for (const [from] of sorted) firstEdge[from + 1]!++;
  for (let i = 0; i < n; i++) firstEdge[i + 1]! += firstEdge[i]!;
  return {
    nodeCount: n,
    edgeCount: sorted.length,
    nodeTypeNames: ['hidden', 'object'],
    edgeTypeNames: ['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'],
    nodeType: new Uint8Array(n).fill(1),
    nodeName: new Uint32Array(n),
    nodeId: Uint32Array.from({ length: n }, (_, i) => 2 * i + 1),
    nodeSelfSize: Uint32Array.from({ length: n }, (_, i) => i + 1),
    firstEdge,
    edgeType: Uint8Array.from(sorted.map(([, , weak]) => (weak ? 6 : 2))),
    edgeNameOrIndex: new Uint32Array(sorted.length),
    edgeTo: Uint32Array.from(sorted.map(([, to]) => to)),
    strings: StringTable.from(['']),
    locations: { count: 0, node: new Uint32Array(0), scriptId: new Uint32Array(0), line: new Uint32Array(0), column: new Uint32Array(0) },
    maxNodeId: 2 * n - 1,
  };
}

/** Retained size by definition: the sizes of the nodes the root no longer reaches once `removed` is gone. */
function retainedByRemoval(n: number, edges: Array<[number, number, boolean]>, removed: number): number {
  const reach = (without: number) => {
    const seen = new Set<number>([0]);
    const queue = [0];
    while (queue.length > 0) {
      const v = queue.shift()!;
      for (const [from, to, weak] of edges) if (from === v && !weak && to !== without && !seen.has(to)) (seen.add(to), queue.push(to));
    }
    return seen;
  };
  const all = reach(-1);
  if (!all.has(removed)) return 0;
  if (removed === 0) return [...all].reduce((sum, v) => sum + v + 1, 0);
  const left = reach(removed);
  return [...all].filter((v) => !left.has(v)).reduce((sum, v) => sum + v + 1, 0);
}

test('retained sizes from the semi-NCA dominator tree equal what removing each node frees (weak edges keep nothing)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 2, max: 40 }).chain((n) =>
        fc.tuple(fc.constant(n), fc.array(fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 1, max: n - 1 }), fc.boolean()), { maxLength: n * 3 })),
      ),
      ([n, edges]) => {
        const graph = graphOf(n, edges);
        const codes = typeCodes(graph);
        const retained = retainedSizes(graph, codes);
        for (let v = 0; v < n; v++) assert.equal(retained.of(v), retainedByRemoval(n, edges, v), `node ${v}`);
      },
    ),
    { numRuns: 300 },
  );
});
