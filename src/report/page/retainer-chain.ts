import { formatSize } from '../../model/size-format.js';
import type { RetainerFinding } from '../../analysis/verdict.js';
import { h } from './dom.js';
import { edgeLabel } from '../../snapshots/edge-label.js';
import { wrapperText } from '../../snapshots/wrapper-text.js';

type Step = RetainerFinding['steps'][number];

/**
 * Who keeps a suspect's objects alive, drawn as a chain of links from the program's own
 * code to the objects; the steps from the GC roots up to there are folded and open on click.
 */
export function retainerChain(retainer: RetainerFinding, suspectFile?: string): HTMLElement {
  const start = programStart(retainer.steps);
  const link = (step: Step, i: number) =>
    h('li', { class: `link link-${step.edgeType}` }, [
      h('span', { class: 'edge', text: edgeText(step, i) }),
      nodeText(step, retainer.steps[i + 1]) ? h('span', { class: 'node', text: nodeText(step, retainer.steps[i + 1]) }) : null,
    ]);
  const folded = retainer.steps.slice(0, start).map(link);
  const shown = retainer.steps.slice(start).map((step, i) => link(step, start + i));
  const chain = h('ol', { class: 'retainer-chain' }, shown);
  if (folded.length > 0) {
    const more = h('li', { class: 'link link-folded', tabindex: 0, role: 'button', title: 'show the path from the GC roots', text: `… ${folded.length} steps from the GC roots` });
    const open = () => {
      more.replaceWith(...folded);
    };
    more.addEventListener('click', open);
    more.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        open();
      }
    });
    chain.insertBefore(more, chain.firstChild);
  }
  const retained = retainer.retainedBytes !== undefined ? `, ${formatSize(retainer.retainedBytes)} retained` : '';
  const summary = `${Math.round(retainer.objectShare * 100)}% of the new objects (${retainer.objects}), ${formatSize(retainer.selfBytes)}${retained}`;
  const made = retainer.constructors.map((c) => `${c.name} ${formatSize(c.bytes)}`).join(', ');
  return h('div', { class: 'retainers-box' }, [
    h('h3', { text: 'Kept alive by (heap snapshots)' }),
    chain,
    h('p', { class: 'sub', text: made ? `${summary}; made of ${made}` : summary }),
    keeperLine(retainer.keptBy, suspectFile),
  ]);
}

/** Allocated in one file, held by code in another: the holder is likely the code to change. */
function keeperLine(keeper: RetainerFinding['keptBy'], suspectFile: string | undefined): HTMLElement | null {
  if (!keeper || keeper.file === suspectFile) return null;
  const where = keeper.line === undefined ? `in ${keeper.file}` : `at ${keeper.file}:${keeper.line}`;
  return h('p', { class: 'keeper', text: `Held by ${keeper.what} ${where}, not by the code that allocated them.` });
}

/** Where the program's own code starts: the function whose scope holds the first variable outside node: internals. */
function programStart(steps: Step[]): number {
  const owners = steps.flatMap((step, i) => (step.edgeType === 'context' && i >= 2 && steps[i - 1]!.edge === 'context' ? [i - 2] : []));
  const owner = owners.find((i) => steps[i]!.file !== undefined && !steps[i]!.file!.startsWith('node:')) ?? owners[0];
  return owner ?? 0;
}

function edgeText(step: Step, index: number): string {
  if (index === 0 && step.edgeType !== 'property') return '';
  return edgeLabel(step.edgeType, step.edge);
}

function nodeText(step: Step, next: Step | undefined): string {
  // A closure the path passed into a CommonJS module's top-level scope: that scope is the module.
  if (next?.moduleScope && step.file !== undefined) return `module ${step.file}`;
  // A wrapper (a once listener, a bound function, a timer) reads as the function it calls.
  if (step.wraps && step.wraps.kinds[0] !== 'node') return wrapperText(step.wraps);
  const at = step.file !== undefined ? ` at ${step.file}:${step.line}` : '';
  // A closure of Node's own that calls one of the program's: both.
  if (step.wraps) return `closure${step.node ? ` ${step.node}` : ''}${at} -> ${wrapperText(step.wraps)}`;
  if (step.nodeType === 'closure') return `closure${step.node ? ` ${step.node}` : ''}${at}`;
  if (step.nodeType.endsWith('string')) return 'string';
  if (!step.node || step.node.startsWith('system /')) return '';
  // The program's own classes show where they were written, as in the terminal; Node's internals do not.
  return step.node + (step.file !== undefined && !step.file.startsWith('node:') ? at : '');
}
