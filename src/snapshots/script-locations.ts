import { readableScriptPath } from '../formats/script-paths.js';
import { LocationResolver } from '../agent/locations.js';
import { edgeLabelOf, nodeNameOf, type HeapGraph, type TypeCodes } from './heap-graph.js';

/** Where a closure or constructor was written: a readable file and a 1-based line. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
  /** The compiled file and line (or the original one that is not on disk), when a source map moved `file`. */
  alsoAt?: string;
}

/**
 * Source positions of nodes from the snapshot's `locations`. A location names a script by
 * id only; its URL is the name of the Script node the closure's SharedFunctionInfo points
 * to (`shared` -> `script_or_debug_info`, or `script` in older V8). Positions are
 * source-mapped the way the agent maps suspects' frames (TypeScript lines where a map
 * exists and its source is on disk, the compiled line otherwise), when `cwd` is known:
 * the files are read where the service ran.
 */
export class ScriptLocations {
  private readonly urls = new Map<number, string>();
  /** The location of each node (an index into `locations`), -1 where it has none; built on first use. */
  private byNode: Int32Array | undefined;
  private readonly files = new Map<number, { url: string; file: string }>();
  private readonly resolver: LocationResolver | undefined;
  /** By script, then line and column: every object of one constructor has the same position. */
  private readonly resolved = new Map<number, Map<number, SourceLocation | null>>();

  constructor(
    private readonly graph: HeapGraph,
    private readonly codes: TypeCodes,
    private readonly cwd?: string,
    sourceMaps = true,
  ) {
    this.resolver = cwd !== undefined && sourceMaps ? new LocationResolver(cwd, true) : undefined;
  }

  of(node: number): SourceLocation | undefined {
    const index = this.find(node);
    if (index < 0) return undefined;
    const { scriptId, line, column } = this.graph.locations;
    let inScript = this.resolved.get(scriptId[index]!);
    if (!inScript) this.resolved.set(scriptId[index]!, (inScript = new Map()));
    const position = line[index]! * 2 ** 24 + column[index]!;
    let known = inScript.get(position);
    if (known === undefined) inScript.set(position, (known = this.resolve(index, node) ?? null));
    return known ?? undefined;
  }

  private resolve(index: number, node: number): SourceLocation | undefined {
    const { scriptId, line, column } = this.graph.locations;
    const id = scriptId[index]!;
    let script = this.files.get(id);
    if (script === undefined) {
      const url = this.urlOf(id, node);
      if (url === undefined) return undefined;
      this.files.set(id, (script = { url, file: readableScriptPath(url, this.cwd) }));
    }
    if (this.resolver && LocationResolver.pathOf(script.url) !== undefined) {
      const frame = this.resolver.frameOf({ url: script.url, lineNumber: line[index]!, columnNumber: column[index]!, functionName: '' });
      return { file: frame.file, line: frame.line, column: frame.column + 1, ...(frame.alsoAt ? { alsoAt: frame.alsoAt } : {}) };
    }
    return { file: script.file, line: line[index]! + 1, column: column[index]! + 1 };
  }

  private find(node: number): number {
    if (!this.byNode) {
      // One slot per node (4 bytes each) rather than a search per lookup: grouping asks for
      // every new object, millions on a big heap, and a binary search among millions of
      // locations took a tenth of the whole run. A node listed twice keeps its last location.
      const { node: nodes, count } = this.graph.locations;
      const byNode = (this.byNode = new Int32Array(this.graph.nodeCount).fill(-1));
      for (let i = 0; i < count; i++) byNode[nodes[i]!] = i;
    }
    return this.byNode[node] ?? -1;
  }

  private urlOf(scriptId: number, node: number): string | undefined {
    const known = this.urls.get(scriptId);
    if (known !== undefined) return known;
    let url = this.urlThrough(node);
    if (url === undefined) {
      // Objects carry their constructor's location but no `shared` edge: ask a closure of the same script.
      const { node: nodes, scriptId: scripts, count } = this.graph.locations;
      for (let i = 0; i < count && url === undefined; i++) {
        if (scripts[i] === scriptId && this.graph.nodeType[nodes[i]!] === this.codes.closure) url = this.urlThrough(nodes[i]!);
      }
    }
    if (url !== undefined) this.urls.set(scriptId, url);
    return url;
  }

  private urlThrough(node: number): string | undefined {
    const shared = this.child(node, 'shared');
    const script = shared === undefined ? undefined : (this.child(shared, 'script_or_debug_info') ?? this.child(shared, 'script'));
    if (script === undefined) return undefined;
    const url = nodeNameOf(this.graph, script);
    return !url || url.startsWith('system /') ? undefined : url;
  }

  private child(node: number, name: string): number | undefined {
    const { firstEdge, edgeTo } = this.graph;
    for (let e = firstEdge[node]!; e < firstEdge[node + 1]!; e++) {
      if (this.graph.edgeType[e] === this.codes.internal && edgeLabelOf(this.graph, e, this.codes) === name) return edgeTo[e]!;
    }
    return undefined;
  }
}
