const BARS = '▁▂▃▄▅▆▇█';

/**
 * The last `width` values as unicode bars scaled between their minimum and maximum;
 * a flat series is a flat line of the lowest bar.
 */
export function sparkline(values: readonly number[], width: number): string {
  const shown = values.slice(Math.max(0, values.length - width)).filter((value) => Number.isFinite(value));
  if (shown.length === 0 || width <= 0) return '';
  const min = Math.min(...shown);
  const range = Math.max(...shown) - min;
  return shown.map((value) => BARS[range > 0 ? Math.round(((value - min) / range) * (BARS.length - 1)) : 0]).join('');
}
