// Runs every benchmark in turn and prints their tables: `npm run bench` (about 10 minutes on a
// 2-core machine) or `npm run bench -- --quick` (a short form for CI). `--only a,b` picks
// benchmarks by name. Benchmarks whose files are missing are skipped; a failed one is
// reported and the others still run (the exit code is 1 if any failed). Long benchmarks
// (real-leaks: about 45 minutes, two cases at a time) run only with `--long` or when named in `--only`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? (args[onlyAt + 1] ?? '').split(',').filter(Boolean) : [];
const node = process.execPath;
const long = args.includes('--long');
const quickFlag = quick ? ['--quick'] : [];

const benches = [
  {
    name: 'accuracy',
    file: 'bench/accuracy.mjs',
    command: [node, '--expose-gc', 'bench/accuracy.mjs'],
    env: { ROUNDS: quick ? '1' : '3' },
  },
  { name: 'pause', file: 'bench/pause/pause.mjs', command: [node, 'bench/pause/pause.mjs', ...quickFlag] },
  // Full runs trim overhead and python-overhead rounds to keep the whole suite under 10 minutes
  // on a 2-core machine (measured: accuracy 9 s, pause 95 s, detection 212 s, overhead about
  // 175 s at 3 rounds, python about 65 s at 2 rounds; measured 608 s in all with 4 overhead
  // rounds on 2026-11-23); run them alone for more rounds.
  { name: 'overhead', file: 'bench/overhead/run.mjs', command: [node, 'bench/overhead/run.mjs', ...(quick ? ['--quick'] : ['--rounds', '3'])] },
  // --native's cost under wrk (glibc, jemalloc, jemalloc profiling; about 90 s at 3 rounds); needs libjemalloc2.
  { name: 'native', file: 'bench/native/run.mjs', command: [node, 'bench/native/run.mjs', ...(quick ? ['--rounds', '1', '--duration', '3'] : ['--rounds', '3'])] },
  { name: 'detection', file: 'bench/detection/run.mjs', command: [node, 'bench/detection/run.mjs', ...quickFlag] },
  // what recording where fds are opened costs while on (about 90 s; --quick: about 10 s)
  { name: 'fd-sites', file: 'bench/fd-sites/cost.mjs', command: [node, 'bench/fd-sites/cost.mjs', ...(quick ? ['2', '1'] : ['10', '2'])] },
  // fleet-scale needs Debian's prometheus and promtool. Full: 25-200 instances x 3.5 d (a few
  // minutes on a quiet 2-core machine, most of it promtool loading); --quick: 10 instances x 2 d.
  // fleet-compare: about 3 CPU-minutes per leak rate (5 rates; --quick: 2).
  { name: 'fleet-scale', file: 'bench/fleet/scale.mjs', command: [node, 'bench/fleet/scale.mjs', ...(quick ? ['--quick'] : ['--instances', '25,50,100,200', '--days', '3.5'])] },
  { name: 'fleet-compare', file: 'bench/fleet/compare.mjs', command: [node, 'bench/fleet/compare.mjs', ...quickFlag] },
  {
    name: 'python-overhead',
    file: 'bench/python-overhead/run.py',
    command: ['python3', 'bench/python-overhead/run.py', ...(quick ? ['--rounds', '1', '--seconds', '2'] : ['--rounds', '2'])],
  },
  // Leaks fixed in published npm packages, each run through `heapsleuth run` (leaky and fixed
  // version, 80 s each): installs the cases' dependencies from the npm registry on first use.
  { name: 'real-leaks', long: true, file: 'bench/real-leaks/run.mjs', command: [node, 'bench/real-leaks/run.mjs', '--parallel', '2', ...quickFlag] },
];

const outcomes = [];
for (const bench of benches) {
  if (only.length && !only.includes(bench.name)) continue;
  if (bench.long && !long && !only.includes(bench.name)) {
    outcomes.push({ name: bench.name, status: 'skipped (long: --long or --only real-leaks)', seconds: 0 });
    continue;
  }
  if (!existsSync(new URL(`../${bench.file}`, import.meta.url))) {
    outcomes.push({ name: bench.name, status: 'skipped (not found)', seconds: 0 });
    continue;
  }
  console.log(`\n## ${bench.name}: ${bench.command.map((part) => (part === node ? 'node' : part)).join(' ')}\n`);
  const startedAt = Date.now();
  const run = spawnSync(bench.command[0], bench.command.slice(1), { cwd: repoRoot, stdio: 'inherit', env: { ...process.env, ...bench.env } });
  const seconds = Math.round((Date.now() - startedAt) / 1000);
  const status = run.error ? `failed: ${run.error.message}` : run.status === 0 ? 'ok' : `failed: exit ${run.status ?? run.signal}`;
  outcomes.push({ name: bench.name, status, seconds });
}

console.log(`\n## summary${quick ? ' (--quick)' : ''}\n`);
console.log('| benchmark | result | seconds |');
console.log('|---|---|---|');
for (const outcome of outcomes) console.log(`| ${outcome.name} | ${outcome.status} | ${outcome.seconds} |`);
console.log(`| all | | ${outcomes.reduce((sum, outcome) => sum + outcome.seconds, 0)} |`);
process.exitCode = outcomes.some((outcome) => outcome.status.startsWith('failed')) ? 1 : 0;
