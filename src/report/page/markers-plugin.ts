import type UPlot from 'uplot';
import type { ReportData } from '../report-data-types.js';
import { cssVar, pxRatio } from './css-color.js';

/** Draws major garbage collections (ticks at the top, taller for more) and restarts (dashed lines) over the memory chart. */
export function markersPlugin(memory: ReportData['memory'], restarts: ReportData['restarts']): UPlot.Plugin {
  return {
    hooks: {
      draw: [
        (u) => {
          const ctx = u.ctx;
          const top = u.bbox.top;
          const bottom = u.bbox.top + u.bbox.height;
          const r = uPlot.pxRatio || pxRatio;
          ctx.save();
          ctx.fillStyle = cssVar('--gc');
          const peak = Math.max(...memory.majorGcs, 1);
          memory.t.forEach((t, i) => {
            const n = memory.majorGcs[i];
            if (!n) return;
            const x = u.valToPos(t, 'x', true);
            const tall = (4 + (10 * n) / peak) * r;
            ctx.fillRect(x - r, top, 2 * r, tall);
          });
          ctx.strokeStyle = cssVar('--leak');
          ctx.fillStyle = cssVar('--leak');
          ctx.lineWidth = 1.5 * r;
          ctx.setLineDash([6 * r, 4 * r]);
          ctx.font = `${11 * r}px ${cssVar('--sans')}`;
          for (const restart of restarts) {
            const x = u.valToPos(restart.t, 'x', true);
            ctx.beginPath();
            ctx.moveTo(x, top);
            ctx.lineTo(x, bottom);
            ctx.stroke();
            ctx.fillText(`restart: pid ${restart.pid}`, x + 5 * r, top + 12 * r);
          }
          ctx.restore();
        },
      ],
    },
  };
}
