import { edgeLabelOf, nodeNameOf, type HeapGraph, type TypeCodes } from './heap-graph.js';
import type { ScriptLocations } from './script-locations.js';

/**
 * The kinds of wrapper that Node and JavaScript put between a holder and the function a
 * program handed it: `once` (`emitter.once(type, fn)`: a bound `onceWrapper`), `bind`
 * (`fn.bind(obj)`), `timer` and `immediate` (`setTimeout(fn)`, `setInterval(fn)`,
 * `setImmediate(fn)`: a `Timeout` or `Immediate`), `listener` (`EventTarget` and
 * `AbortSignal`'s `addEventListener(type, fn)`: a `Listener` record), `node` (a closure of
 * Node's own whose scope holds one function of the program: `AsyncResource.bind(fn)`).
 */
export type WrapperKind = 'once' | 'bind' | 'timer' | 'immediate' | 'listener' | 'node';

/** What a wrapper calls in the end: the kinds passed on the way (outermost first) and the function. */
export interface Unwrapped {
  kinds: WrapperKind[];
  /** The node of the function the program wrote (a closure). */
  node: number;
}

/** Wrappers around wrappers (a timer calling a bound function): followed this deep at most. */
const MAX_DEPTH = 4;
/** Scopes searched for the function a closure of Node's own calls: its own and two around it. */
const SCOPE_DEPTH = 3;

/**
 * Finds, for a node of a heap snapshot, the user function behind it when it is a wrapper.
 * In Node 20's snapshots (V8 11) a bound function is a closure named `native_bind` with the
 * internal edges `bound_function`, `bound_this` and `bindings` (its bound arguments, also
 * `bound_argument_<n>` shortcuts; `bound_arguments` in other V8 versions); `once` binds Node's
 * `onceWrapper` to a state object `{ fired, wrapFn, target, type, listener }` and sets
 * `listener` on the bound function as well; a `Timeout` calls its `_onTimeout`, an
 * `Immediate` its `_onImmediate`, an `EventTarget` `Listener` its `callback`. A closure
 * written in a `node:` file calls the one closure written elsewhere among its variables.
 */
export class WrappedFunctions {
  constructor(
    private readonly graph: HeapGraph,
    private readonly codes: TypeCodes,
    private readonly locations: ScriptLocations,
  ) {}

  of(node: number): Unwrapped | undefined {
    const kinds: WrapperKind[] = [];
    let current = node;
    for (let depth = 0; depth < MAX_DEPTH; depth++) {
      const next = this.unwrapOnce(current);
      if (!next) break;
      kinds.push(next.kind);
      current = next.node;
    }
    if (kinds.length === 0 || this.graph.nodeType[current] !== this.codes.closure) return undefined;
    return { kinds, node: current };
  }

  private unwrapOnce(node: number): { kind: WrapperKind; node: number } | undefined {
    const type = this.graph.nodeType[node];
    if (type === this.codes.closure) {
      const target = this.child(node, this.codes.internal, 'bound_function');
      if (target === undefined) {
        const called = this.isNodeCode(node) ? this.programClosureInScope(node) : undefined;
        return called === undefined ? undefined : { kind: 'node', node: called };
      }
      if (nodeNameOf(this.graph, target) === 'onceWrapper') {
        const state = this.child(node, this.codes.internal, 'bound_this');
        const listener = this.child(node, this.codes.property, 'listener') ?? (state === undefined ? undefined : this.child(state, this.codes.property, 'listener'));
        if (listener !== undefined) return { kind: 'once', node: listener };
      }
      // Node's own function bound to the program's (`res.runInAsyncScope.bind(res, fn)`, as
      // on-finished wraps its listeners): the program's function among the bound arguments.
      const argument = this.isNodeCode(target) ? this.programClosureBound(node) : undefined;
      return { kind: 'bind', node: argument ?? target };
    }
    if (type !== this.codes.object) return undefined;
    const name = nodeNameOf(this.graph, node);
    const [kind, edge] = name === 'Timeout' ? (['timer', '_onTimeout'] as const) : name === 'Immediate' ? (['immediate', '_onImmediate'] as const) : name === 'Listener' ? (['listener', 'callback'] as const) : [];
    if (!kind) return undefined;
    const callee = this.child(node, this.codes.property, edge);
    return callee !== undefined && this.graph.nodeType[callee] === this.codes.closure ? { kind, node: callee } : undefined;
  }

  private isNodeCode(node: number): boolean {
    return this.locations.of(node)?.file.startsWith('node:') ?? false;
  }

  /** The first closure written outside `node:` among a bound function's bound arguments. */
  private programClosureBound(bound: number): number | undefined {
    const { firstEdge, edgeTo, edgeType, nodeType } = this.graph;
    const args = this.child(bound, this.codes.internal, 'bindings') ?? this.child(bound, this.codes.internal, 'bound_arguments');
    if (args === undefined) return undefined;
    for (let e = firstEdge[args]!; e < firstEdge[args + 1]!; e++) {
      const to = edgeTo[e]!;
      if (edgeType[e] === this.codes.weak || nodeType[to] !== this.codes.closure) continue;
      const location = this.locations.of(to);
      if (location && !location.file.startsWith('node:')) return to;
    }
    return undefined;
  }

  /**
   * The only closure written outside `node:` among the variables of a closure's scope and the
   * scopes around it within the same file (`AsyncResource.bind(fn)` keeps `fn` one scope up).
   */
  private programClosureInScope(closure: number): number | undefined {
    const { firstEdge, edgeTo, edgeType, nodeType } = this.graph;
    let found: number | undefined;
    let scope = this.child(closure, this.codes.internal, 'context');
    for (let depth = 0; scope !== undefined && depth < SCOPE_DEPTH; depth++) {
      if (!nodeNameOf(this.graph, scope).startsWith('system / Context')) break;
      for (let e = firstEdge[scope]!; e < firstEdge[scope + 1]!; e++) {
        const to = edgeTo[e]!;
        // Variables of functions V8 has not compiled yet are listed by index (`hidden`).
        if ((edgeType[e] !== this.codes.context && edgeType[e] !== this.codes.hidden) || nodeType[to] !== this.codes.closure) continue;
        const location = this.locations.of(to);
        if (!location || location.file.startsWith('node:') || to === found) continue;
        if (found !== undefined) return undefined;
        found = to;
      }
      scope = this.child(scope, this.codes.internal, 'previous');
    }
    return found;
  }

  private child(node: number, edgeType: number, name: string): number | undefined {
    const { firstEdge, edgeTo } = this.graph;
    for (let e = firstEdge[node]!; e < firstEdge[node + 1]!; e++) {
      if (this.graph.edgeType[e] === edgeType && edgeLabelOf(this.graph, e, this.codes) === name) return edgeTo[e]!;
    }
    return undefined;
  }
}
