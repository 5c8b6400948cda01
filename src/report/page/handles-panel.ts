import type { ReportData } from '../report-data-types.js';
import { lineChart } from './charts.js';
import { cssVar } from './css-color.js';
import { h, panel, type Section } from './dom.js';
import { siteLocation } from '../finding-format.js';
import { OPEN_FDS_TYPE } from '../../model/process.js';
import { functionName } from './text-format.js';

const PALETTE = ['--c-rss', '--c-external', '--c-heapUsed', '--c-arrayBuffers', '--c-nativeGap', '--c-heapTotal', '--accent', '--warn', '--muted'];

/** Handle counts by type (and open file descriptors) over time. */
export function handlesPanel(data: ReportData): Section {
  const handles = data.handles;
  const box = h('div', { class: 'chart', id: 'handles-chart' });
  return {
    section: panel('handles', 'Handles by type', 'Active handles and requests (timers, sockets, file requests) and open file descriptors.', [box, ...creationSites(data)]),
    draw: () => {
      if (handles.t.length === 0 || handles.series.length === 0) {
        box.appendChild(h('p', { class: 'empty', text: 'no handle counts recorded' }));
        return;
      }
      lineChart(
        box,
        220,
        handles.series.map((one, i) => ({ label: one.type, color: cssVar(PALETTE[i % PALETTE.length]!) })),
        [handles.t, ...handles.series.map((one) => one.values)],
        'count',
      );
    },
  };
}

/** Where the handles of growing types were created: the line to change. */
function creationSites(data: ReportData): HTMLElement[] {
  const created = data.verdict.handles.filter((handle) => handle.createdAt);
  if (created.length === 0) return [];
  return [
    h(
      'ul',
      { class: 'handle-sites' },
      created.map((handle) => {
        const site = handle.createdAt!;
        const parts: Array<HTMLElement | string> = [
          h('span', { class: 'type', text: handle.type }),
          handle.type === OPEN_FDS_TYPE ? ' opened at ' : ' created at ',
          h('span', { class: 'loc', text: `${siteLocation(site)}${site.function ? ` ${functionName(site.function)}()` : ''}` }),
          ` (${site.liveSampled} sampled still open)`,
        ];
        if (site.createdIn) parts.push(h('div', { class: 'allocated-in', text: `Created in ${functionName(site.createdIn.function)}() ${siteLocation(site.createdIn)} (${site.createdIn.package}, ${site.createdIn.basis === 'package.json' ? 'which your package.json does not list' : 'reached through the package your code called'})` }));
        if (site.calledFrom) parts.push(h('div', { class: 'called-from', text: `Called from your code at ${functionName(site.calledFrom.function)} (${siteLocation(site.calledFrom)})` }));
        return h('li', { class: handle.leak ? 'leak' : null }, parts);
      }),
    ),
  ];
}
