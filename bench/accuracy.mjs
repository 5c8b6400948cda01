// How close are heapsleuth's estimates to the bytes really leaked? Leaks a known number
// of objects of several shapes and compares the estimate of the leaking function with the
// growth of V8's used heap (after a forced GC), at several sampling intervals.
// Run: npm run build && node --expose-gc bench/accuracy.mjs
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const intervals = [4096, 16384, 32768, 65536, 131072, 524288];
const shapes = ['object', 'string', 'array'];
const rounds = Number(process.env.ROUNDS ?? 5);

if (process.argv[2] === 'child') {
  const { start, takeSnapshot } = await import('../dist/src/index.js');
  const [, , , shape, interval] = process.argv;
  globalThis.gc();
  const heapBefore = process.memoryUsage().heapUsed;
  start({ samplingIntervalBytes: Number(interval) });
  const before = takeSnapshot();
  const kept = new Array(100_000);
  function leakKnownAmount() {
    for (let i = 0; i < kept.length; i++) {
      kept[i] = shape === 'object' ? { a: i, b: i + 1, c: i + 2 } : shape === 'string' ? `s${i}`.repeat(20) : new Array(32).fill(i);
    }
  }
  leakKnownAmount();
  const after = takeSnapshot();
  globalThis.gc();
  const truth = process.memoryUsage().heapUsed - heapBefore;
  const estimate = after.compareTo(before, 'filename').find((d) => d.traceback.mostRecent.file.endsWith('accuracy.mjs'))?.sizeDiff ?? 0;
  process.stdout.write(JSON.stringify({ truth, estimate }));
  process.exit(0);
}

const self = fileURLToPath(import.meta.url);
console.log(`| shape | interval | median estimate / truth | min | max | leaked |`);
console.log(`|---|---|---|---|---|---|`);
for (const shape of shapes) {
  for (const interval of intervals) {
    const ratios = [];
    let truth = 0;
    for (let r = 0; r < rounds; r++) {
      const out = spawnSync(process.execPath, ['--expose-gc', self, 'child', shape, String(interval)], { encoding: 'utf8' });
      const result = JSON.parse(out.stdout);
      truth = result.truth;
      ratios.push(result.estimate / result.truth);
    }
    ratios.sort((a, b) => a - b);
    const median = ratios[Math.floor(ratios.length / 2)];
    console.log(`| ${shape} | ${interval / 1024} KiB | ${median.toFixed(3)} | ${ratios[0].toFixed(3)} | ${ratios.at(-1).toFixed(3)} | ${(truth / 1048576).toFixed(1)} MiB |`);
  }
}
