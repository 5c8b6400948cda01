import { edgeLabelOf, nodeNameOf, type HeapGraph, type TypeCodes } from './heap-graph.js';
import { NONE, type RetainerTree } from './retainer-tree.js';
import type { RetainedSizes } from './dominators.js';
import type { ScriptLocations, SourceLocation } from './script-locations.js';
import { WrappedFunctions, type WrapperKind } from './wrapped-functions.js';

/** One step of a retainer path: the edge taken and the node it reaches. */
export interface RetainerStep {
  /** `property`, `element`, `context` (a closure variable), `internal`, `hidden`, `shortcut`. */
  edgeType: string;
  /**
   * The property or variable name; `[]` for indexes and `[key]` for keys of a dictionary-like
   * object where the group's objects are reached through different ones. Where they all pass
   * the same index or key it is shown as it is (`3`, `__signal_exit_emitter__`).
   */
  edge: string;
  nodeType: string;
  /** The constructor of objects, the name of functions; empty for V8 internals and strings. */
  node: string;
  /** Where closures and constructors were written, when the snapshot has `locations`. */
  location?: SourceLocation;
  /** A scope that is a script's top level (a CommonJS module's variables), not a function's. */
  moduleScope?: true;
  /**
   * A wrapper (a `once` listener, a bound function, a Timeout, an EventTarget listener): the
   * function the program wrote that it calls, whose code is what keeps the objects.
   */
  wraps?: WrappedStep;
}

export interface WrappedStep {
  /** Outermost first: `["timer", "bind"]` for `setTimeout(fn.bind(obj))`. */
  kinds: WrapperKind[];
  /** The wrapped function's name, empty when it has none. */
  function: string;
  location?: SourceLocation;
}

export interface ConstructorShare {
  name: string;
  objects: number;
  bytes: number;
}

/**
 * Objects kept alive the same way: the same shortest path from the roots once indexes and
 * per-object keys are abstracted. In the two-snapshot mode these are new survivors: every
 * object below the first new object of a path (the head) belongs to the head's group.
 */
export interface RetainerGroup {
  path: RetainerStep[];
  /** Objects at the end of the path (one per leaked entry, listener, element...). */
  heads: number;
  /** All objects in the group: the heads and the new objects they alone lead to. */
  objects: number;
  /** Sum of the objects' own sizes. */
  selfBytes: number;
  /** What freeing the heads would free (dominator tree), when asked for. */
  retainedBytes?: number;
  /** The constructors (or types) that make up the group, biggest first. */
  constructors: ConstructorShare[];
  /** Where the functions among the group's objects (most objects first) and on its path were written. */
  locations: SourceLocation[];
}

export interface GroupOptions {
  /** Highest node id of the earlier snapshot: objects above it are new. Absent: one-snapshot mode. */
  baselineMaxNodeId?: number;
  retained?: RetainedSizes;
  locations: ScriptLocations;
  limit: number;
}

export interface GroupResult {
  /** New survivors (two snapshots) or grouped objects (one snapshot). */
  objects: number;
  bytes: number;
  groups: RetainerGroup[];
  /** Groups beyond `limit`. */
  more: number;
}

/** Dictionary-like objects (a plain object used as a map) have their keys abstracted above this many properties. */
const DICTIONARY_PROPERTIES = 64;
const MAX_NAME = 120;
/** Distinct code locations kept per group (what the join matches suspects' frames against). */
const MAX_LOCATIONS = 256;

interface Accumulator {
  index: number;
  head: number;
  headBytes: number;
  /** The deepest node every head's path passes (their lowest common ancestor in the tree). */
  common: number;
  commonDepth: number;
  heads: number;
  objects: number;
  selfBytes: number;
  retainedBytes: number;
  /** By node type and name index (strings all in one), named only for the groups shown. */
  constructors: Map<number, { node: number; objects: number; bytes: number }>;
  locations: Map<string, { location: SourceLocation; count: number }>;
}

export function groupRetainers(graph: HeapGraph, codes: TypeCodes, tree: RetainerTree, options: GroupOptions): GroupResult {
  const { nodeId, nodeSelfSize, nodeType } = graph;
  const classes = new PathClasses(graph, codes, tree);
  const wrapped = new WrappedFunctions(graph, codes, options.locations);
  const groups = new Map<string, Accumulator>();
  const baseline = options.baselineMaxNodeId;
  // One bit per new object, set in node order: the walk below goes in breadth-first order,
  // where reading nodeId (4 bytes a node) would miss the cache for nearly every node.
  const newBits = new Uint8Array(baseline === undefined ? 0 : (graph.nodeCount >>> 3) + 1);
  if (baseline !== undefined) {
    for (let v = 0; v < graph.nodeCount; v++) {
      const id = nodeId[v]!;
      if (id > baseline && (id & 1) === 1) newBits[v >>> 3]! |= 1 << (v & 7);
    }
  }
  const isNew = (v: number) => (newBits[v >>> 3]! & (1 << (v & 7))) !== 0;
  // The group (an index into `list`) of each new object, NONE when it is in none.
  const groupOf = new Uint32Array(graph.nodeCount).fill(NONE);
  const list: Accumulator[] = [];
  let objects = 0;
  let bytes = 0;
  // `file:line` of each distinct location (ScriptLocations returns one object per position), made once.
  const lineKeys = new Map<SourceLocation, string>();
  const add = (group: Accumulator, v: number) => {
    group.objects++;
    group.selfBytes += nodeSelfSize[v]!;
    const key = classes.constructorKey(v);
    let share = group.constructors.get(key);
    if (!share) group.constructors.set(key, (share = { node: v, objects: 0, bytes: 0 }));
    share.objects++;
    share.bytes += nodeSelfSize[v]!;
    // Where closures were written, and the constructors of class instances.
    if (nodeType[v] === codes.closure || nodeType[v] === codes.object) {
      const location = options.locations.of(v);
      if (location) {
        let key = lineKeys.get(location);
        if (key === undefined) lineKeys.set(location, (key = `${location.file}:${location.line}`));
        const seen = group.locations.get(key);
        if (seen) seen.count++;
        else if (group.locations.size < MAX_LOCATIONS) group.locations.set(key, { location, count: 1 });
      }
    }
  };
  const open = (v: number): Accumulator => {
    // New survivors: heads reached the same way are one group whatever their kind (a Map's
    // keys and values, an array of mixed elements). One snapshot: also by the head's kind.
    const id = baseline === undefined ? String(classes.classOf(v)) : classes.entryKey(v);
    let group = groups.get(id);
    if (!group) {
      group = { index: list.length, head: v, headBytes: 0, common: v, commonDepth: -1, heads: 0, objects: 0, selfBytes: 0, retainedBytes: 0, constructors: new Map(), locations: new Map() };
      groups.set(id, group);
      list.push(group);
    } else {
      classes.joinCommon(group, v);
    }
    // The path shown ends at the biggest head.
    if (nodeSelfSize[v]! > group.headBytes) {
      group.head = v;
      group.headBytes = nodeSelfSize[v]!;
    }
    group.heads++;
    if (options.retained) group.retainedBytes += options.retained.of(v);
    return group;
  };
  for (let i = 1; i < tree.reached; i++) {
    const v = tree.order[i]!;
    if (baseline === undefined) {
      // One snapshot: every user-visible object is grouped by its own path.
      if (!classes.isObjectLike(v)) continue;
      const group = open(v);
      add(group, v);
      objects++;
      bytes += nodeSelfSize[v]!;
      continue;
    }
    // A head is the first new object on a path; new objects reached only through it are its
    // group. The chain stops at old objects: a new timer whose callback reaches an old module
    // scope does not own what that scope holds.
    if (!isNew(v)) continue;
    let index = groupOf[tree.parentNode[v]!]!;
    if (index === NONE && classes.isObjectLike(v)) index = open(v).index;
    groupOf[v] = index;
    if (index !== NONE) {
      add(list[index]!, v);
      objects++;
      bytes += nodeSelfSize[v]!;
    }
  }
  let ranked = [...groups.values()];
  // With one snapshot, a single object is its own "group" all the way up to the root: only repeated shapes say something.
  if (baseline === undefined) ranked = ranked.filter((group) => group.heads >= 2);
  const weight = (group: Accumulator) => (options.retained ? group.retainedBytes : group.selfBytes);
  ranked.sort((a, b) => weight(b) - weight(a) || b.objects - a.objects);
  // With one snapshot, a group below a bigger one (the strings of those entries) is part of it: shown once.
  if (baseline === undefined) {
    const kept: Accumulator[] = [];
    const keptClasses = new Set<number>();
    for (const group of ranked) {
      if (kept.length >= options.limit) break;
      if (classes.hasAncestorIn(group.head, keptClasses)) continue;
      kept.push(group);
      keptClasses.add(classes.classOf(group.head));
    }
    ranked = [...kept, ...ranked.filter((group) => !kept.includes(group))];
  }
  const shown = ranked.slice(0, options.limit).map((group): RetainerGroup => {
    const path = classes.pathOf(group.head, options.locations, group.common, wrapped);
    const onPath = path.flatMap((step) => [...(step.location ? [step.location] : []), ...(step.wraps?.location ? [step.wraps.location] : [])]);
    const inGroup = [...group.locations.values()].sort((a, b) => b.count - a.count).map((entry) => entry.location);
    const locations = dedupe([...inGroup, ...onPath.reverse()]);
    return {
      path,
      heads: group.heads,
      objects: group.objects,
      selfBytes: group.selfBytes,
      ...(options.retained ? { retainedBytes: group.retainedBytes } : {}),
      constructors: [...group.constructors.values()]
        .sort((a, b) => b.bytes - a.bytes)
        .slice(0, 5)
        .map((share) => ({ name: classes.nodeClass(share.node), objects: share.objects, bytes: share.bytes })),
      locations,
    };
  });
  return { objects, bytes, groups: shown, more: ranked.length - shown.length };
}

/**
 * V8 names the edge from a WeakMap's key to its value after the three objects and their
 * ids (`3 / part of key (Foo @12) -> value (Map @34) pair in WeakMap (table @56)`): ids
 * differ for every entry and mean nothing to a reader. Shown as `WeakMap.get(Foo)`.
 */
function readableEdge(label: string): string {
  const entry = /part of key \((.*?) @\d+\) -> value \(.*? @\d+\) pair in WeakMap/.exec(label);
  return entry ? `WeakMap.get(${entry[1] || 'key'})` : label;
}

function dedupe(locations: SourceLocation[]): SourceLocation[] {
  const seen = new Set<string>();
  return locations.filter((location) => {
    const key = `${location.file}:${location.line}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Interns abstracted paths: two nodes share a class when their paths from the root take
 * the same steps, indexes and dictionary keys aside. A class is its parent's class plus
 * one step, so each node's class is found once and shared by everything below it.
 */
class PathClasses {
  private readonly ids = new Map<string, number>();
  private readonly classOfNode: Int32Array;
  private readonly propertyCount = new Map<number, number>();
  private readonly objectLikeNames = new Map<number, boolean>();
  /** Abstracted labels of named edges by name and edge type; null for numeric ones (shown as `[]`). */
  private readonly edgeLabels = new Map<number, string | null>();
  private readonly names: string[];

  constructor(
    private readonly graph: HeapGraph,
    private readonly codes: TypeCodes,
    private readonly tree: RetainerTree,
  ) {
    this.classOfNode = new Int32Array(graph.nodeCount).fill(-1);
    this.classOfNode[0] = 0;
    this.names = graph.nodeTypeNames;
  }

  /**
   * Objects a program made and can name: not V8's code, maps, contexts, backing stores
   * (a Map's table, an array's elements) or plain Arrays. Those are passed through, so a
   * grown Map's new table does not swallow the entries below it.
   */
  isObjectLike(v: number): boolean {
    const type = this.graph.nodeType[v];
    const c = this.codes;
    if (type === c.code || type === c.hiddenNode || type === c.objectShape || type === c.synthetic || type === c.array) return false;
    if (type === c.object || type === c.native) {
      // A new JS Array (a listener list, a grown buffer of entries) is a container too: its elements are the leak.
      const key = this.graph.nodeName[v]! * 2 + (type === c.object ? 1 : 0);
      let like = this.objectLikeNames.get(key);
      if (like === undefined) {
        const name = nodeNameOf(this.graph, v);
        like = !name.startsWith('system /') && !(type === c.object && name === 'Array');
        this.objectLikeNames.set(key, like);
      }
      return like;
    }
    return true;
  }

  classOf(v: number): number {
    const chain: number[] = [];
    let x = v;
    while (this.classOfNode[x]! < 0) {
      chain.push(x);
      x = this.tree.parentNode[x]!;
      if (x === NONE) return -1;
    }
    let id = this.classOfNode[x]!;
    for (let i = chain.length - 1; i >= 0; i--) {
      const node = chain[i]!;
      const key = `${id}\u0000${this.stepKey(node)}`;
      let next = this.ids.get(key);
      if (next === undefined) this.ids.set(key, (next = this.ids.size + 1));
      this.classOfNode[node] = next;
      id = next;
    }
    return id;
  }

  /** Moves a group's common node up to the lowest ancestor it shares with head v. */
  joinCommon(group: { common: number; commonDepth: number }, v: number): void {
    if (group.commonDepth < 0) group.commonDepth = this.depthOf(group.common);
    let a = group.common;
    let b = v;
    const depthOfV = this.depthOf(b);
    let depth = group.commonDepth;
    for (let d = depthOfV; d > depth; d--) b = this.tree.parentNode[b]!;
    for (; depth > depthOfV; depth--) a = this.tree.parentNode[a]!;
    while (a !== b && a !== NONE && b !== NONE) {
      a = this.tree.parentNode[a]!;
      b = this.tree.parentNode[b]!;
      depth--;
    }
    group.common = a === NONE || b === NONE ? 0 : a;
    group.commonDepth = a === NONE || b === NONE ? 0 : depth;
  }

  private depthOf(v: number): number {
    let depth = 0;
    for (let x = v; x !== 0 && x !== NONE; x = this.tree.parentNode[x]!) depth++;
    return depth;
  }

  hasAncestorIn(v: number, ids: Set<number>): boolean {
    for (let x = this.tree.parentNode[v]!; x !== 0 && x !== NONE; x = this.tree.parentNode[x]!) {
      if (ids.has(this.classOfNode[x]!)) return true;
    }
    return false;
  }

  /** The class of v's retainer minus v's own kind: the key of a new survivors' group. */
  entryKey(v: number): string {
    const parent = this.tree.parentNode[v]!;
    const e = this.tree.parentEdge[v]!;
    return `${this.classOf(parent)}\u0000${this.graph.edgeType[e]}\u0001${this.abstractEdge(v)}`;
  }

  /** A number that is equal for nodes of the same nodeClass (cheap, no string made). */
  constructorKey(v: number): number {
    const type = this.graph.nodeType[v]!;
    const c = this.codes;
    if (type === c.string || type === c.concatString || type === c.slicedString) return c.string * 2 ** 32;
    if (type === c.number) return type * 2 ** 32;
    return type * 2 ** 32 + this.graph.nodeName[v]!;
  }

  /** What kind of object a node is, for grouping and for the constructor breakdown. */
  nodeClass(v: number): string {
    const type = this.graph.nodeType[v];
    const c = this.codes;
    if (type === c.string || type === c.concatString || type === c.slicedString) return '(string)';
    if (type === c.number) return '(number)';
    const name = nodeNameOf(this.graph, v);
    if (type === c.closure) return `(closure${name ? ` ${name.slice(0, MAX_NAME)}` : ''})`;
    if (type === c.array) return name && name !== '(object elements)' ? `(${name.slice(0, MAX_NAME)})` : '(array)';
    if (type === c.object || type === c.native) return name.slice(0, MAX_NAME);
    return `(${this.names[type!] ?? 'unknown'})`;
  }

  /** The edge into v as grouping sees it: indexes and dictionary keys abstracted. */
  private abstractEdge(v: number): string {
    const e = this.tree.parentEdge[v]!;
    const type = this.graph.edgeType[e]!;
    const c = this.codes;
    if (type === c.element || type === c.hidden) return '[]';
    // Indexes written as names (a Map's table names its slots "0", "1", ...) are told from
    // their bytes; other names are decoded and matched once, not once per object.
    const name = this.graph.edgeNameOrIndex[e]!;
    if (this.graph.strings.isDigits(name)) return '[]';
    const cacheKey = name * 256 + type;
    let label = this.edgeLabels.get(cacheKey);
    if (label === undefined) {
      const text = readableEdge(edgeLabelOf(this.graph, e, c));
      this.edgeLabels.set(cacheKey, (label = /^\d+$/.test(text) ? null : text.slice(0, MAX_NAME)));
    }
    if (label === null) return '[]';
    if (type === c.property && this.isDictionary(this.tree.parentNode[v]!)) return '[key]';
    return label;
  }

  private stepKey(v: number): string {
    const e = this.tree.parentEdge[v]!;
    return `${this.graph.edgeType[e]}\u0001${this.abstractEdge(v)}\u0001${this.nodeClass(v)}`;
  }

  /** A Context whose enclosing one is the realm's (`previous` -> NativeContext or ScriptContext): a script's top-level scope. */
  private isModuleScope(v: number): boolean {
    if (!nodeNameOf(this.graph, v).startsWith('system / Context')) return false;
    const { firstEdge, edgeTo } = this.graph;
    for (let e = firstEdge[v]!; e < firstEdge[v + 1]!; e++) {
      if (this.graph.edgeType[e] !== this.codes.internal || edgeLabelOf(this.graph, e, this.codes) !== 'previous') continue;
      return /^system \/ (?:NativeContext|ScriptContext)/.test(nodeNameOf(this.graph, edgeTo[e]!));
    }
    return false;
  }

  private isDictionary(holder: number): boolean {
    let count = this.propertyCount.get(holder);
    if (count === undefined) {
      count = 0;
      const { firstEdge, edgeType } = this.graph;
      for (let e = firstEdge[holder]!; e < firstEdge[holder + 1]!; e++) if (edgeType[e] === this.codes.property) count++;
      this.propertyCount.set(holder, count);
    }
    return count > DICTIONARY_PROPERTIES;
  }

  /** The steps from the root to v; above `common` (shared by every object of the group) with the real index or key. */
  pathOf(v: number, locations: ScriptLocations, common = v, wrapped?: WrappedFunctions): RetainerStep[] {
    const steps: RetainerStep[] = [];
    const shared = new Set<number>();
    for (let x = common; x !== 0 && x !== NONE; x = this.tree.parentNode[x]!) shared.add(x);
    for (let x = v; x !== 0 && x !== NONE; x = this.tree.parentNode[x]!) {
      const e = this.tree.parentEdge[x]!;
      const type = this.graph.nodeType[x]!;
      const c = this.codes;
      const named = type === c.object || type === c.closure || type === c.native || type === c.synthetic;
      const location = type === c.closure || type === c.object ? locations.of(x) : undefined;
      const inner = type === c.closure || type === c.object ? wrapped?.of(x) : undefined;
      const innerLocation = inner ? locations.of(inner.node) : undefined;
      steps.push({
        edgeType: this.graph.edgeTypeNames[this.graph.edgeType[e]!] ?? 'unknown',
        edge: shared.has(x) ? readableEdge(edgeLabelOf(this.graph, e, c)).slice(0, MAX_NAME) : this.abstractEdge(x),
        nodeType: this.names[type] ?? 'unknown',
        node: named ? nodeNameOf(this.graph, x).slice(0, MAX_NAME) : '',
        ...(location ? { location } : {}),
        ...(this.isModuleScope(x) ? { moduleScope: true as const } : {}),
        ...(inner ? { wraps: { kinds: inner.kinds, function: nodeNameOf(this.graph, inner.node).slice(0, MAX_NAME), ...(innerLocation ? { location: innerLocation } : {}) } } : {}),
      });
    }
    return steps.reverse();
  }
}
