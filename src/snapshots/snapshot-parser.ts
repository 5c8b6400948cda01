import { HeapSnapshotError, type HeapGraph, type NodeLocations } from './heap-graph.js';
import { StringTable } from './string-table.js';

/**
 * A push parser for V8 `.heapsnapshot` files that fills typed arrays as bytes arrive. It
 * never holds the file as one string (V8 caps strings near 512 MB) and only knows this
 * one JSON shape: a top-level object whose `snapshot.meta` names the fields, big arrays
 * of unsigned integers (`nodes`, `edges`, `locations`, ...) and an array of `strings`.
 * Numbers are read straight from the bytes; field positions come from the meta, since
 * they differ across Node versions.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const ZERO = 0x30;
const NINE = 0x39;

const enum State {
  Start,
  ExpectKey,
  Key,
  ExpectColon,
  ExpectValue,
  RawValue,
  NumberArray,
  StringArray,
  Done,
}

type Section = 'snapshot' | 'nodes' | 'edges' | 'locations' | 'strings' | 'skip';

export interface ParseOptions {
  /** Read only `nodes` (for the highest node id of a baseline snapshot); stop there. */
  nodesOnly?: boolean;
  /** The file's size, when known: the strings' storage is then sized once from what is left. */
  fileBytes?: number;
}

interface Meta {
  nodeFields: string[];
  edgeFields: string[];
  nodeTypeNames: string[];
  edgeTypeNames: string[];
  locationFields: string[];
  nodeCount: number;
  edgeCount: number;
}

const NEWLINE = 0x0a;
/** The most the strings' storage is sized for up front (see beginValue). */
const MAX_STRINGS_RESERVE = 1 << 30;
const BATCH = 1 << 16;
/** Strings up to this many bytes are looked for by a scan in JavaScript, longer ones with indexOf. */
const SHORT_STRING = 64;
/** nodeRows and edgeRows start a row only this far before a chunk's end (a row of V8's is 10 to 60 bytes). */
const ROW_MARGIN = 256;
const WHITESPACE = new Uint8Array(256);
for (const c of [0x20, 0x0a, 0x0d, 0x09]) WHITESPACE[c] = 1;

export class SnapshotParser {
  private state = State.Start;
  private key = '';
  private section: Section = 'skip';
  private readonly seen = new Set<string>();
  /** Bytes of a raw value being collected (only `snapshot`) and the nesting while skipping. */
  private rawParts: Buffer[] = [];
  private rawDepth = 0;
  private rawInString = false;
  private rawEscape = false;
  private rawCollect = false;
  /** Number array state: the number being read, whether one is open, the bracket depth. */
  private num = 0;
  private inNum = false;
  private depth = 0;
  private readonly batch = new Float64Array(BATCH);
  /** One node's or edge's numbers, for nodeRows and edgeRows. */
  private rowValues = new Float64Array(0);
  private batchLength = 0;
  private field = 0;
  private row = 0;
  /** String array state. */
  private strParts: Buffer[] = [];
  private inStr = false;
  private strEscaped = false;
  private strPendingEscape = false;
  private nextBackslash = -1;
  private bytes = 0;

  private meta: Meta | undefined;
  private graph: HeapGraph | undefined;
  private nodeFieldIndex = { type: -1, name: -1, id: -1, selfSize: -1, edgeCount: -1 };
  private edgeFieldIndex = { type: -1, nameOrIndex: -1, to: -1 };
  private locationFieldIndex = { node: -1, scriptId: -1, line: -1, column: -1 };
  private edgesSeen = 0;
  /**
   * The largest string and node indexes the nodes and edges point to, kept while they are
   * read, so that finishing needs no second pass over every edge to check them.
   */
  private maxNodeName = 0;
  private maxEdgeTo = 0;
  private maxEdgeName = 0;
  private elementType = -1;
  /** Edge fields in V8's order (type, name_or_index, to_node): read by v8EdgeRows. */
  private v8EdgeLayout = false;
  /** Node fields starting in V8's order (type, name, id, self_size, edge_count): read by v8NodeRows. */
  private v8NodeLayout = false;
  private hiddenType = -1;

  constructor(private readonly options: ParseOptions = {}) {}

  /** True once everything asked for was read: the caller may stop reading the file. */
  get done(): boolean {
    return this.state === State.Done;
  }

  /** Bytes consumed so far. */
  get position(): number {
    return this.bytes;
  }

  push(input: Uint8Array): void {
    // A plain Uint8Array view keeps the hot loops monomorphic (Buffer is a subclass).
    const chunk = new Uint8Array(input.buffer, input.byteOffset, input.length);
    let pos = 0;
    const end = chunk.length;
    while (pos < end && this.state !== State.Done) {
      switch (this.state) {
        case State.Start: {
          const c = chunk[pos]!;
          if (WHITESPACE[c]) { pos++; break; }
          // A UTF-8 byte order mark is not JSON, but some editors add one.
          if (c === 0xef && this.bytes + pos === 0) { pos += 3; break; }
          if (c !== OPEN_BRACE) throw this.foreign();
          this.state = State.ExpectKey;
          pos++;
          break;
        }
        case State.ExpectKey: {
          const c = chunk[pos]!;
          if (WHITESPACE[c] || c === COMMA) { pos++; break; }
          if (c === CLOSE_BRACE) { this.finishTop(); pos++; break; }
          if (c !== QUOTE) throw this.foreign();
          this.key = '';
          this.state = State.Key;
          pos++;
          break;
        }
        case State.Key: {
          const close = chunk.indexOf(QUOTE, pos);
          const stop = close < 0 ? end : close;
          this.key += Buffer.from(chunk.buffer, chunk.byteOffset + pos, stop - pos).toString('latin1');
          if (this.key.length > 256) throw this.foreign();
          pos = stop;
          if (close >= 0) { pos++; this.state = State.ExpectColon; }
          break;
        }
        case State.ExpectColon: {
          const c = chunk[pos]!;
          if (WHITESPACE[c]) { pos++; break; }
          if (c !== COLON) throw this.foreign();
          if (this.seen.size === 0 && this.key !== 'snapshot') throw this.foreign();
          this.seen.add(this.key);
          this.state = State.ExpectValue;
          pos++;
          break;
        }
        case State.ExpectValue: {
          const c = chunk[pos]!;
          if (WHITESPACE[c]) { pos++; break; }
          // Arrays start past their bracket; raw values (objects, scalars) read their first byte.
          if (this.beginValue(c)) pos++;
          break;
        }
        case State.RawValue:
          pos = this.raw(chunk, pos);
          break;
        case State.NumberArray:
          pos = this.numbers(chunk, pos);
          break;
        case State.StringArray:
          pos = this.stringArray(chunk, pos);
          break;
      }
    }
    this.bytes += end;
  }

  /** The graph, once the whole file was pushed; throws when it was cut short. */
  finish(): HeapGraph {
    if (this.state !== State.Done) {
      const where = this.state === State.Start ? 'it is empty' : `it ends inside "${this.key}"`;
      throw new HeapSnapshotError(`truncated heap snapshot: ${where} (after ${this.bytes} bytes)`);
    }
    return this.graph!;
  }

  private foreign(): HeapSnapshotError {
    return new HeapSnapshotError('not a V8 heap snapshot (expected a JSON object that starts with "snapshot", as v8.writeHeapSnapshot and DevTools write)');
  }

  private corrupt(what: string): HeapSnapshotError {
    return new HeapSnapshotError(`corrupt heap snapshot: ${what}`);
  }

  private beginValue(c: number): boolean {
    const key = this.key;
    if (key === 'snapshot') {
      if (c !== OPEN_BRACE) throw this.foreign();
      this.startRaw(true);
      this.section = 'snapshot';
      return false;
    }
    if (!this.meta) throw this.foreign();
    const numeric = key === 'nodes' || key === 'edges' || key === 'locations';
    if (key === 'strings' && c === OPEN_BRACKET) {
      this.section = 'strings';
      this.state = State.StringArray;
      // `bytes` counts up to this chunk's start, so this is at most a chunk more than is left.
      // (Past 1 GiB, e.g. a writer that puts "strings" first, the storage grows as it goes.)
      const rest = this.options.fileBytes === undefined ? 0 : this.options.fileBytes - this.bytes;
      if (rest > 0 && rest <= MAX_STRINGS_RESERVE) this.graph!.strings.reserve(rest);
      this.inStr = false;
      this.nextBackslash = -1;
      return true;
    }
    if (numeric || (c === OPEN_BRACKET && key !== 'strings')) {
      if (c !== OPEN_BRACKET) throw this.corrupt(`"${key}" is not an array`);
      this.section = numeric ? key : 'skip';
      this.state = State.NumberArray;
      this.depth = 1;
      this.num = 0;
      this.inNum = false;
      this.field = 0;
      this.row = 0;
      this.batchLength = 0;
      return true;
    }
    this.section = 'skip';
    this.startRaw(false);
    return false;
  }

  private startRaw(collect: boolean): void {
    this.state = State.RawValue;
    this.rawParts = [];
    this.rawDepth = 0;
    this.rawInString = false;
    this.rawEscape = false;
    this.rawCollect = collect;
  }

  /** Skips (or, for `snapshot`, collects) one JSON value of any shape, strings included. */
  private raw(chunk: Uint8Array, pos: number): number {
    const start = pos;
    const end = chunk.length;
    let depth = this.rawDepth;
    let inString = this.rawInString;
    let escape = this.rawEscape;
    let finished = false;
    for (; pos < end; pos++) {
      const c = chunk[pos]!;
      if (inString) {
        if (escape) escape = false;
        else if (c === BACKSLASH) escape = true;
        else if (c === QUOTE) inString = false;
        continue;
      }
      if (depth === 0 && (c === COMMA || c === CLOSE_BRACE)) {
        finished = true;
        break;
      }
      if (c === QUOTE) inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) { pos++; finished = true; break; }
      }
    }
    this.rawDepth = depth;
    this.rawInString = inString;
    this.rawEscape = escape;
    if (this.rawCollect) {
      this.rawParts.push(Buffer.from(chunk.subarray(start, pos)));
      if (this.rawParts.length > 4096) throw this.corrupt('the "snapshot" header is too large');
    }
    if (finished) {
      if (this.section === 'snapshot') this.readMeta(Buffer.concat(this.rawParts).toString('utf8'));
      this.rawParts = [];
      this.state = State.ExpectKey;
    }
    return pos;
  }

  private readMeta(text: string): void {
    let header: any;
    try {
      header = JSON.parse(text);
    } catch {
      throw this.foreign();
    }
    const meta = header?.meta;
    const nodeFields = meta?.node_fields;
    const edgeFields = meta?.edge_fields;
    const nodeTypes = meta?.node_types?.[0];
    const edgeTypes = meta?.edge_types?.[0];
    const nodeCount = header?.node_count;
    const edgeCount = header?.edge_count;
    if (!isStrings(nodeFields) || !isStrings(edgeFields) || !isStrings(nodeTypes) || !isStrings(edgeTypes)) throw this.foreign();
    if (!Number.isSafeInteger(nodeCount) || !Number.isSafeInteger(edgeCount) || nodeCount < 0 || edgeCount < 0 || nodeCount >= 2 ** 32 || edgeCount >= 2 ** 32) {
      throw this.corrupt('snapshot.node_count or edge_count is missing');
    }
    const locationFields = isStrings(meta.location_fields) ? meta.location_fields : ['object_index', 'script_id', 'line', 'column'];
    this.meta = { nodeFields, edgeFields, nodeTypeNames: nodeTypes, edgeTypeNames: edgeTypes, locationFields, nodeCount, edgeCount };
    this.nodeFieldIndex = {
      type: nodeFields.indexOf('type'),
      name: nodeFields.indexOf('name'),
      id: nodeFields.indexOf('id'),
      selfSize: nodeFields.indexOf('self_size'),
      edgeCount: nodeFields.indexOf('edge_count'),
    };
    this.edgeFieldIndex = { type: edgeFields.indexOf('type'), nameOrIndex: edgeFields.indexOf('name_or_index'), to: edgeFields.indexOf('to_node') };
    this.locationFieldIndex = {
      node: locationFields.indexOf('object_index'),
      scriptId: locationFields.indexOf('script_id'),
      line: locationFields.indexOf('line'),
      column: locationFields.indexOf('column'),
    };
    if (Object.values(this.nodeFieldIndex).some((i) => i < 0) || Object.values(this.edgeFieldIndex).some((i) => i < 0)) {
      throw this.corrupt('snapshot.meta lacks node fields (type, name, id, self_size, edge_count) or edge fields (type, name_or_index, to_node)');
    }
    this.rowValues = new Float64Array(Math.max(nodeFields.length, edgeFields.length));
    this.elementType = edgeTypes.indexOf('element');
    const n = this.nodeFieldIndex;
    this.v8NodeLayout = n.type === 0 && n.name === 1 && n.id === 2 && n.selfSize === 3 && n.edgeCount === 4;
    this.v8EdgeLayout = edgeFields.length === 3 && this.edgeFieldIndex.type === 0 && this.edgeFieldIndex.nameOrIndex === 1 && this.edgeFieldIndex.to === 2;
    this.hiddenType = edgeTypes.indexOf('hidden');
    const edges = this.options.nodesOnly ? 0 : edgeCount;
    this.graph = {
      nodeCount,
      edgeCount,
      nodeTypeNames: nodeTypes,
      edgeTypeNames: edgeTypes,
      // A baseline needs only its highest id: no per-node arrays at all.
      nodeType: new Uint8Array(this.options.nodesOnly ? 0 : nodeCount),
      nodeName: new Uint32Array(this.options.nodesOnly ? 0 : nodeCount),
      nodeId: new Uint32Array(this.options.nodesOnly ? 0 : nodeCount),
      nodeSelfSize: new Uint32Array(this.options.nodesOnly ? 0 : nodeCount),
      firstEdge: new Uint32Array(this.options.nodesOnly ? 0 : nodeCount + 1),
      edgeType: new Uint8Array(edges),
      edgeNameOrIndex: new Uint32Array(edges),
      edgeTo: new Uint32Array(edges),
      strings: new StringTable(),
      locations: { count: 0, node: new Uint32Array(256), scriptId: new Uint32Array(256), line: new Uint32Array(256), column: new Uint32Array(256) },
      maxNodeId: 0,
    };
  }

  /**
   * Unsigned integers separated by commas, newlines and brackets. Whole nodes and edges go
   * straight into the graph's arrays (nodeRows, edgeRows); this loop reads the rest through
   * a batch: a row cut by the chunk's end, the closing bracket, the other arrays.
   */
  private numbers(chunk: Uint8Array, pos: number): number {
    const end = chunk.length;
    const batch = this.batch;
    const section = this.section;
    const rowFields = section === 'nodes' ? this.meta!.nodeFields.length : section === 'edges' ? this.meta!.edgeFields.length : 0;
    let tryRows = rowFields > 0;
    let n = this.num;
    let inNum = this.inNum;
    let depth = this.depth;
    let length = this.batchLength;
    let closed = false;
    while (pos < end) {
      if (tryRows && length === 0 && !inNum && this.field === 0) {
        if (section === 'nodes') pos = this.v8NodeLayout ? this.v8NodeRows(chunk, pos) : this.nodeRows(chunk, pos);
        else pos = this.v8EdgeLayout ? this.v8EdgeRows(chunk, pos) : this.edgeRows(chunk, pos);
        // What stopped them (a row cut by the chunk's end, the bracket) is read below, up to the next row.
        tryRows = false;
        if (pos === end) break;
      }
      let digit = chunk[pos]! - ZERO;
      if (digit >>> 0 <= 9) {
        // A run of digits, read in a tight inner loop (the bulk of the file).
        if (!inNum) n = 0;
        n = n * 10 + digit;
        while (++pos < end && (digit = chunk[pos]! - ZERO) >>> 0 <= 9) n = n * 10 + digit;
        if (pos === end) {
          inNum = true;
          break;
        }
        inNum = false;
        batch[length++] = n;
        if (length === BATCH || (rowFields > 0 && (this.field + length) % rowFields === 0)) {
          this.flush(length);
          length = 0;
          tryRows = rowFields > 0;
        }
      } else if (inNum) {
        // A number cut by the previous chunk's end.
        inNum = false;
        batch[length++] = n;
        if (length === BATCH || (rowFields > 0 && (this.field + length) % rowFields === 0)) {
          this.flush(length);
          length = 0;
          tryRows = rowFields > 0;
        }
      }
      const c = chunk[pos]!;
      pos++;
      if (c === COMMA || WHITESPACE[c]) continue;
      if (c === CLOSE_BRACKET) {
        if (--depth === 0) { closed = true; break; }
      } else if (c === OPEN_BRACKET) depth++;
      else if (this.section !== 'skip' || (c !== 0x2d && c !== 0x2e && c !== 0x65 && c !== 0x45 && c !== 0x2b)) {
        // Only the skipped arrays (samples, trace trees) may hold signs or fractions.
        throw this.corrupt(`unexpected character ${JSON.stringify(String.fromCharCode(c))} in "${this.key}"`);
      }
    }
    this.num = n;
    this.inNum = inNum;
    this.depth = depth;
    this.batchLength = length;
    if (closed) {
      this.flush(length);
      this.batchLength = 0;
      this.endNumbers();
    }
    return pos;
  }

  /**
   * Whole nodes, read from the bytes into the graph's arrays (the bulk of the file, hence
   * no batch). Stops before the first node near the chunk's end, or that meets anything but
   * digits, commas and newlines (the closing bracket, other whitespace: `numbers` reads
   * those), and returns where that node starts.
   */
  private nodeRows(chunk: Uint8Array, pos: number): number {
    const end = chunk.length;
    const graph = this.graph!;
    const fields = this.meta!.nodeFields.length;
    const { type: fType, name: fName, id: fId, selfSize: fSize, edgeCount: fEdges } = this.nodeFieldIndex;
    const { nodeType, nodeName, nodeId, nodeSelfSize, firstEdge } = graph;
    const nodesOnly = this.options.nodesOnly === true;
    const values = this.rowValues;
    const count = graph.nodeCount;
    let row = this.row;
    let maxId = graph.maxNodeId;
    let maxName = this.maxNodeName;
    const limit = end - ROW_MARGIN;
    while (row < count && pos < limit) {
      const next = readRow(chunk, pos, fields, values);
      if (next < 0) break;
      pos = next;
      const id = values[fId]!;
      // Heap objects have odd ids; embedder (native) nodes get even, address-like ones.
      if (id > maxId && id % 2 === 1) maxId = id;
      if (!nodesOnly) {
        nodeType[row] = values[fType]!;
        nodeName[row] = values[fName]!;
        if (nodeName[row]! > maxName) maxName = nodeName[row]!;
        nodeId[row] = id;
        const size = values[fSize]!;
        nodeSelfSize[row] = size > 0xffffffff ? 0xffffffff : size;
        firstEdge[row + 1] = firstEdge[row]! + values[fEdges]!;
      }
      row++;
    }
    this.row = row;
    graph.maxNodeId = maxId;
    this.maxNodeName = maxName;
    return pos;
  }

  /**
   * Whole nodes whose first five fields are V8's (type, name, id, self_size, edge_count;
   * trace_node_id and detachedness follow, or not, by version), as nodeRows reads them, with
   * those five numbers in locals.
   */
  private v8NodeRows(chunk: Uint8Array, pos: number): number {
    const end = chunk.length;
    const graph = this.graph!;
    const fields = this.meta!.nodeFields.length;
    const { nodeType, nodeName, nodeId, nodeSelfSize, firstEdge } = graph;
    const nodesOnly = this.options.nodesOnly === true;
    const count = graph.nodeCount;
    let row = this.row;
    let maxId = graph.maxNodeId;
    let maxName = this.maxNodeName;
    const limit = end - ROW_MARGIN;
    while (row < count && pos < limit) {
      const start = pos;
      let c = chunk[pos]!;
      while (c === COMMA || c === NEWLINE) c = chunk[++pos]!;
      let type = c - ZERO;
      if (!(type >= 0 && type <= 9)) {
        pos = start;
        break;
      }
      c = chunk[++pos]!;
      while (c >= ZERO && c <= NINE) {
        type = type * 10 + (c - ZERO);
        c = chunk[++pos]!;
      }
      while (c === COMMA || c === NEWLINE) c = chunk[++pos]!;
      let name = c - ZERO;
      if (!(name >= 0 && name <= 9)) {
        pos = start;
        break;
      }
      c = chunk[++pos]!;
      while (c >= ZERO && c <= NINE) {
        name = name * 10 + (c - ZERO);
        c = chunk[++pos]!;
      }
      while (c === COMMA || c === NEWLINE) c = chunk[++pos]!;
      let id = c - ZERO;
      if (!(id >= 0 && id <= 9)) {
        pos = start;
        break;
      }
      c = chunk[++pos]!;
      while (c >= ZERO && c <= NINE) {
        id = id * 10 + (c - ZERO);
        c = chunk[++pos]!;
      }
      while (c === COMMA || c === NEWLINE) c = chunk[++pos]!;
      let size = c - ZERO;
      if (!(size >= 0 && size <= 9)) {
        pos = start;
        break;
      }
      c = chunk[++pos]!;
      while (c >= ZERO && c <= NINE) {
        size = size * 10 + (c - ZERO);
        c = chunk[++pos]!;
      }
      while (c === COMMA || c === NEWLINE) c = chunk[++pos]!;
      let edges = c - ZERO;
      if (!(edges >= 0 && edges <= 9)) {
        pos = start;
        break;
      }
      c = chunk[++pos]!;
      while (c >= ZERO && c <= NINE) {
        edges = edges * 10 + (c - ZERO);
        c = chunk[++pos]!;
      }
      // The fields heapsleuth does not keep: only checked to be numbers.
      let f = 5;
      for (; f < fields; f++) {
        while (c === COMMA || c === NEWLINE) c = chunk[++pos]!;
        if (!(c >= ZERO && c <= NINE)) break;
        c = chunk[++pos]!;
        while (c >= ZERO && c <= NINE) c = chunk[++pos]!;
      }
      if (f < fields || pos >= end) {
        pos = start;
        break;
      }
      // Heap objects have odd ids; embedder (native) nodes get even, address-like ones.
      if (id > maxId && id % 2 === 1) maxId = id;
      if (!nodesOnly) {
        nodeType[row] = type;
        nodeName[row] = name;
        if (nodeName[row]! > maxName) maxName = nodeName[row]!;
        nodeId[row] = id;
        nodeSelfSize[row] = size > 0xffffffff ? 0xffffffff : size;
        firstEdge[row + 1] = firstEdge[row]! + edges;
      }
      row++;
    }
    this.row = row;
    graph.maxNodeId = maxId;
    this.maxNodeName = maxName;
    return pos;
  }

  /**
   * Whole edges in V8's own layout (type, name_or_index, to_node: every V8 to date), as
   * edgeRows reads them, with the three numbers in locals: edges are most of a snapshot.
   */
  private v8EdgeRows(chunk: Uint8Array, pos: number): number {
    const end = chunk.length;
    const graph = this.graph!;
    const nodeFields = this.meta!.nodeFields.length;
    const { edgeType, edgeNameOrIndex, edgeTo } = graph;
    const count = graph.edgeCount;
    const element = this.elementType;
    const hidden = this.hiddenType;
    let maxTo = this.maxEdgeTo;
    let maxName = this.maxEdgeName;
    let row = this.row;
    const limit = end - ROW_MARGIN;
    while (row < count && pos < limit) {
      const start = pos;
      let c = chunk[pos]!;
      while (c === COMMA || c === NEWLINE) c = chunk[++pos]!;
      let type = c - ZERO;
      if (!(type >= 0 && type <= 9)) {
        pos = start;
        break;
      }
      c = chunk[++pos]!;
      while (c >= ZERO && c <= NINE) {
        type = type * 10 + (c - ZERO);
        c = chunk[++pos]!;
      }
      while (c === COMMA || c === NEWLINE) c = chunk[++pos]!;
      let name = c - ZERO;
      if (!(name >= 0 && name <= 9)) {
        pos = start;
        break;
      }
      c = chunk[++pos]!;
      while (c >= ZERO && c <= NINE) {
        name = name * 10 + (c - ZERO);
        c = chunk[++pos]!;
      }
      while (c === COMMA || c === NEWLINE) c = chunk[++pos]!;
      let to = c - ZERO;
      if (!(to >= 0 && to <= 9)) {
        pos = start;
        break;
      }
      c = chunk[++pos]!;
      while (c >= ZERO && c <= NINE) {
        to = to * 10 + (c - ZERO);
        c = chunk[++pos]!;
      }
      if (pos >= end) {
        pos = start;
        break;
      }
      edgeType[row] = type;
      edgeNameOrIndex[row] = name;
      edgeTo[row] = to / nodeFields;
      // Checked as stored (what the rest of heapsleuth reads).
      if (edgeTo[row]! > maxTo) maxTo = edgeTo[row]!;
      const stored = edgeType[row];
      if (stored !== element && stored !== hidden && edgeNameOrIndex[row]! > maxName) maxName = edgeNameOrIndex[row]!;
      row++;
    }
    this.row = row;
    this.maxEdgeTo = maxTo;
    this.maxEdgeName = maxName;
    return pos;
  }

  /** Whole edges, as nodeRows reads nodes. */
  private edgeRows(chunk: Uint8Array, pos: number): number {
    const end = chunk.length;
    const graph = this.graph!;
    const fields = this.meta!.edgeFields.length;
    const nodeFields = this.meta!.nodeFields.length;
    const { type: fType, nameOrIndex: fName, to: fTo } = this.edgeFieldIndex;
    const { edgeType, edgeNameOrIndex, edgeTo } = graph;
    const values = this.rowValues;
    const count = graph.edgeCount;
    const element = this.elementType;
    const hidden = this.hiddenType;
    let maxTo = this.maxEdgeTo;
    let maxName = this.maxEdgeName;
    let row = this.row;
    const limit = end - ROW_MARGIN;
    while (row < count && pos < limit) {
      const next = readRow(chunk, pos, fields, values);
      if (next < 0) break;
      pos = next;
      edgeType[row] = values[fType]!;
      edgeNameOrIndex[row] = values[fName]!;
      edgeTo[row] = values[fTo]! / nodeFields;
      // Checked as stored (what the rest of heapsleuth reads).
      if (edgeTo[row]! > maxTo) maxTo = edgeTo[row]!;
      const type = edgeType[row];
      if (type !== element && type !== hidden && edgeNameOrIndex[row]! > maxName) maxName = edgeNameOrIndex[row]!;
      row++;
    }
    this.row = row;
    this.maxEdgeTo = maxTo;
    this.maxEdgeName = maxName;
    return pos;
  }

  private flush(length: number): void {
    if (this.section === 'nodes') this.flushNodes(length);
    else if (this.section === 'edges') this.flushEdges(length);
    else if (this.section === 'locations') this.flushLocations(length);
  }

  private flushNodes(length: number): void {
    const graph = this.graph!;
    const fields = this.meta!.nodeFields.length;
    const { type: fType, name: fName, id: fId, selfSize: fSize, edgeCount: fEdges } = this.nodeFieldIndex;
    const { nodeType, nodeName, nodeId, nodeSelfSize, firstEdge } = graph;
    const nodesOnly = this.options.nodesOnly === true;
    const count = graph.nodeCount;
    let field = this.field;
    let row = this.row;
    const firstRow = row;
    let maxId = graph.maxNodeId;
    const batch = this.batch;
    let k = 0;
    if (nodesOnly) {
      for (; k < length; k++) {
        if (row >= count) throw this.corrupt(`more nodes than snapshot.node_count (${count})`);
        if (field === fId) {
          const id = batch[k]!;
          // Heap objects have odd ids; embedder (native) nodes get even, address-like ones.
          if (id > maxId && id % 2 === 1) maxId = id;
        }
        if (++field === fields) {
          field = 0;
          row++;
        }
      }
      k = length;
    } else if (field === 0) {
      // Whole nodes at once, as for edges.
      const whole = Math.min(Math.floor(length / fields), count - row);
      for (let i = 0; i < whole; i++, k += fields, row++) {
        nodeType[row] = batch[k + fType]!;
        nodeName[row] = batch[k + fName]!;
        const id = batch[k + fId]!;
        nodeId[row] = id;
        if (id > maxId && id % 2 === 1) maxId = id;
        const size = batch[k + fSize]!;
        nodeSelfSize[row] = size > 0xffffffff ? 0xffffffff : size;
        firstEdge[row + 1] = firstEdge[row]! + batch[k + fEdges]!;
      }
    }
    for (; k < length; k++) {
      const v = batch[k]!;
      if (row >= count) throw this.corrupt(`more nodes than snapshot.node_count (${count})`);
      if (field === fType) nodeType[row] = v;
      else if (field === fId) {
        nodeId[row] = v;
        if (v > maxId && v % 2 === 1) maxId = v;
      } else if (field === fName) nodeName[row] = v;
      else if (field === fSize) nodeSelfSize[row] = v > 0xffffffff ? 0xffffffff : v;
      else if (field === fEdges) firstEdge[row + 1] = firstEdge[row]! + v;
      if (++field === fields) {
        field = 0;
        row++;
      }
    }
    this.field = field;
    this.row = row;
    graph.maxNodeId = maxId;
    if (!nodesOnly) for (let r = firstRow; r < row; r++) if (nodeName[r]! > this.maxNodeName) this.maxNodeName = nodeName[r]!;
  }

  private flushEdges(length: number): void {
    const graph = this.graph!;
    const fields = this.meta!.edgeFields.length;
    const nodeFields = this.meta!.nodeFields.length;
    const { type: fType, nameOrIndex: fName, to: fTo } = this.edgeFieldIndex;
    const { edgeType, edgeNameOrIndex, edgeTo } = graph;
    const count = graph.edgeCount;
    let field = this.field;
    let row = this.row;
    const firstRow = row;
    const batch = this.batch;
    let k = 0;
    if (field === 0) {
      // Whole edges at once (the batch mostly starts and ends on an edge boundary).
      const whole = Math.min(Math.floor(length / fields), count - row);
      for (let i = 0; i < whole; i++, k += fields, row++) {
        edgeType[row] = batch[k + fType]!;
        edgeNameOrIndex[row] = batch[k + fName]!;
        edgeTo[row] = batch[k + fTo]! / nodeFields;
      }
    }
    for (; k < length; k++) {
      const v = batch[k]!;
      if (row >= count) throw this.corrupt(`more edges than snapshot.edge_count (${count})`);
      if (field === fType) edgeType[row] = v;
      else if (field === fName) edgeNameOrIndex[row] = v;
      else if (field === fTo) edgeTo[row] = v / nodeFields;
      if (++field === fields) {
        field = 0;
        row++;
      }
    }
    this.field = field;
    this.row = row;
    for (let r = firstRow; r < row; r++) {
      if (edgeTo[r]! > this.maxEdgeTo) this.maxEdgeTo = edgeTo[r]!;
      const type = edgeType[r];
      if (type !== this.elementType && type !== this.hiddenType && edgeNameOrIndex[r]! > this.maxEdgeName) this.maxEdgeName = edgeNameOrIndex[r]!;
    }
  }

  private flushLocations(length: number): void {
    const fields = this.meta!.locationFields.length;
    const nodeFields = this.meta!.nodeFields.length;
    const { node: fNode, scriptId: fScript, line: fLine, column: fColumn } = this.locationFieldIndex;
    let locations = this.graph!.locations;
    let field = this.field;
    let row = this.row;
    const batch = this.batch;
    for (let k = 0; k < length; k++) {
      if (row >= locations.node.length) locations = this.graph!.locations = growLocations(locations);
      const v = batch[k]!;
      if (field === fNode) locations.node[row] = v / nodeFields;
      else if (field === fScript) locations.scriptId[row] = v;
      else if (field === fLine) locations.line[row] = v;
      else if (field === fColumn) locations.column[row] = v;
      if (++field === fields) {
        field = 0;
        row++;
      }
    }
    this.field = field;
    this.row = row;
    locations.count = row;
  }

  private endNumbers(): void {
    const graph = this.graph!;
    if (this.section === 'nodes') {
      if (this.row !== graph.nodeCount || this.field !== 0) throw this.corrupt(`"nodes" holds ${this.row} nodes, snapshot.node_count says ${graph.nodeCount}`);
      if (this.options.nodesOnly) {
        this.state = State.Done;
        return;
      }
      if (graph.firstEdge[graph.nodeCount] !== graph.edgeCount) throw this.corrupt('the nodes\' edge counts do not add up to snapshot.edge_count');
    } else if (this.section === 'edges') {
      if (this.row !== graph.edgeCount || this.field !== 0) throw this.corrupt(`"edges" holds ${this.row} edges, snapshot.edge_count says ${graph.edgeCount}`);
      this.edgesSeen = this.row;
    }
    this.state = State.ExpectKey;
  }

  /** `strings`: JSON strings, most without escapes, decoded straight from the bytes. */
  private stringArray(chunk: Uint8Array, pos: number): number {
    const end = chunk.length;
    const strings = this.graph!.strings;
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    this.nextBackslash = -1;
    while (pos < end) {
      if (!this.inStr) {
        const c = chunk[pos]!;
        if (c === QUOTE) {
          // Most strings are short and plain (names, keys, numbers as text): a short scan of
          // the bytes finds the end, with no native call and no allocation per string.
          let i = pos + 1;
          const stop = i + SHORT_STRING < end ? i + SHORT_STRING : end;
          while (i < stop) {
            const d = chunk[i]!;
            if (d === QUOTE || d === BACKSLASH) break;
            i++;
          }
          if (i < stop && chunk[i] === QUOTE) {
            strings.pushBytes(chunk, pos + 1, i);
            pos = i + 1;
            continue;
          }
          this.inStr = true;
          this.strEscaped = false;
          if (this.strParts.length > 0) this.strParts = [];
          pos++;
          continue;
        }
        if (c === COMMA || WHITESPACE[c]) { pos++; continue; }
        if (c === CLOSE_BRACKET) {
          pos++;
          this.state = State.ExpectKey;
          return pos;
        }
        throw this.corrupt(`unexpected character ${JSON.stringify(String.fromCharCode(c))} in "strings"`);
      }
      if (this.strPendingEscape) {
        // The byte after a backslash that ended the previous chunk.
        this.strPendingEscape = false;
        this.strParts.push(Buffer.from(buffer.subarray(pos, pos + 1)));
        pos++;
        continue;
      }
      const quote = buffer.indexOf(QUOTE, pos);
      if (this.nextBackslash < pos && this.nextBackslash !== -2) {
        const found = buffer.indexOf(BACKSLASH, pos);
        this.nextBackslash = found < 0 ? -2 : found;
      }
      const backslash = this.nextBackslash;
      if (backslash >= 0 && (quote < 0 || backslash < quote)) {
        // An escape: keep the backslash and the byte after it, decode with JSON.parse later.
        this.strEscaped = true;
        if (backslash + 1 < end) {
          this.strParts.push(Buffer.from(buffer.subarray(pos, backslash + 2)));
          pos = backslash + 2;
        } else {
          this.strParts.push(Buffer.from(buffer.subarray(pos, backslash + 1)));
          this.strPendingEscape = true;
          pos = end;
        }
        continue;
      }
      if (quote < 0) {
        this.strParts.push(Buffer.from(buffer.subarray(pos, end)));
        pos = end;
        continue;
      }
      if (this.strParts.length === 0 && !this.strEscaped) strings.pushBytes(chunk, pos, quote);
      else {
        this.strParts.push(buffer.subarray(pos, quote));
        const bytes = Buffer.concat(this.strParts);
        if (this.strEscaped) strings.pushString(decodeEscaped(bytes, this));
        else strings.pushBytes(bytes, 0, bytes.length);
        this.strParts = [];
      }
      this.inStr = false;
      pos = quote + 1;
    }
    return pos;
  }

  private finishTop(): void {
    const graph = this.graph;
    if (!graph) throw this.foreign();
    if (!this.seen.has('nodes')) throw new HeapSnapshotError('truncated heap snapshot: no "nodes" section');
    if (!this.seen.has('edges') || this.edgesSeen !== graph.edgeCount) throw new HeapSnapshotError('truncated heap snapshot: no "edges" section');
    if (!this.seen.has('strings')) throw new HeapSnapshotError('truncated heap snapshot: no "strings" section');
    const stringCount = graph.strings.length;
    const { nodeName, edgeNameOrIndex, edgeType, edgeTo, nodeCount } = graph;
    // The largest indexes were kept while reading: only a bad file is searched for the first culprit.
    if (this.maxNodeName >= stringCount) {
      for (let i = 0; i < nodeCount; i++) if (nodeName[i]! >= stringCount) throw this.corrupt(`node ${i} names string ${nodeName[i]}, there are ${stringCount}`);
    }
    const element = this.elementType;
    const hidden = this.hiddenType;
    const suspect = this.maxEdgeTo >= nodeCount || this.maxEdgeName >= stringCount;
    for (let e = 0; suspect && e < graph.edgeCount; e++) {
      if (edgeTo[e]! >= nodeCount) throw this.corrupt(`edge ${e} points past the last node`);
      const type = edgeType[e];
      if (type !== element && type !== hidden && edgeNameOrIndex[e]! >= stringCount) throw this.corrupt(`edge ${e} names string ${edgeNameOrIndex[e]}, there are ${stringCount}`);
    }
    const locations = graph.locations;
    for (let i = 0; i < locations.count; i++) if (locations.node[i]! >= nodeCount) throw this.corrupt('a location points past the last node');
    this.state = State.Done;
  }
}

/**
 * One row of `fields` numbers into `values`, from `pos` (commas and newlines between them);
 * the position after it, or -1 when the row is not whole here (it meets anything else, or the
 * chunk's end: `numbers` reads it). No bounds check per byte: a row starts ROW_MARGIN bytes
 * before the chunk's end, and one that still runs past it reads undefined, which ends every loop.
 */
function readRow(chunk: Uint8Array, pos: number, fields: number, values: Float64Array): number {
  for (let f = 0; f < fields; f++) {
    let c = chunk[pos]!;
    while (c === COMMA || c === NEWLINE) c = chunk[++pos]!;
    let n = c - ZERO;
    if (!(n >= 0 && n <= 9)) return -1;
    c = chunk[++pos]!;
    while (c >= ZERO && c <= NINE) {
      n = n * 10 + (c - ZERO);
      c = chunk[++pos]!;
    }
    values[f] = n;
  }
  return pos >= chunk.length ? -1 : pos;
}

function decodeEscaped(bytes: Buffer, parser: SnapshotParser): string {
  try {
    return JSON.parse('"' + bytes.toString('utf8') + '"') as string;
  } catch {
    throw new HeapSnapshotError(`corrupt heap snapshot: a bad escape in "strings" near byte ${parser.position}`);
  }
}

function growLocations(old: NodeLocations): NodeLocations {
  const grow = (array: Uint32Array) => {
    const next = new Uint32Array(array.length * 2);
    next.set(array);
    return next;
  };
  return { count: old.count, node: grow(old.node), scriptId: grow(old.scriptId), line: grow(old.line), column: grow(old.column) };
}

function isStrings(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
