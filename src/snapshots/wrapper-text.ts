/**
 * How a wrapper on a retainer path reads (a `once` listener, a bound function, a timer's
 * callback), in the terminal, the JSON's `keptBy` and the HTML report alike. No imports:
 * the report page bundles it.
 */
export interface WrapsText {
  /** Outermost first: `["timer", "bind"]` for `setTimeout(fn.bind(obj))`. */
  kinds: string[];
  /** The wrapped function's name, empty when it has none. */
  function: string;
  file?: string;
  line?: number;
}

const HOP: Record<string, string> = { once: 'once', bind: 'bound', timer: 'Timeout', immediate: 'Immediate', listener: 'Listener' };
const WHAT: Record<string, string> = { once: 'once listener', bind: 'bound function', timer: 'timer callback', immediate: 'immediate callback', listener: 'event listener', node: 'closure' };

/**
 * `(once) -> onTimeout at lib/pool.js:12`, `(Timeout) -> (bound) -> flush at src/app.js:30`.
 * A closure of Node's own (`node`) has no hop of its own: it is shown as the closure it is.
 */
export function wrapperText(wraps: WrapsText): string {
  const hops = wraps.kinds.filter((kind) => kind !== 'node').map((kind) => `(${HOP[kind] ?? kind})`);
  const name = wraps.function || 'closure';
  const at = wraps.file !== undefined ? ` at ${wraps.file}:${wraps.line}` : '';
  return [...hops, `${name}${at}`].join(' -> ');
}

/** What holds the objects, named by the outermost wrapper: `once listener onTimeout`, `timer callback`. */
export function wrapperWhat(wraps: WrapsText): string {
  const kind = wraps.kinds[0] ?? '';
  return `${WHAT[kind] ?? kind}${wraps.function ? ` ${wraps.function}` : ''}`;
}
