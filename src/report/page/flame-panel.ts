import { formatSize } from '../../model/size-format.js';
import { siteLocation } from '../finding-format.js';
import type { FlameNode, ReportData } from '../report-data-types.js';
import { h, panel, svgNode, type Section } from './dom.js';
import { formatClock } from './text-format.js';

const ROW = 20;

/** Frame colors: warm hues by file for the user's code, purple node_modules, grey Node internals. */
function colorOf(node: FlameNode, root: FlameNode): string {
  if (node === root) return '#b8c0cc';
  const file = node.file || '';
  if (file === '' || file.startsWith('node:')) return 'hsl(215, 18%, 72%)';
  if (file.includes('node_modules/')) return 'hsl(262, 48%, 76%)';
  let hash = 0;
  for (let i = 0; i < file.length; i++) hash = (hash * 31 + file.charCodeAt(i)) | 0;
  return `hsl(${8 + (Math.abs(hash) % 38)}, 82%, ${64 + (Math.abs(hash >> 8) % 10)}%)`;
}

/** The frames from `from` down to `target` (excluding `from`), or none when `target` is not below it. */
function pathBelow(from: FlameNode, target: FlameNode): FlameNode[] {
  let found: FlameNode[] | null = null;
  const walk = (node: FlameNode, trail: FlameNode[]): void => {
    if (found) return;
    if (node === target) {
      found = trail;
      return;
    }
    for (const child of node.children) walk(child, [...trail, child]);
  };
  walk(from, []);
  return found ?? [];
}

/** An icicle of the live allocations at the last sample; a click on a frame zooms into it, the bar above zooms out. */
export function flamePanel(data: ReportData): Section {
  const flame = data.flame;
  if (!flame || flame.root.value <= 0) return { section: panel('flame', 'Live allocations', null, [h('p', { class: 'empty', text: 'no live allocations sampled' })]), draw: () => {} };
  const root = flame.root;
  const bar = h('div', { class: 'flame-bar' });
  const box = h('div', { id: 'flame' });
  let path: FlameNode[] = [root];
  const draw = (): void => {
    const focus = path[path.length - 1]!;
    const width = Math.max(280, box.clientWidth);
    const cells: Array<{ node: FlameNode; x: number; w: number; level: number }> = [];
    let depth = 0;
    const layout = (node: FlameNode, x: number, w: number, level: number): void => {
      cells.push({ node, x, w, level });
      depth = Math.max(depth, level);
      let cx = x;
      for (const child of node.children) {
        const cw = (w * child.value) / node.value;
        if (cw >= 2) layout(child, cx, cw, level + 1);
        cx += cw;
      }
    };
    layout(focus, 0, width, 0);
    const icicle = svgNode('svg', { class: 'flame', width, height: (depth + 1) * ROW, viewBox: `0 0 ${width} ${(depth + 1) * ROW}`, role: 'img' });
    for (const { node, x, w, level } of cells) {
      const g = svgNode('g');
      const title = svgNode('title');
      const share = ((100 * node.value) / root.value).toFixed(1);
      title.textContent = `${node.name}${node.file ? ` (${siteLocation(node)})` : ''}: ${formatSize(node.value)} live, ${share}%`;
      g.appendChild(title);
      g.appendChild(svgNode('rect', { x, y: level * ROW, width: Math.max(0, w), height: ROW - 1, rx: 2, fill: colorOf(node, root) }));
      const chars = Math.floor((w - 8) / 7);
      if (chars >= 3) {
        const label = node === root ? `${node.name} · ${formatSize(node.value)}` : node.name;
        const text = svgNode('text', { x: x + 4, y: level * ROW + 14 });
        text.textContent = label.length > chars ? label.slice(0, chars - 1) + '…' : label;
        g.appendChild(text);
      }
      g.addEventListener('click', () => {
        const at = path.indexOf(node);
        if (at >= 0) path = path.slice(0, Math.max(1, at + (node === focus ? 0 : 1)));
        else path = path.concat(pathBelow(focus, node));
        draw();
      });
      icicle.appendChild(g);
    }
    box.textContent = '';
    box.appendChild(icicle);
    bar.textContent = '';
    bar.appendChild(document.createTextNode(path.length > 1 ? 'Zoomed into:' : 'Click a frame to zoom in.'));
    if (path.length > 1) {
      path.forEach((node, i) => {
        const zoomOut = () => {
          path = path.slice(0, i + 1);
          draw();
        };
        bar.appendChild(h('button', { type: 'button', title: node.name, text: i === 0 ? 'all' : node.name, onclick: zoomOut }));
      });
    }
  };
  const sub = `Where the memory that is live at the last sample (${formatClock(flame.takenAt)}, pid ${flame.pid}) was allocated: outermost call at the top, width by live bytes. Warm colors are your code, purple node_modules, grey Node internals.`;
  return { section: panel('flame', 'Live allocations at the last sample', sub, [bar, box]), draw };
}
