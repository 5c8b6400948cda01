import type { RetainerStep } from './retainer-groups.js';
import type { SourceLocation } from './script-locations.js';
import { edgeLabel } from './edge-label.js';

/**
 * A retainer path as one line a person reads. The full path starts at a root
 * (`Node / Environment -> principal_realm -> ...`); the short one starts at the function
 * whose scope holds the first variable on the path, since that is where the program's own
 * code begins: `… -> (closure at src/jobs.ts:8) -> context -> cache (Map) -> table -> [] (Entry)`.
 * Not sanitised: the terminal renderer neutralises it, JSON keeps it raw.
 */
export function formatRetainerPath(path: RetainerStep[], short = true): string {
  // [owner] -internal "context"-> system / Context -variable-> value; the first such owner
  // in the program's own code (not node: internals such as the timers' lists).
  const owners = path.flatMap((step, i) => (step.edgeType === 'context' && i >= 2 && path[i - 1]!.edge === 'context' ? [i - 2] : []));
  const owner = owners.find((i) => path[i]!.location && !path[i]!.location!.file.startsWith('node:')) ?? owners[0] ?? -1;
  if (short && owner >= 0) {
    const head = path[owner]!;
    // V8 runs an ES module's body as a generator: its scope is the module's top level. A
    // CommonJS module's variables live in its wrapper's scope, reached through any closure
    // written in that module: name the module, not the closure the search happened to pass.
    const moduleScope = (head.node === 'Generator' || path[owner + 1]!.moduleScope) && head.location;
    const ownerText = moduleScope ? `module ${head.location!.file}` : nodeText(head, true) || head.edge;
    // A module's scope is the module itself: its variables follow it directly.
    return ['…', `(${ownerText})`, ...path.slice(owner + (moduleScope ? 2 : 1)).map(stepText)].join(' -> ');
  }
  // No program scope on the way: start at the last well-known global object (`process`,
  // the global object) rather than at V8's and Node's root bookkeeping.
  let global = -1;
  if (short) path.forEach((step, i) => (step.nodeType === 'object' && GLOBAL_OBJECTS.test(step.node) ? (global = i) : undefined));
  if (global >= 0) return ['…', `(${path[global]!.node})`, ...path.slice(global + 1).map(stepText)].join(' -> ');
  return path.map((step, i) => (i === 0 && step.edgeType !== 'property' ? nodeText(step, false) || step.edge : stepText(step))).join(' -> ');
}

const GLOBAL_OBJECTS = /^(?:process|global|globalThis|Window(?: \/.*)?)$/;

export function formatLocation(location: SourceLocation): string {
  return `${location.file}:${location.line}`;
}

function stepText(step: RetainerStep): string {
  const edge = edgeLabel(step.edgeType, step.edge);
  const node = nodeText(step, false);
  return node ? `${edge} (${node})` : edge;
}

function nodeText(step: RetainerStep, withLocation: boolean): string {
  // Closures and the program's own classes show where they were written; Node's internal
  // classes (EventEmitter, Socket: `node:` files) do not, they are known by name.
  const written = step.location && (withLocation || step.nodeType === 'closure' || !step.location.file.startsWith('node:'));
  const at = written ? ` at ${formatLocation(step.location!)}` : '';
  if (step.nodeType === 'closure') return `${step.node ? `closure ${step.node}` : 'closure'}${at}`;
  if (step.nodeType === 'string' || step.nodeType === 'concatenated string' || step.nodeType === 'sliced string') return 'string';
  if (!step.node || step.node.startsWith('system /')) return '';
  return `${step.node}${at}`;
}
