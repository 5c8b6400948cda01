// Preloaded by verify.mjs (node --expose-gc -r ./lib/memprint.cjs workload.js): every
// MEMPRINT_MS it runs a full GC and prints one line of process memory (and open fds) to stderr, so the
// workloads themselves carry no measurement code.
'use strict';
const started = Date.now();
const every = Number(process.env.MEMPRINT_MS || 5000);
// Open file descriptors (sockets, files, pipes) leak too; Linux only, omitted elsewhere.
function openFds() {
  try {
    return require('fs').readdirSync('/proc/self/fd').length;
  } catch {
    return undefined;
  }
}
function print() {
  if (typeof global.gc === 'function') global.gc();
  const m = process.memoryUsage();
  process.stderr.write(
    `MEM ${JSON.stringify({ t: (Date.now() - started) / 1000, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, rss: m.rss, fds: openFds() })}\n`,
  );
}
setInterval(print, every).unref();
process.on('exit', print);
