// What `--native` costs a busy HTTP service: throughput and p99 latency of
// bench/overhead/service.mjs (a shop API) under wrk on loopback, side by side in one run:
//   glibc          the system allocator (no preload)
//   glibc-again    the same again: its ratio is the noise floor of the machine
//   jemalloc       jemalloc preloaded, no profiling
//   native         jemalloc with heap profiling at run --native's settings
//                  (prof:true, lg_prof_sample:19 = 512 KiB, a dump every 256 MiB, final dump)
// Each trial is a fresh service process; the configurations alternate round-robin and the
// first one rotates every round, so drifting load from other processes hits all alike.
// Ratios are per round (against glibc, and native against jemalloc of the same round), then
// the median and range over rounds.
// No build needed (no heapsleuth code runs here):
//   node bench/native/run.mjs [--rounds 8] [--duration 8] [--warmup 2] [--connections 16] [--json FILE]
// Needs wrk and Debian's libjemalloc2 (apt-get install -y wrk libjemalloc2).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runWrk, startShopService } from '../overhead/shop-under-wrk.mjs';

const JEMALLOC = process.env.HEAPSLEUTH_JEMALLOC || '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2';
/** What `heapsleuth run --native` sets (src/native/jemalloc.ts); `{OUT}` is the trial's folder. */
const NATIVE_CONF = 'prof:true,lg_prof_sample:19,lg_prof_interval:28,prof_final:true,prof_prefix:{OUT}/jeprof';

const CONFIGS = [
  { key: 'glibc', label: 'glibc malloc (baseline)', env: {} },
  { key: 'glibc-again', label: 'glibc malloc, second copy (noise floor)', env: {} },
  { key: 'jemalloc', label: 'jemalloc, no profiling', env: { LD_PRELOAD: JEMALLOC } },
  { key: 'native', label: 'jemalloc heap profiling, lg_prof_sample:19 (--native)', env: { LD_PRELOAD: JEMALLOC, MALLOC_CONF: NATIVE_CONF }, dumps: true },
];

function fail(message) {
  process.stderr.write(`bench/native: ${message}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const value = (name, fallback) => {
    const index = argv.indexOf(name);
    return index >= 0 && argv[index + 1] !== undefined ? argv[index + 1] : fallback;
  };
  const number = (name, fallback) => {
    const parsed = Number(value(name, fallback));
    if (!Number.isInteger(parsed) || parsed <= 0) fail(`${name} needs a positive whole number`);
    return parsed;
  };
  return {
    rounds: number('--rounds', 8),
    durationS: number('--duration', 8),
    warmupS: number('--warmup', 2),
    connections: number('--connections', 16),
    jsonPath: value('--json', undefined),
  };
}

function trialEnv(extra, outDir) {
  const env = {};
  for (const [name, text] of Object.entries(process.env)) {
    if (!name.startsWith('HEAPSLEUTH_') && !['NODE_OPTIONS', 'LD_PRELOAD', 'MALLOC_CONF'].includes(name)) env[name] = text;
  }
  for (const [name, text] of Object.entries(extra)) env[name] = text.replaceAll('{OUT}', outDir);
  return env;
}

function startService(config, outDir) {
  return startShopService({ key: config.key, nodeArgs: [], env: trialEnv(config.env, outDir) });
}

async function trial(config, options) {
  const outDir = mkdtempSync(join(tmpdir(), 'heapsleuth-bench-native-'));
  const service = startService(config, outDir);
  try {
    const port = await service.port;
    await runWrk(port, options.warmupS, options.connections);
    const load = await runWrk(port, options.durationS, options.connections);
    service.child.kill('SIGTERM');
    const exit = await service.exited;
    if (exit.code !== 0) throw new Error(`${config.key}: the service exited with ${exit.code ?? exit.signal}; stderr: ${service.stderr().trim()}`);
    if (load.errors > 0 || load.non2xx > 0) throw new Error(`${config.key}: ${load.errors} socket errors and ${load.non2xx} non-2xx responses`);
    // The proof that profiling was on: jemalloc wrote heap dumps (at least the final one at exit).
    const dumps = readdirSync(outDir).filter((name) => name.endsWith('.heap')).length;
    if (config.dumps && dumps === 0) throw new Error(`${config.key}: jemalloc wrote no heap dump: profiling was not on (${JEMALLOC} built without --enable-prof?)`);
    return { config: config.key, reqPerS: load.requests / (load.durationUs / 1e6), p99Ms: load.p99Us / 1000, dumps };
  } finally {
    if (service.child.exitCode === null && service.child.signalCode === null) service.child.kill('SIGKILL');
    rmSync(outDir, { recursive: true, force: true });
  }
}

const median = (values) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function ratio(rounds, key, baseKey, metric) {
  const ratios = rounds.map((round) => round[key]?.[metric] / round[baseKey]?.[metric]).filter(Number.isFinite);
  if (ratios.length === 0) return 'n/a';
  return `${median(ratios).toFixed(3)} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (spawnSync('wrk', ['--version']).error) fail('wrk is not installed (Debian: apt-get install -y wrk)');
  if (!existsSync(JEMALLOC)) fail(`${JEMALLOC} is missing (Debian: apt-get install -y libjemalloc2)`);
  const loadBefore = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const started = Date.now();
  const rounds = [];
  for (let r = 0; r < options.rounds; r++) {
    const round = {};
    for (let i = 0; i < CONFIGS.length; i++) {
      const config = CONFIGS[(i + r) % CONFIGS.length];
      const result = await trial(config, options);
      round[config.key] = result;
      process.stderr.write(`round ${r + 1}/${options.rounds} ${config.key.padEnd(11)} ${Math.round(result.reqPerS)} req/s, p99 ${result.p99Ms.toFixed(2)} ms${config.dumps ? `, ${result.dumps} dumps` : ''}\n`);
    }
    rounds.push(round);
  }
  const loadAfter = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const machine = `${cpus().length} CPUs (${cpus()[0]?.model.trim()}), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
  console.log(
    `--native under wrk on ${machine}; ${options.rounds} rounds x ${options.durationS} s (after ${options.warmupS} s warm-up), wrk -t1 -c${options.connections}; load average before ${loadBefore}, after ${loadAfter}; took ${Math.round((Date.now() - started) / 1000)} s.`,
  );
  console.log('Ratios: per round against the same round\'s trial, median (min–max). Throughput: higher is better; p99: lower is better.\n');
  const rows = [
    '| configuration | req/s (median) | req/s vs glibc | req/s vs jemalloc | p99 ms (median) | p99 vs glibc | p99 vs jemalloc |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const config of CONFIGS) {
    const mine = rounds.map((round) => round[config.key]).filter(Boolean);
    const vsJemalloc = config.key === 'native' ? (metric) => ratio(rounds, 'native', 'jemalloc', metric) : () => '–';
    rows.push(
      `| ${config.label} | ${Math.round(median(mine.map((t) => t.reqPerS)))} | ${config.key === 'glibc' ? '1' : ratio(rounds, config.key, 'glibc', 'reqPerS')} | ${vsJemalloc('reqPerS')} | ${median(mine.map((t) => t.p99Ms)).toFixed(2)} | ${config.key === 'glibc' ? '1' : ratio(rounds, config.key, 'glibc', 'p99Ms')} | ${vsJemalloc('p99Ms')} |`,
    );
  }
  console.log(rows.join('\n'));
  if (options.jsonPath) writeFileSync(options.jsonPath, `${JSON.stringify({ machine, options, loadBefore, loadAfter, rounds }, null, 2)}\n`);
}

main().catch((error) => fail(error.message));
