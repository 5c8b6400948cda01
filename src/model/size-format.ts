const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/**
 * A byte size the way tracemalloc prints it: one decimal below 100 of a unit
 * (`15.3 KiB`), whole numbers otherwise (`1840 KiB`), with `+`/`-` when `signed`.
 */
export function formatSize(bytes: number, signed = false): string {
  let size = bytes;
  for (const unit of UNITS) {
    if (Math.abs(size) < 100 && unit !== 'B') return withSign(size, Math.abs(size).toFixed(1), signed) + ` ${unit}`;
    if (Math.abs(size) < 10 * 1024 || unit === 'TiB') return withSign(size, Math.abs(size).toFixed(0), signed) + ` ${unit}`;
    size /= 1024;
  }
  return `${bytes} B`;
}

function withSign(value: number, magnitude: string, signed: boolean): string {
  const isZero = /^0(\.0)?$/.test(magnitude);
  if (value < 0 && !isZero) return `-${magnitude}`;
  return signed ? `+${magnitude}` : magnitude;
}

/** An estimated count, rounded, with a sign when asked. */
export function formatCount(count: number, signed = false): string {
  const rounded = Math.round(count) || 0;
  return signed && rounded >= 0 ? `+${rounded}` : String(rounded);
}
