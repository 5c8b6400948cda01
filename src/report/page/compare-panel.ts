import { formatCount, formatSize } from '../../model/size-format.js';
import { siteLocation } from '../finding-format.js';
import type { ReportData } from '../report-data-types.js';
import { h, panel, type Section } from './dom.js';
import { formatClock, functionName } from './text-format.js';

type CompareKey = 'filename' | 'lineno' | 'function';

const KEYS: Array<[CompareKey, string]> = [
  ['filename', 'File'],
  ['lineno', 'Line'],
  ['function', 'Function'],
];
const FIRST_ROWS = 20;

/** tracemalloc's compare_to between the first and last sample, grouped by file, line or function (tabs). */
export function comparePanel(data: ReportData): Section {
  const compare = data.compare;
  if (!compare) return { section: panel('compare', 'Compare to start', null, [h('p', { class: 'empty', text: 'no samples' })]), draw: () => {} };
  let current: CompareKey = 'lineno';
  let limit = FIRST_ROWS;
  const tabs = h('div', { class: 'tabs', role: 'tablist' });
  const holder = h('div');
  const countLabel = compare.sampled ? 'Samples' : 'Count';
  const render = () => {
    const rows = compare.rows[current];
    const peak = Math.max(...rows.map((r) => Math.abs(r.sizeDiff)), 1);
    const body = h(
      'tbody',
      null,
      rows.slice(0, limit).map((r) => {
        const width = Math.round((Math.abs(r.sizeDiff) / peak) * 50);
        const label = current === 'filename' ? r.file || '(native)' : siteLocation(r);
        return h('tr', null, [
          h('td', { class: 'site' }, [h('div', { class: 'loc', text: label }), current !== 'filename' ? h('div', { class: 'fn', text: functionName(r.function) + '()' }) : null]),
          h('td', { class: 'num', text: formatSize(r.size) }),
          h('td', { class: 'num ' + (r.sizeDiff > 0 ? 'rate' : r.sizeDiff < 0 ? 'neg' : ''), text: formatSize(r.sizeDiff, true) }),
          h('td', { class: 'num', text: formatCount(r.count) }),
          h('td', { class: 'num', text: formatCount(r.countDiff, true) }),
          h('td', null, [h('div', { class: 'bar' }, [h('span', { class: r.sizeDiff >= 0 ? 'up' : 'down', style: 'width:' + width + '%' })])]),
        ]);
      }),
    );
    const keyHeading = KEYS.find(([key]) => key === current)![1];
    holder.textContent = '';
    holder.appendChild(
      h('table', { id: 'compare-table', 'data-key': current }, [
        h('thead', null, [
          h('tr', null, [
            h('th', { text: keyHeading }),
            h('th', { class: 'num', text: 'Size' }),
            h('th', { class: 'num', text: 'Change' }),
            h('th', { class: 'num', text: countLabel }),
            h('th', { class: 'num', text: 'Change' }),
            h('th', { text: '' }),
          ]),
        ]),
        body,
      ]),
    );
    if (rows.length > limit) {
      holder.appendChild(
        h('button', {
          class: 'more',
          type: 'button',
          text: 'Show all ' + rows.length,
          onclick: () => {
            limit = Infinity;
            render();
          },
        }),
      );
    }
    if (rows.length === 0) holder.appendChild(h('p', { class: 'empty', text: 'nothing live' }));
    for (const button of Array.from(tabs.children)) button.setAttribute('aria-selected', button.getAttribute('data-key') === current ? 'true' : 'false');
  };
  for (const [key, label] of KEYS) {
    tabs.appendChild(
      h('button', {
        type: 'button',
        role: 'tab',
        'data-key': key,
        text: label,
        onclick: () => {
          current = key;
          limit = FIRST_ROWS;
          render();
        },
      }),
    );
  }
  render();
  const sub = `Live memory at the last sample against the first one of pid ${compare.pid} (${formatClock(compare.from)} → ${formatClock(compare.to)}), as tracemalloc’s compare_to, biggest change first.`;
  return { section: panel('compare', 'Compare to start', sub, [tabs, holder]), draw: () => {} };
}
