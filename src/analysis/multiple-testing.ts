/**
 * Benjamini-Hochberg adjusted p-values (q-values), in the order given: a finding whose
 * adjusted p-value is at most q belongs to a set whose expected share of false
 * discoveries is at most q. Equals Bonferroni for the smallest p-value, plain p for the
 * largest.
 */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((_, i) => i).sort((a, b) => pValues[a]! - pValues[b]!);
  const adjusted = new Array<number>(m);
  let running = 1;
  for (let rank = m; rank >= 1; rank--) {
    const index = order[rank - 1]!;
    running = Math.min(running, (pValues[index]! * m) / rank);
    adjusted[index] = running;
  }
  return adjusted;
}
