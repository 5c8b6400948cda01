import type { AllocationSeries, GroupSeries } from '../analysis/series.js';
import type { NativeJsSide, Suspect } from '../analysis/verdict.js';

/** Below this, growing together is not shown as a tie. */
const MIN_CORRELATION = 0.8;
const MIN_POINTS = 4;

/**
 * The JS side of a native stack that ends in JIT code (native unwinding stops at the first
 * JavaScript frame): the JS suspects whose live bytes grow in step with the native site's,
 * by correlation of the two series at the allocator dumps' times (each JS value is the
 * latest JS sample at or before the dump, in the same process). Best tie first.
 */
export function jsSideOf(
  native: { times: Float64Array[]; bytes: Float64Array[] },
  js: AllocationSeries,
  jsSuspects: readonly Suspect[],
  limit = 3,
): NativeJsSide[] {
  const ties: NativeJsSide[] = [];
  for (const suspect of jsSuspects) {
    if (suspect.keyType === 'handle') continue;
    const group = js.lineno.find((candidate) => sameSite(candidate, suspect));
    if (!group) continue;
    const pairs = pairsAtDumps(native, js.times, group.bytes);
    const correlation = pearson(pairs);
    if (pairs.length >= MIN_POINTS && correlation >= MIN_CORRELATION) {
      ties.push({ file: suspect.file, line: suspect.line, function: suspect.function, correlation });
    }
  }
  return ties.sort((a, b) => b.correlation - a.correlation).slice(0, limit);
}

function sameSite(group: GroupSeries, suspect: Suspect): boolean {
  const site = group.site;
  if (site.line !== suspect.line || site.functionName !== suspect.function) return false;
  return site.file === suspect.file || site.file.endsWith(`/${suspect.file}`) || suspect.file.endsWith(`/${site.file}`);
}

/** (native bytes, JS bytes) at each dump, per process lifetime (segment); dumps before the first JS sample are left out. */
function pairsAtDumps(native: { times: Float64Array[]; bytes: Float64Array[] }, jsTimes: Float64Array[], jsBytes: Float64Array[]): [number, number][] {
  const pairs: [number, number][] = [];
  native.times.forEach((times, segment) => {
    const ownTimes = jsTimes[segment];
    const own = jsBytes[segment];
    if (!ownTimes || !own) return;
    let j = -1;
    for (let i = 0; i < times.length; i++) {
      while (j + 1 < ownTimes.length && ownTimes[j + 1]! <= times[i]!) j++;
      if (j >= 0) pairs.push([native.bytes[segment]![i]!, own[j]!]);
    }
  });
  return pairs;
}

function pearson(pairs: readonly [number, number][]): number {
  const n = pairs.length;
  if (n < 2) return 0;
  let sx = 0;
  let sy = 0;
  for (const [x, y] of pairs) {
    sx += x;
    sy += y;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const [x, y] of pairs) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
    syy += (y - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}
