// What one tick costs the event loop: tick time and the longest event-loop stall around it,
// for both samplers, at several live heap sizes and numbers of live allocation sites.
// Each cell runs in a fresh Node process; numbers are medians of TICKS ticks.
// Run: npm run build && node bench/pause/pause.mjs [--quick]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const quick = process.argv.includes('--quick');
const heapsMb = quick ? [50, 500] : [50, 500, 2000];
const siteCounts = quick ? [100, 10000] : [100, 1000, 10000];
const samplers = ['inspector', 'native'];
const ticks = quick ? 3 : 5;

if (process.argv[2] === 'child') {
  const [, , , sampler, heapMb, sites] = process.argv;
  const { traceLeaks } = await import('../../dist/src/index.js');
  const { monitorEventLoopDelay } = await import('node:perf_hooks');
  // Live allocation sites: `sites` distinct functions (new Function gives each its own script position).
  const makers = Array.from({ length: Number(sites) }, (_, i) => new Function('n', `const a = []; for (let k = 0; k < n; k++) a.push({ site: ${i}, k }); return a;`));
  const tracer = traceLeaks({ interval: '1h', logger: false, record: false, sampler, samplingIntervalBytes: 65536 });
  const hold = (globalThis.hold = []);
  const perSite = Math.max(1, Math.floor((Number(heapMb) * 1024 * 1024) / 48 / makers.length));
  for (const make of makers) hold.push(make(perSite));
  const results = [];
  for (let i = 0; i < Number(process.env.TICKS); i++) {
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const tick = tracer.tick();
    await new Promise((resolve) => setTimeout(resolve, 50));
    delay.disable();
    results.push({ tickMs: tick.tickMs, stallMs: delay.max / 1e6, rows: tick.snapshot.traces.length });
  }
  await tracer.stop();
  process.stdout.write(JSON.stringify({ heapUsedMb: process.memoryUsage().heapUsed / 1048576, results }));
  process.exit(0);
}

const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
const self = fileURLToPath(import.meta.url);
console.log(`| sampler | live heap | sites | tick (median ms) | longest loop stall (median ms) | stacks |`);
console.log(`|---|---|---|---|---|---|`);
for (const heapMb of heapsMb) {
  for (const sites of siteCounts) {
    for (const sampler of samplers) {
      const out = spawnSync(process.execPath, ['--max-old-space-size=6000', self, 'child', sampler, String(heapMb), String(sites)], {
        encoding: 'utf8',
        env: { ...process.env, TICKS: String(ticks) },
      });
      if (out.status !== 0) {
        console.log(`| ${sampler} | ${heapMb} MB | ${sites} | failed: ${out.stderr.split('\n')[0]} | | |`);
        continue;
      }
      const { heapUsedMb, results } = JSON.parse(out.stdout);
      console.log(
        `| ${sampler} | ${Math.round(heapUsedMb)} MB | ${sites} | ${median(results.map((r) => r.tickMs)).toFixed(1)} | ${median(results.map((r) => r.stallMs)).toFixed(1)} | ${median(results.map((r) => r.rows))} |`,
      );
    }
  }
}
