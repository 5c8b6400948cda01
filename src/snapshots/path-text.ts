import type { RetainerStep } from './retainer-groups.js';
import type { SourceLocation } from './script-locations.js';

/**
 * A retainer path as one line a person reads, from the root side:
 * `Node / Environment -> ... -> _onTimeout (closure at src/jobs.ts:8) -> context -> cache (Map) -> table -> [] (Entry)`.
 * Not sanitised: the terminal renderer neutralises it, JSON keeps it raw.
 */
export function formatRetainerPath(path: RetainerStep[]): string {
  return path.map((step, i) => (i === 0 && step.edgeType !== 'property' ? nodeText(step) || step.edge : stepText(step))).join(' -> ');
}

export function formatLocation(location: SourceLocation): string {
  return `${location.file}:${location.line}`;
}

function stepText(step: RetainerStep): string {
  const edge = step.edge === '[]' || step.edge === '[key]' ? step.edge : step.edgeType === 'element' || step.edgeType === 'hidden' ? `[${step.edge}]` : step.edge;
  const node = nodeText(step);
  return node ? `${edge} (${node})` : edge;
}

function nodeText(step: RetainerStep): string {
  if (step.nodeType === 'closure') {
    const at = step.location ? ` at ${formatLocation(step.location)}` : '';
    return `${step.node ? `closure ${step.node}` : 'closure'}${at}`;
  }
  if (step.nodeType === 'string' || step.nodeType === 'concatenated string' || step.nodeType === 'sliced string') return 'string';
  if (!step.node || step.node.startsWith('system /')) return '';
  return step.node;
}
