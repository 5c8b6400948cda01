import type { RetainerStep } from './retainer-groups.js';
import type { SourceLocation } from './script-locations.js';
import { edgeLabel } from './edge-label.js';
import { wrapperText } from './wrapper-text.js';

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
    return ['…', `(${ownerText})`, ...stepsText(path.slice(owner + (moduleScope ? 2 : 1)))].join(' -> ');
  }
  // No program scope on the way: start at the last well-known global object (`process`,
  // the global object) rather than at V8's and Node's root bookkeeping.
  let global = -1;
  if (short) path.forEach((step, i) => (step.nodeType === 'object' && GLOBAL_OBJECTS.test(step.node) ? (global = i) : undefined));
  if (global >= 0) return ['…', `(${path[global]!.node})`, ...stepsText(path.slice(global + 1))].join(' -> ');
  const first = path[0];
  if (first && first.edgeType !== 'property' && !first.wraps) return [nodeText(first, false) || first.edge, ...stepsText(path.slice(1))].join(' -> ');
  return stepsText(path).join(' -> ');
}

/** How far the path may go from a wrapper to the function it calls (`bound_this` -> `listener`). */
const WRAPPER_HOPS = 3;
/** The same step this many times in a row (a linked list: a timer list's `_idlePrev`) is shown once with a count. */
const MIN_RUN = 3;

/**
 * Each step as text. A wrapper reads as the function it calls (`timeout (once) -> onTimeout
 * at lib/pool.js:12`) where the path ends at it or goes on into that function (whose steps
 * are then not repeated); one the path only passes (a Timeout of a timer list on the way to
 * another) reads as itself. Runs of one step read `_idlePrev (Timeout) ×312`.
 */
function stepsText(path: RetainerStep[]): string[] {
  const texts: string[] = [];
  for (let i = 0; i < path.length; i++) {
    const step = path[i]!;
    const at = step.wraps?.location;
    const reached = at ? path.slice(i + 1, i + 1 + WRAPPER_HOPS).findIndex((next) => next.nodeType === 'closure' && next.location?.file === at.file && next.location.line === at.line) : -1;
    if (step.wraps && (i === path.length - 1 || reached >= 0)) {
      const called = wrapperText({ kinds: step.wraps.kinds, function: step.wraps.function, ...(at ? { file: at.file, line: at.line } : {}) });
      // A closure of Node's own reads as itself, then the program's function it calls.
      texts.push(step.wraps.kinds[0] === 'node' ? `${stepText(step)} -> ${called}` : `${edgeLabel(step.edgeType, step.edge)} ${called}`);
      if (reached >= 0) i += reached + 1;
    } else {
      texts.push(stepText(step));
    }
  }
  return collapseRuns(texts);
}

function collapseRuns(texts: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < texts.length; ) {
    let j = i + 1;
    while (j < texts.length && texts[j] === texts[i]) j++;
    if (j - i >= MIN_RUN) out.push(`${texts[i]} ×${j - i}`);
    else out.push(...texts.slice(i, j));
    i = j;
  }
  return out;
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
