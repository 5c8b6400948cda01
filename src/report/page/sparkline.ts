import { h } from './dom.js';
import { alpha, pxRatio } from './css-color.js';

/** A small filled line of `values` on a canvas, for a table cell. */
export function sparkline(values: number[], width: number, height: number, color: string): HTMLCanvasElement {
  const canvas = h('canvas', { class: 'spark', width: Math.round(width * pxRatio), height: Math.round(height * pxRatio), role: 'img', 'aria-label': 'live bytes over time' });
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext('2d');
  if (!ctx) return canvas;
  const min = Math.min(...values);
  const max = Math.max(...values);
  const range = max - min || 1;
  const pad = 2 * pxRatio;
  const w = canvas.width - 2 * pad;
  const hh = canvas.height - 2 * pad;
  const xy = (v: number, i: number): [number, number] => [pad + (values.length > 1 ? (i / (values.length - 1)) * w : w / 2), pad + hh - ((v - min) / range) * hh];
  const trace = () => {
    ctx.beginPath();
    values.forEach((v, i) => {
      const [x, y] = xy(v, i);
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    });
    if (values.length < 2) {
      const [, y] = xy(values[0] ?? 0, 0);
      ctx.moveTo(pad, y);
      ctx.lineTo(pad + w, y);
    }
  };
  trace();
  ctx.lineTo(pad + w, pad + hh);
  ctx.lineTo(pad, pad + hh);
  ctx.closePath();
  ctx.fillStyle = alpha(color, 0.15);
  ctx.fill();
  trace();
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.5 * pxRatio;
  ctx.stroke();
  return canvas;
}
