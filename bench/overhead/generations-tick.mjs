// One whole agent tick (takeSnapshot: the inspector's read with its GC, the conversion, the
// sample generations) with about 20 000 live samples over 200 stacks, a tenth replaced per tick:
// two builds side by side, alternating, each run in a process of its own. With --kept N, N more
// stacks hold 100 objects each for good (never replaced: stacks without deaths of their own).
// Run: node bench/overhead/generations-tick.mjs <other build's dist> [this build's dist] [--rounds 3] [--kept 0]
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
if (args[0] === '--child') {
  const tracing = await import(`${args[1]}/src/agent/heap-tracing.js`);
  tracing.start({ samplingIntervalBytes: 1024, sampler: 'inspector' });
  const makers = Array.from({ length: 200 }, (_, i) => new Function('n', `return { site: ${i}, payload: new Array(n).fill(${i}) };`));
  const kept = [];
  for (let i = 0; i < 40000; i++) kept.push(makers[i % 200](64));
  const keptStacks = Number(args[2] ?? 0);
  const keepers = Array.from({ length: keptStacks }, (_, i) => new Function('n', `return { keeper: ${i}, payload: new Array(n).fill(${i}) };`));
  const forGood = Array.from({ length: keptStacks * 100 }, (_, i) => keepers[i % keptStacks](64));
  const times = [];
  for (let tick = 0; tick < 25; tick++) {
    for (let i = 0; i < 4000; i++) kept[(tick * 4000 + i) % kept.length] = makers[(i * 7) % 200](64);
    const started = performance.now();
    tracing.takeSnapshot();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  process.stdout.write(String(times[times.length >> 1]));
  forGood.length = 0; // (used after the ticks: kept alive through them)
  process.exit(0);
}
const roundsAt = args.indexOf('--rounds');
const rounds = roundsAt >= 0 ? Number(args.splice(roundsAt, 2)[1]) : 3;
const keptAt = args.indexOf('--kept');
const keptStacks = keptAt >= 0 ? Number(args.splice(keptAt, 2)[1]) : 0;
const [other, own = fileURLToPath(new URL('../../dist', import.meta.url))] = args.map((dir) => resolve(dir));
if (!other) {
  process.stderr.write('usage: node bench/overhead/generations-tick.mjs <other build dist> [this build dist] [--rounds 3] [--kept 0]\n');
  process.exit(2);
}
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
const results = { other: [], own: [] };
for (let round = 0; round < rounds; round++) {
  for (const [side, dist] of [['other', other], ['own', own]]) results[side].push(Number(execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child', dist, String(keptStacks)], { encoding: 'utf8' })));
}
console.log(`median tick (ms) per run: other ${results.other.map((v) => v.toFixed(1)).join(' ')}; own ${results.own.map((v) => v.toFixed(1)).join(' ')}`);
console.log(`ratio own / other (medians): ${(median(results.own) / median(results.other)).toFixed(2)}`);
