import type { RangeSeries } from './prometheus-api.js';

const DAY_MS = 86_400_000;
/** Below this span a day's cycle cannot be told from a trend: series are left as they are. */
export const MIN_SPAN_FOR_DAILY_CYCLE_MS = 2 * DAY_MS;

/**
 * A series with its daily cycle taken out. Traffic rises and falls every day and live
 * memory, sites and handles follow it; a process that lives one to three days starts and
 * ends at arbitrary hours, so within a lifetime the cycle looks like a rise or a fall, and
 * pooled over a fleet's hundreds of lifetimes those pass the trend test. The fit: each
 * lifetime its own level and slope (a leak is a slope within a lifetime, so it stays), and
 * one 24 h and one 12 h harmonic shared by the lifetimes of the series, estimated after
 * removing each lifetime's line from both the values and the harmonics (Frisch-Waugh).
 * Only the harmonics are subtracted.
 *
 * `lifetimeOf` names the lifetime of each point (the process start time).
 */
export function withoutDailyCycle(series: RangeSeries, lifetimeOf: (time: number) => number, designs?: DailyCycleDesigns): RangeSeries {
  const { times, values } = series;
  const n = times.length;
  if (n < 8 || times[n - 1]! - times[0]! < MIN_SPAN_FOR_DAILY_CYCLE_MS) return series;
  const design = designs?.of(times, lifetimeOf) ?? dailyCycleDesign(times, lifetimeOf);
  if (!design.solvable) return series;
  const { harmonics, residualX, lifetimeEnds } = design;
  // Residuals of y around each lifetime's least-squares line.
  const y = Float64Array.from(values);
  const residualY = new Float64Array(n);
  let from = 0;
  for (const to of lifetimeEnds) {
    detrend(times, from, to, y, residualY);
    from = to;
  }
  // Normal equations of residualY ~ residualX.
  const b = new Float64Array(COLUMNS);
  for (let j = 0; j < COLUMNS; j++) {
    const xj = residualX[j]!;
    for (let i = 0; i < n; i++) b[j]! += xj[i]! * residualY[i]!;
  }
  const coefficients = solve(design.a, b);
  if (!coefficients) return series;
  return {
    labels: series.labels,
    times,
    values: values.map((value, i) => {
      let cycle = 0;
      for (let k = 0; k < COLUMNS; k++) cycle += coefficients[k]! * harmonics[k]![i]!;
      return value - cycle;
    }),
  };
}

const COLUMNS = 4;

/** What the fit of a series depends on besides its values: its times and lifetimes. */
interface DailyCycleDesign {
  times: readonly number[];
  /** sin and cos of the 24 h and the 12 h cycle at each point. */
  harmonics: Float64Array[];
  /** The harmonics around each lifetime's least-squares line. */
  residualX: Float64Array[];
  /** The index after each lifetime's last point. */
  lifetimeEnds: number[];
  /** residualX' residualX. */
  a: Float64Array[];
  solvable: boolean;
}

function dailyCycleDesign(times: readonly number[], lifetimeOf: (time: number) => number): DailyCycleDesign {
  const n = times.length;
  const harmonics = Array.from({ length: COLUMNS }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    const angle = (2 * Math.PI * times[i]!) / DAY_MS;
    harmonics[0]![i] = Math.sin(angle);
    harmonics[1]![i] = Math.cos(angle);
    harmonics[2]![i] = Math.sin(2 * angle);
    harmonics[3]![i] = Math.cos(2 * angle);
  }
  const lifetimeEnds: number[] = [];
  let lifetime = lifetimeOf(times[0]!);
  for (let i = 1; i <= n; i++) {
    const next = i < n ? lifetimeOf(times[i]!) : NaN;
    if (i < n && next === lifetime) continue;
    lifetimeEnds.push(i);
    lifetime = next;
  }
  const residualX = Array.from({ length: COLUMNS }, () => new Float64Array(n));
  let from = 0;
  for (const to of lifetimeEnds) {
    for (let k = 0; k < COLUMNS; k++) detrend(times, from, to, harmonics[k]!, residualX[k]!);
    from = to;
  }
  const a = Array.from({ length: COLUMNS }, () => new Float64Array(COLUMNS));
  for (let j = 0; j < COLUMNS; j++) {
    for (let k = j; k < COLUMNS; k++) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += residualX[j]![i]! * residualX[k]![i]!;
      a[j]![k] = sum;
      a[k]![j] = sum;
    }
  }
  return { times, harmonics, residualX, lifetimeEnds, a, solvable: solve(a, new Float64Array(COLUMNS)) !== undefined };
}

/**
 * The designs of one instance's series. Its series mostly share the same times, and the
 * harmonics, the lifetimes' lines through them and their cross products were most of the
 * fit's work: each is computed once per distinct times.
 */
export class DailyCycleDesigns {
  private readonly designs: DailyCycleDesign[] = [];

  of(times: readonly number[], lifetimeOf: (time: number) => number): DailyCycleDesign {
    const found = this.designs.find((design) => sameTimes(design.times, times));
    if (found) return found;
    const design = dailyCycleDesign(times, lifetimeOf);
    this.designs.push(design);
    return design;
  }
}

function sameTimes(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Writes y - (least-squares line through y over times[from..to)) into out[from..to). */
function detrend(times: readonly number[], from: number, to: number, y: Float64Array, out: Float64Array): void {
  const count = to - from;
  let meanT = 0;
  let meanY = 0;
  for (let i = from; i < to; i++) {
    meanT += times[i]!;
    meanY += y[i]!;
  }
  meanT /= count;
  meanY /= count;
  let stt = 0;
  let sty = 0;
  for (let i = from; i < to; i++) {
    stt += (times[i]! - meanT) ** 2;
    sty += (times[i]! - meanT) * (y[i]! - meanY);
  }
  const slope = stt > 0 ? sty / stt : 0;
  for (let i = from; i < to; i++) out[i] = y[i]! - meanY - slope * (times[i]! - meanT);
}

/** Gaussian elimination with partial pivoting; undefined when singular. */
function solve(a: Float64Array[], b: Float64Array): Float64Array | undefined {
  const n = b.length;
  const m = a.map((row) => Float64Array.from(row));
  const x = Float64Array.from(b);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let row = col + 1; row < n; row++) if (Math.abs(m[row]![col]!) > Math.abs(m[pivot]![col]!)) pivot = row;
    if (Math.abs(m[pivot]![col]!) < 1e-9) return undefined;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    [x[col], x[pivot]] = [x[pivot]!, x[col]!];
    for (let row = col + 1; row < n; row++) {
      const factor = m[row]![col]! / m[col]![col]!;
      for (let k = col; k < n; k++) m[row]![k]! -= factor * m[col]![k]!;
      x[row]! -= factor * x[col]!;
    }
  }
  for (let col = n - 1; col >= 0; col--) {
    let sum = x[col]!;
    for (let k = col + 1; k < n; k++) sum -= m[col]![k]! * x[k]!;
    x[col] = sum / m[col]![col]!;
  }
  return x;
}
