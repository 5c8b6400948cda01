// Preloaded into bench/overhead/service.mjs (node --import) to give it a live heap of
// BALLAST_MB megabytes before it serves: many small objects, as a service's caches and
// sessions are, so a full GC has a realistic number of objects to mark.
const target = Number(process.env.BALLAST_MB ?? 0) * 1024 * 1024;
const ballast = [];
globalThis.__benchBallast = ballast;
const v8 = await import('node:v8');
for (let chunk = 0; v8.getHeapStatistics().used_heap_size < target; chunk++) {
  const rows = new Array(10_000);
  for (let i = 0; i < rows.length; i++) rows[i] = { id: chunk * 10_000 + i, name: `session-${chunk}-${i}`, tags: [i, chunk] };
  ballast.push(rows);
}
