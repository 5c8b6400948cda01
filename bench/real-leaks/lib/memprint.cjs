// Preloaded by verify.mjs (node --expose-gc -r ./lib/memprint.cjs workload.js): every
// MEMPRINT_MS it runs a full GC and prints one line of process memory to stderr, so the
// workloads themselves carry no measurement code.
'use strict';
const started = Date.now();
const every = Number(process.env.MEMPRINT_MS || 5000);
function print() {
  if (typeof global.gc === 'function') global.gc();
  const m = process.memoryUsage();
  process.stderr.write(
    `MEM ${JSON.stringify({ t: (Date.now() - started) / 1000, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, rss: m.rss })}\n`,
  );
}
setInterval(print, every).unref();
process.on('exit', print);
