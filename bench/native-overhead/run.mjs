// What jemalloc's heap profiling (`heapsleuth run --native`) costs in CPU: a fixed amount of
// request-like work (work.mjs) in fresh processes with glibc malloc, glibc again (the noise
// floor), jemalloc without profiling, jemalloc with run --native's defaults (512 KiB sampling,
// a dump every 256 MiB), and with 1 KiB sampling (to show the cost scales with samples).
// Configurations are interleaved round-robin; ratios are per round against the glibc trial of
// the same round, then the median (min–max) over rounds. CPU time, not wall time: on a shared
// machine wall time (and wrk throughput) mostly measures the other processes.
// Run: node bench/native-overhead/run.mjs [--rounds N]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const WORK = fileURLToPath(new URL('./work.mjs', import.meta.url));
const JEMALLOC = process.env.HEAPSLEUTH_JEMALLOC || '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2';
const roundsIndex = process.argv.indexOf('--rounds');
const rounds = roundsIndex > 0 ? Number(process.argv[roundsIndex + 1]) : 8;
if (!existsSync(JEMALLOC)) {
  process.stderr.write(`native-overhead: ${JEMALLOC} is missing (Debian: apt-get install -y libjemalloc2)\n`);
  process.exit(2);
}
const prof = (lgSample, dir) => `prof:true,lg_prof_sample:${lgSample},lg_prof_interval:28,prof_final:true,prof_prefix:${dir}/jeprof`;
const CONFIGS = [
  { key: 'glibc', label: 'glibc malloc (no preload)', env: () => ({}) },
  { key: 'glibc-again', label: 'glibc malloc, second copy (noise floor)', env: () => ({}) },
  { key: 'jemalloc', label: 'jemalloc, no profiling', env: () => ({ LD_PRELOAD: JEMALLOC }) },
  { key: 'native', label: 'jemalloc profiling at run --native defaults (512 KiB)', env: (dir) => ({ LD_PRELOAD: JEMALLOC, MALLOC_CONF: prof(19, dir) }) },
  { key: 'native-1k', label: 'jemalloc profiling at 1 KiB sampling', env: (dir) => ({ LD_PRELOAD: JEMALLOC, MALLOC_CONF: prof(10, dir) }) },
];
const WORKLOADS = ['service', 'buffers'];

function trial(config, workload) {
  const dir = mkdtempSync(join(tmpdir(), 'heapsleuth-native-bench-'));
  try {
    const env = { ...process.env, ...config.env(dir) };
    delete env.NODE_OPTIONS;
    const result = spawnSync(process.execPath, [WORK, workload], { env, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${config.key}/${workload} failed: ${result.stderr}`);
    return JSON.parse(result.stdout.trim().split('\n').at(-1)).cpuMicros;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const load = loadavg().map((n) => n.toFixed(2)).join(' ');
const results = new Map(); // workload -> config -> cpu per round
for (let round = 0; round < rounds; round++) {
  for (const workload of WORKLOADS) {
    const order = CONFIGS.map((_, i) => CONFIGS[(i + round) % CONFIGS.length]);
    for (const config of order) {
      const micros = trial(config, workload);
      const byConfig = results.get(workload) ?? new Map();
      results.set(workload, byConfig);
      byConfig.set(config.key, [...(byConfig.get(config.key) ?? []), micros]);
      process.stderr.write(`round ${round + 1}/${rounds} ${workload} ${config.key.padEnd(11)} ${(micros / 1000).toFixed(0)} ms CPU\n`);
    }
  }
}

console.log(`CPU cost of jemalloc heap profiling on ${cpus().length} CPUs (${cpus()[0]?.model.trim()}), Node ${process.version}; ${rounds} rounds; load average before ${load}, after ${loadavg().map((n) => n.toFixed(2)).join(' ')}.`);
console.log('CPU time of a fixed amount of work; ratio per round against glibc in the same round, median (min–max).\n');
console.log(`| configuration | ${WORKLOADS.map((w) => `${w}: CPU ms | ratio | vs jemalloc`).join(' | ')} |`);
console.log(`|---|${WORKLOADS.map(() => '---|---|---').join('|')}|`);
for (const config of CONFIGS) {
  const cells = WORKLOADS.map((workload) => {
    const byConfig = results.get(workload);
    const mine = byConfig.get(config.key);
    const ratios = mine.map((micros, i) => micros / byConfig.get('glibc')[i]);
    const vsJemalloc = mine.map((micros, i) => micros / byConfig.get('jemalloc')[i]);
    const fmt = (values) => `${median(values).toFixed(3)} (${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)})`;
    return `${(median(mine) / 1000).toFixed(0)} | ${fmt(ratios)} | ${fmt(vsJemalloc)}`;
  });
  console.log(`| ${config.label} | ${cells.join(' | ')} |`);
}

// At 1 KiB sampling nearly every 8 KiB allocation of `buffers` is sampled (1 - e^-8): the extra CPU per
// iteration over jemalloc is the cost of one sample (a stack unwound and recorded), the number that
// decides what any sampling interval costs a given malloc rate.
const buffers = results.get('buffers');
const perSample = buffers.get('native-1k').map((micros, i) => (micros - buffers.get('jemalloc')[i]) / 200_000);
const costUs = median(perSample);
console.log(`\nCost of one sampled allocation (1 KiB sampling, buffers): ${costUs.toFixed(2)} µs median (${Math.min(...perSample).toFixed(2)}–${Math.max(...perSample).toFixed(2)}).`);
console.log(`At 512 KiB sampling that is 1% of one CPU at ${((0.01 / (costUs / 1e6)) * 0.5).toFixed(0)} MB/s of malloc (one sample per 512 KiB allocated).`);
