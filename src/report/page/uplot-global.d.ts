import type UPlot from 'uplot';

declare global {
  /** uPlot is inlined as its own script before the page's (src/report/html.ts), not bundled. */
  const uPlot: typeof UPlot;
}
