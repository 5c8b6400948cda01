import type { StringTable } from './string-table.js';

/**
 * A V8 heap snapshot as columns of typed arrays: one slot per node and per edge, names as
 * indexes into `strings`. Only the fields heapsleuth needs are kept (no trace node ids,
 * no detachedness), so the graph takes well under the size of the file it came from.
 */
export interface HeapGraph {
  nodeCount: number;
  edgeCount: number;
  /** `snapshot.meta.node_types[0]`: the name of each node type number. */
  nodeTypeNames: string[];
  /** `snapshot.meta.edge_types[0]`: the name of each edge type number. */
  edgeTypeNames: string[];
  nodeType: Uint8Array;
  nodeName: Uint32Array;
  nodeId: Uint32Array;
  nodeSelfSize: Uint32Array;
  /** Edges of node i are firstEdge[i] .. firstEdge[i + 1] - 1 (a prefix sum over edge_count). */
  firstEdge: Uint32Array;
  edgeType: Uint8Array;
  /** A string index for named edges, the index itself for `element` and `hidden` edges. */
  edgeNameOrIndex: Uint32Array;
  /** The node index (not the offset into the nodes array) an edge points to. */
  edgeTo: Uint32Array;
  strings: StringTable;
  /** Source positions of closures and constructors, where the snapshot has `locations`. */
  locations: NodeLocations;
  /** The highest node id: objects of a later snapshot above it are new. */
  maxNodeId: number;
}

export interface NodeLocations {
  count: number;
  node: Uint32Array;
  scriptId: Uint32Array;
  /** Zero-based, as V8 writes them. */
  line: Uint32Array;
  column: Uint32Array;
}

/** A snapshot file that is not one, or one cut short: the message is one line for people. */
export class HeapSnapshotError extends Error {
  override name = 'HeapSnapshotError';
}

/** Type numbers looked up by name, -1 where this V8 version does not have the type. */
export interface TypeCodes {
  weak: number;
  element: number;
  hidden: number;
  property: number;
  context: number;
  internal: number;
  shortcut: number;
  string: number;
  concatString: number;
  slicedString: number;
  object: number;
  closure: number;
  array: number;
  native: number;
  synthetic: number;
  hiddenNode: number;
  code: number;
  objectShape: number;
  number: number;
}

export function typeCodes(graph: HeapGraph): TypeCodes {
  const edge = (name: string) => graph.edgeTypeNames.indexOf(name);
  const node = (name: string) => graph.nodeTypeNames.indexOf(name);
  return {
    weak: edge('weak'),
    element: edge('element'),
    hidden: edge('hidden'),
    property: edge('property'),
    context: edge('context'),
    internal: edge('internal'),
    shortcut: edge('shortcut'),
    string: node('string'),
    concatString: node('concatenated string'),
    slicedString: node('sliced string'),
    object: node('object'),
    closure: node('closure'),
    array: node('array'),
    native: node('native'),
    synthetic: node('synthetic'),
    hiddenNode: node('hidden'),
    code: node('code'),
    objectShape: node('object shape'),
    number: node('number'),
  };
}

/** The name of node `node`: a constructor, function or string content, or a V8-internal label. */
export function nodeNameOf(graph: HeapGraph, node: number): string {
  return graph.strings.get(graph.nodeName[node]!) ?? '';
}

/** An edge's label: its property or variable name, or its index for elements. */
export function edgeLabelOf(graph: HeapGraph, edge: number, codes: TypeCodes): string {
  const type = graph.edgeType[edge]!;
  const nameOrIndex = graph.edgeNameOrIndex[edge]!;
  if (type === codes.element || type === codes.hidden) return String(nameOrIndex);
  return graph.strings.get(nameOrIndex) ?? '';
}
