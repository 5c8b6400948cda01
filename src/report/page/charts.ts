import type UPlot from 'uplot';
import { formatSize } from '../../model/size-format.js';
import { cssVar } from './css-color.js';

/** Every chart drawn, to resize with the window. */
const charts: Array<{ chart: UPlot; container: HTMLElement }> = [];

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
// Tick steps that fall on round binary sizes (20 MiB, not 19.1 MiB) or whole counts.
const STEPS = [1, 2, 4, 5, 10, 20, 25, 50, 100, 200, 250, 500];
const SIZE_INCRS = UNITS.flatMap((_, k) => STEPS.map((m) => m * Math.pow(1024, k)));
const COUNT_INCRS = Array.from({ length: 9 }, (_, e) => [1, 2, 5].map((m) => m * Math.pow(10, e))).flat();

export type ChartKind = 'size' | 'count';

export interface ChartSeries {
  label: string;
  color: string;
  width?: number;
  dash?: number[];
  fill?: string;
}

/** Axis labels in one binary unit for the whole axis: `0 MiB`, `2.5 MiB`, `5 MiB`. */
function sizeTicks(_u: UPlot, values: number[]): string[] {
  const max = Math.max(0, ...values.map(Math.abs));
  let unit = 0;
  while (unit < UNITS.length - 1 && max >= 1024 * Math.pow(1024, unit)) unit++;
  const scale = Math.pow(1024, unit);
  return values.map((value) => `${Math.round((value / scale) * 10) / 10} ${UNITS[unit]}`);
}

function countTicks(_u: UPlot, values: number[]): string[] {
  return values.map((value) => String(Math.round(value)));
}

function axes(kind: ChartKind): UPlot.Axis[] {
  const muted = cssVar('--muted');
  const grid = cssVar('--grid');
  const font = `12px ${cssVar('--sans')}`;
  return [
    { stroke: muted, font, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } },
    {
      stroke: muted,
      font,
      grid: { stroke: grid, width: 1 },
      ticks: { stroke: grid, width: 1 },
      size: 72,
      incrs: kind === 'size' ? SIZE_INCRS : COUNT_INCRS,
      values: kind === 'size' ? sizeTicks : countTicks,
    },
  ];
}

/** A time-series line chart in `container`; `columns` are uPlot's: times (epoch seconds), then one column per series. */
export function lineChart(
  container: HTMLElement,
  height: number,
  series: ChartSeries[],
  columns: Array<Array<number | null>>,
  kind: ChartKind,
  plugins: UPlot.Plugin[] = [],
): UPlot {
  const format = kind === 'size' ? (x: number) => formatSize(x) : (x: number) => String(Math.round(x));
  const options: UPlot.Options = {
    width: Math.max(280, container.clientWidth),
    height,
    cursor: { drag: { x: true, y: false } },
    scales: { x: { time: true } },
    axes: axes(kind),
    series: [
      {},
      ...series.map((one): UPlot.Series => ({
        label: one.label,
        stroke: one.color,
        width: one.width || 1.75,
        dash: one.dash,
        fill: one.fill,
        points: { show: (columns[0]?.length ?? 0) < 60 },
        spanGaps: false,
        value: (_u, v) => (v === null || v === undefined ? '–' : format(v)),
      })),
    ],
    plugins,
  };
  const chart = new uPlot(options, columns as UPlot.AlignedData, container);
  charts.push({ chart, container });
  return chart;
}

/** Fits every chart to its container's new width. */
export function resizeCharts(): void {
  for (const { chart, container } of charts) chart.setSize({ width: Math.max(280, container.clientWidth), height: chart.height });
}
