import type { ReportData } from '../report-data-types.js';
import { lineChart } from './charts.js';
import { cssVar } from './css-color.js';
import { h, panel, type Section } from './dom.js';

const PALETTE = ['--c-rss', '--c-external', '--c-heapUsed', '--c-arrayBuffers', '--c-nativeGap', '--c-heapTotal', '--accent', '--warn', '--muted'];

/** Handle counts by type (and open file descriptors) over time. */
export function handlesPanel(data: ReportData): Section {
  const handles = data.handles;
  const box = h('div', { class: 'chart', id: 'handles-chart' });
  return {
    section: panel('handles', 'Handles by type', 'Active handles and requests (timers, sockets, file requests) and open file descriptors.', [box]),
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
