/**
 * The report page's script, bundled by esbuild into one inlined script (scripts/bundle-report-page.mjs)
 * that runs after uPlot's. It renders the embedded JSON (src/report/report-data.ts) and computes nothing.
 */
import type { ReportData } from '../report-data-types.js';
import { resizeCharts } from './charts.js';
import { comparePanel } from './compare-panel.js';
import { h } from './dom.js';
import { flamePanel } from './flame-panel.js';
import { handlesPanel } from './handles-panel.js';
import { memoryPanel } from './memory-panel.js';
import { nativePanel } from './native-panel.js';
import { processesPanel } from './processes-panel.js';
import { suspectsPanel } from './suspects-panel.js';
import { formatClock } from './text-format.js';
import { VERDICT_LABELS, verdictPanel } from './verdict-panel.js';

const data = JSON.parse(document.getElementById('heapsleuth-data')?.textContent ?? 'null') as ReportData;
const root = document.getElementById('report')!;
const v = data.verdict;

document.title = `heapsleuth: ${VERDICT_LABELS[v.verdict] || v.verdict} · ${v.service}`;
root.textContent = '';
root.appendChild(
  h('header', { class: 'top' }, [h('span', { class: 'brand', text: 'heapsleuth' }), h('span', { text: 'memory report' }), h('span', { class: 'spacer' }), h('span', { text: 'generated ' + formatClock(data.generatedAt) })]),
);
root.appendChild(verdictPanel(data));
root.appendChild(suspectsPanel(data));
const native = nativePanel(data);
if (native) root.appendChild(native);
const flame = flamePanel(data);
const sections = [memoryPanel(data), comparePanel(data), flame, handlesPanel(data)];
for (const one of sections) root.appendChild(one.section);
root.appendChild(processesPanel(data));
root.appendChild(h('footer', { text: 'Sizes are estimates from V8’s sampling heap profiler when sampled. Growth is a Theil–Sen slope; confidence is corrected for testing many sites.' }));
for (const one of sections) one.draw();

let resizeTimer = 0;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = window.setTimeout(() => {
    resizeCharts();
    flame.draw();
  }, 120);
});
document.documentElement.setAttribute('data-rendered', 'true');
