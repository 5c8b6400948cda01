import type { ReportData } from '../report-data-types.js';
import { lineChart } from './charts.js';
import { alpha, cssVar } from './css-color.js';
import { h, panel, type Section } from './dom.js';
import { markersPlugin } from './markers-plugin.js';

/** Process memory over time, with major GCs and restarts marked. */
export function memoryPanel(data: ReportData): Section {
  const m = data.memory;
  const box = h('div', { class: 'chart', id: 'memory-chart' });
  const restarts = data.restarts.length > 0;
  const note = h('div', { class: 'legend-note' }, [h('span', { class: 'tick' }), 'major garbage collections', restarts ? h('span', { class: 'dash' }) : null, restarts ? 'restarts' : null]);
  const sub = 'RSS, V8 heap, external memory and ArrayBuffers; the native gap is RSS that neither the heap nor external memory accounts for. Drag to zoom, double-click to reset.';
  return {
    section: panel('memory', 'Memory over time', sub, [box, note]),
    draw: () => {
      if (m.t.length === 0) {
        box.appendChild(h('p', { class: 'empty', text: 'no samples' }));
        return;
      }
      const rss = cssVar('--c-rss');
      lineChart(
        box,
        340,
        [
          { label: 'RSS', color: rss, width: 2.25, fill: alpha(rss, 0.07) },
          { label: 'heap total', color: cssVar('--c-heapTotal'), dash: [5, 4] },
          { label: 'heap used', color: cssVar('--c-heapUsed'), width: 2 },
          { label: 'external', color: cssVar('--c-external') },
          { label: 'ArrayBuffers', color: cssVar('--c-arrayBuffers'), width: 1.25 },
          { label: 'native gap', color: cssVar('--c-nativeGap'), dash: [2, 3] },
        ],
        [m.t, m.rss, m.heapTotal, m.heapUsed, m.external, m.arrayBuffers, m.nativeGap],
        'size',
        [markersPlugin(m, data.restarts)],
      );
    },
  };
}
