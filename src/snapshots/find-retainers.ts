import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { typeCodes } from './heap-graph.js';
import { readHeapSnapshot } from './read-snapshot.js';
import { readBaselineMaxNodeId } from './read-baseline.js';
import { buildRetainerTree } from './retainer-tree.js';
import { retainedSizes } from './dominators.js';
import { ScriptLocations, type SourceLocation } from './script-locations.js';
import { groupRetainers, type RetainerGroup } from './retainer-groups.js';

/** Extra groups asked for, so that dropping heapsleuth's own still leaves `limit`. */
const OWN_GROUPS_MARGIN = 5;
/** heapsleuth's own code: the compiled tree this file is in (dist/src/, wherever dist was put), and the TypeScript sources. */
const OWN_ROOTS = [fileURLToPath(new URL('../', import.meta.url)), fileURLToPath(new URL('../../../src/', import.meta.url))];
/** A file of a heapsleuth installed elsewhere: `<anywhere>/dist/src/<a path this heapsleuth has in its own dist/src>`. */
const ELSEWHERE = /[\\/]dist[\\/]src[\\/](.+\.js)$/;
const ownElsewhere = new Map<string, boolean>();

/**
 * Whether a file is heapsleuth's own. The snapshot is often read by another installation than
 * the agent that took it (`analyze` on a laptop, a recording from a container, a build in
 * another folder): the agent's files then sit under another root, with the same paths below
 * its dist/src/ as this one's. Its source-map cache was otherwise shown as what keeps a leak.
 */
export function isOwnCode(file: string, cwd: string | undefined): boolean {
  const absolute = resolve(cwd ?? process.cwd(), file);
  if (OWN_ROOTS.some((root) => absolute.startsWith(root.endsWith(sep) ? root : root + sep))) return true;
  const below = ELSEWHERE.exec(absolute)?.[1];
  if (below === undefined) return false;
  let own = ownElsewhere.get(below);
  if (own === undefined) ownElsewhere.set(below, (own = existsSync(join(OWN_ROOTS[0]!, below))));
  return own;
}

export interface RetainerOptions {
  /** The earlier snapshot of the same process: only objects made after it count. */
  baseline?: string;
  /** Compute retained sizes (dominator tree) and rank by them. Always on with one snapshot. */
  retained?: boolean;
  /** Groups to keep (default 10). */
  limit?: number;
  /** Paths inside it are shown relative, packages as node_modules/<pkg>/... */
  cwd?: string;
}

export interface RetainerReport {
  mode: 'new-survivors' | 'largest-retained';
  snapshot: { file: string; bytes: number; nodes: number; edges: number };
  baseline?: { file: string; maxNodeId: number };
  /** New survivors (two snapshots), or all grouped objects (one snapshot). */
  objects: number;
  bytes: number;
  groups: RetainerGroup[];
  moreGroups: number;
}

/** Who keeps the objects of `snapshot` alive: the new survivors since `baseline`, or the largest retained groups. */
export async function findRetainers(snapshot: string, options: RetainerOptions = {}): Promise<RetainerReport> {
  // The baseline (only its highest id) is read beside the second snapshot, on another core when it is big.
  const baseline = options.baseline === undefined ? undefined : readBaselineMaxNodeId(options.baseline);
  // Its failure is reported once it is awaited, before any failure of the second snapshot (as when read first).
  baseline?.catch(() => undefined);
  let graph;
  try {
    graph = await readHeapSnapshot(snapshot);
  } catch (error) {
    await baseline;
    throw error;
  }
  const baselineMaxNodeId = await baseline;
  const codes = typeCodes(graph);
  // Dominators first: their working arrays are freed before the retainer tree is built.
  const retained = options.retained || baselineMaxNodeId === undefined ? retainedSizes(graph, codes) : undefined;
  const tree = buildRetainerTree(graph, codes);
  const locations = new ScriptLocations(graph, codes, options.cwd);
  const limit = options.limit ?? 10;
  const result = groupRetainers(graph, codes, tree, { baselineMaxNodeId, retained, locations, limit: limit + OWN_GROUPS_MARGIN });
  // heapsleuth's own agent (its caches, its recorder) is not the program's leak.
  // Its timers count too: a Timeout on the path that calls the agent's tick is the agent's.
  const own = (location: SourceLocation | undefined) => location !== undefined && isOwnCode(location.file, options.cwd);
  const groups = result.groups.filter((group) => !group.path.some((step) => own(step.location) || own(step.wraps?.location)));
  result.more += Math.max(0, groups.length - limit);
  result.groups = groups.slice(0, limit);
  return {
    mode: baselineMaxNodeId === undefined ? 'largest-retained' : 'new-survivors',
    snapshot: { file: snapshot, bytes: (await stat(snapshot)).size, nodes: graph.nodeCount, edges: graph.edgeCount },
    ...(options.baseline !== undefined && baselineMaxNodeId !== undefined ? { baseline: { file: options.baseline, maxNodeId: baselineMaxNodeId } } : {}),
    objects: result.objects,
    bytes: result.bytes,
    groups: result.groups,
    moreGroups: result.more,
  };
}
