import type { ReportData } from '../report-data-types.js';
import { h, panel } from './dom.js';
import { formatClock } from './text-format.js';

const HEADINGS = ['Recording', 'pid', 'Host', 'Command', 'Started', 'Samples', 'Ended'];

/** The recordings the report was made from. */
export function processesPanel(data: ReportData): HTMLElement {
  const rows = data.processes.map((p) =>
    h('tr', null, [
      h('td', { class: 'mono', text: p.source }),
      h('td', { class: 'num', text: p.pid }),
      h('td', { text: p.hostname }),
      h('td', { class: 'mono', text: p.argv.join(' ') }),
      h('td', { text: formatClock(p.startTime) }),
      h('td', { class: 'num', text: p.samples }),
      h('td', { text: p.ended === null ? 'no end line (killed or still running)' : p.ended }),
    ]),
  );
  return panel('processes', 'Recordings', null, [
    h('table', null, [
      h('thead', null, [h('tr', null, HEADINGS.map((text, i) => h('th', { class: i === 1 || i === 5 ? 'num' : null, text })))]),
      h('tbody', null, rows),
    ]),
  ]);
}
