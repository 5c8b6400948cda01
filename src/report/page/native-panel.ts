import { formatSize } from '../../model/size-format.js';
import { formatConfidence, formatRate } from '../finding-format.js';
import type { ReportData } from '../report-data-types.js';
import { h, panel } from './dom.js';

/** Native suspects (library, function) and fragmentation from allocator dumps (`run --native`); nothing without dumps. */
export function nativePanel(data: ReportData): HTMLElement | null {
  const v = data.verdict;
  if (!v.native) return null;
  const children: HTMLElement[] = [];
  if (v.native.fragmentation) {
    children.push(
      h('p', { class: 'fragmentation', text: `RSS grows ${formatRate(v.process.rss.growthBytesPerHour)} while live native allocations do not (${formatSize(v.native.liveBytes.lastBytes)} now): fragmentation, not a leak.` }),
      h('p', { class: 'sub', text: `What helps: ${v.native.advice ?? ''}` }),
    );
  }
  const suspects = v.nativeSuspects ?? [];
  if (suspects.length === 0 && !v.native.fragmentation) {
    children.push(h('p', { class: 'empty', text: `No native allocation site grows (${v.native.dumps} allocator dumps; live native allocations ${formatSize(v.native.liveBytes.lastBytes)}).` }));
  }
  if (suspects.length > 0) {
    const rows = suspects.map((suspect) =>
      h('tr', { class: 'native-suspect' }, [
        h('td', { class: 'num', text: suspect.rank }),
        h('td', { class: 'site' }, [
          h('div', { class: 'fn', text: suspect.function }),
          h('div', { class: 'loc', text: suspect.library }),
          h('div', {
            class: 'loc',
            text:
              (callers(suspect.stack).length > 0 ? 'called from ' + callers(suspect.stack).join(' ← ') : '') +
              (suspect.calledFromJavaScript ? ' (the native stack ends where JavaScript called in)' : ''),
          }),
          ...(suspect.via?.length ? [h('div', { class: 'loc', text: 'allocates through ' + [...suspect.via].reverse().map((frame) => frame.function).join(' → ') })] : []),
          ...(suspect.stripped ? [h('div', { class: 'loc', text: 'stripped library: only offsets, no function names' })] : []),
          ...(suspect.javascript?.length
            ? [h('div', { class: 'loc', text: 'JavaScript side, growing in step: ' + suspect.javascript.map((tie) => `${tie.function || '(anonymous)'} (${tie.file}:${tie.line}) r=${tie.correlation.toFixed(2)}`).join(', ') })]
            : []),
        ]),
        h('td', { class: 'num rate', text: formatRate(suspect.growthBytesPerHour) }),
        h('td', { class: 'num', text: formatConfidence(suspect.confidence) }),
        h('td', { class: 'num', text: formatSize(suspect.liveBytes) }),
      ]),
    );
    const headings: Array<[string, string | null]> = [
      ['#', 'num'],
      ['Function and library', null],
      ['Growth', 'num'],
      ['Confidence', 'num'],
      ['Live now', 'num'],
    ];
    children.push(
      h('table', { id: 'native-table' }, [h('thead', null, [h('tr', null, headings.map(([text, className]) => h('th', { class: className, text })))]), h('tbody', null, rows)]),
    );
  }
  return panel('native', 'Native memory', 'From jemalloc’s heap profile dumps (run --native): native allocation sites whose live memory grows, by library and function.', children);
}

/** The callers of the blamed frame, without the marker of JavaScript (said in words instead). */
function callers(stack: { library: string; function: string }[]): string[] {
  return stack.slice(1).filter((frame) => frame.library !== '<jit>').map((frame) => frame.function);
}
