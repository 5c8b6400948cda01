// Two alarms people use instead of a detective, run over the same process samples.
// Each returns the index of the first sample that raises the alarm, or -1.

/**
 * memwatch's heuristic: the heap after GC grew in `consecutive` (5) samples in a row. Every
 * heapsleuth tick with the inspector sampler follows a full GC, so heapUsed is "after GC".
 */
export function consecutiveGrowthAlarm(values, consecutive = 5) {
  let run = 0;
  for (let i = 1; i < values.length; i++) {
    run = values[i] > values[i - 1] ? run + 1 : 0;
    if (run >= consecutive) return i;
  }
  return -1;
}

/** A threshold alert: the value exceeds its first value by more than `ratio` (20%). */
export function growthOverFirstAlarm(values, ratio = 0.2) {
  const first = values[0];
  if (first === undefined) return -1;
  return values.findIndex((value) => value > first * (1 + ratio));
}
