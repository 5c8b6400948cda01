// What the agent costs a busy HTTP service: throughput, p99 latency, CPU and RSS of
// bench/overhead/service.mjs under wrk load on loopback, with no agent, with heapsleuth in
// three settings and with @datadog/pprof's heap profiler, plus a second no-agent copy whose
// ratio shows the noise floor of the machine. Each trial is a fresh service
// process; configurations are interleaved round-robin (the start rotates every round) so
// drifting load from other processes hits all of them alike. Ratios are per round against
// the no-agent trial of the same round, then the median over rounds.
// Run: npm run build && node bench/overhead/run.mjs [--quick] [--rounds N] [--duration S]
//      [--warmup S] [--connections N] [--configs none,default,...] [--json FILE]
// Configurations (keys for --configs): none, none-again, default, inspector, fine, ddpprof;
// diagnostic ones, run only when named: no-ticks, v8-64k, v8-512k, and for run --native:
// jemalloc, native, native-agent (need libjemalloc2).
// Needs wrk (Debian: apt-get install -y wrk).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runWrk, startShopService } from './shop-under-wrk.mjs';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const DD_PRELOAD = here('./dd-heap-profiler.cjs');
const REGISTER = here('../../dist/src/agent/register.js');
const TICK_INTERVAL = '5s';
const JEMALLOC = '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2';
/** `{OUT}` becomes the trial's folder. */
const NATIVE_CONF = 'prof:true,lg_prof_sample:19,lg_prof_interval:28,prof_final:true,prof_prefix:{OUT}/jeprof';

function parseArgs(argv) {
  const quick = argv.includes('--quick');
  const value = (name, fallback) => {
    const index = argv.indexOf(name);
    return index >= 0 && argv[index + 1] !== undefined ? argv[index + 1] : fallback;
  };
  const number = (name, fallback) => {
    const parsed = Number(value(name, fallback));
    if (!Number.isInteger(parsed) || parsed <= 0) fail(`${name} needs a positive whole number (wrk takes whole seconds)`);
    return parsed;
  };
  return {
    quick,
    rounds: number('--rounds', quick ? 2 : 6),
    durationS: number('--duration', quick ? 5 : 6),
    warmupS: number('--warmup', quick ? 1 : 2),
    connections: number('--connections', 16),
    configs: value('--configs', undefined)?.split(','),
    jsonPath: value('--json', undefined),
  };
}

function fail(message) {
  process.stderr.write(`overhead: ${message}\n`);
  process.exit(2);
}

const heapsleuth = (key, label, env, expect, extra = {}) => ({
  key,
  label,
  nodeArgs: ['--import', pathToFileURL(REGISTER).href],
  env: { HEAPSLEUTH_LOG: 'off', HEAPSLEUTH_INTERVAL: TICK_INTERVAL, ...env },
  expect,
  ...extra,
});

const CONFIGS = [
  { key: 'none', label: 'no agent', nodeArgs: [], env: {} },
  // The same as `none`: its ratio shows how much two identical configurations differ here (the noise floor).
  { key: 'none-again', label: 'no agent, second copy (noise floor)', nodeArgs: [], env: {} },
  heapsleuth('default', 'heapsleuth defaults (sampler auto, 256 KiB)', {}, { sampler: 'native', intervalBytes: 262144 }),
  heapsleuth('64k', 'heapsleuth at 64 KiB (the default before these numbers)', { HEAPSLEUTH_SAMPLING_INTERVAL: '65536' }, { sampler: 'native', intervalBytes: 65536 }),
  heapsleuth('inspector', 'heapsleuth, inspector sampler', { HEAPSLEUTH_SAMPLER: 'inspector' }, { sampler: 'inspector', intervalBytes: 262144 }),
  heapsleuth('fine', 'heapsleuth, 8 KiB sampling interval', { HEAPSLEUTH_SAMPLING_INTERVAL: '8192' }, { sampler: 'native', intervalBytes: 8192 }),
  { key: 'ddpprof', label: '@datadog/pprof heap profiler (512 KiB, profile every 5 s)', nodeArgs: ['--require', DD_PRELOAD], env: {} },
  // Diagnostic configurations, only with --configs: they split heapsleuth's cost into its parts.
  heapsleuth('no-ticks', 'heapsleuth defaults, no tick during the run (interval 1h)', { HEAPSLEUTH_INTERVAL: '1h' }, { sampler: 'native', intervalBytes: 262144 }, { diagnostic: true }),
  heapsleuth('hs-128k', 'heapsleuth at 128 KiB', { HEAPSLEUTH_SAMPLING_INTERVAL: '131072' }, { sampler: 'native', intervalBytes: 131072 }, { diagnostic: true }),
  heapsleuth('hs-512k', 'heapsleuth at 512 KiB', { HEAPSLEUTH_SAMPLING_INTERVAL: '524288' }, { sampler: 'native', intervalBytes: 524288 }, { diagnostic: true }),
  { key: 'v8-64k', label: "V8's sampling heap profiler alone at 64 KiB, never read", nodeArgs: ['--require', DD_PRELOAD], env: { DD_BENCH_SAMPLING_INTERVAL: '65536', DD_BENCH_PROFILE_EVERY_MS: '0' }, diagnostic: true },
  // run --native / HEAPSLEUTH_NATIVE=on (docs/native.md): jemalloc alone, jemalloc sampling at run --native's
  // defaults (512 KiB, a dump every 256 MiB allocated, dumps in the trial's folder), and that with the agent picking them up.
  { key: 'jemalloc', label: 'jemalloc preloaded, no profiling', nodeArgs: [], env: { LD_PRELOAD: JEMALLOC }, diagnostic: true },
  { key: 'native', label: 'jemalloc heap profiling (run --native defaults), no agent', nodeArgs: [], env: { LD_PRELOAD: JEMALLOC, MALLOC_CONF: NATIVE_CONF }, diagnostic: true },
  heapsleuth('native-agent', 'heapsleuth defaults + jemalloc profiling, agent picks up dumps', { LD_PRELOAD: JEMALLOC, MALLOC_CONF: NATIVE_CONF, HEAPSLEUTH_NATIVE: 'on' }, { sampler: 'native', intervalBytes: 262144 }, { diagnostic: true }),
  { key: 'v8-512k', label: "V8's sampling heap profiler alone at 512 KiB, never read", nodeArgs: ['--require', DD_PRELOAD], env: { DD_BENCH_SAMPLING_INTERVAL: '524288', DD_BENCH_PROFILE_EVERY_MS: '0' }, diagnostic: true },
];

/** The environment of a trial: ours, without anything inherited that could start or configure an agent. */
function trialEnv(extra, outDir) {
  const env = {};
  for (const [name, text] of Object.entries(process.env)) {
    if (!name.startsWith('HEAPSLEUTH_') && name !== 'NODE_OPTIONS') env[name] = text;
  }
  const own = Object.fromEntries(Object.entries(extra).map(([name, text]) => [name, text.replaceAll('{OUT}', outDir)]));
  return { ...env, HEAPSLEUTH_OUT: outDir, ...own };
}

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** User plus system CPU seconds of a process, all its threads (GC helpers included). */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function rssMb(pid) {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

function startService(config, outDir) {
  return startShopService({ key: config.key, nodeArgs: [...config.nodeArgs], env: trialEnv(config.env, outDir) });
}

/** Agent reads inside the measured window: heapsleuth's samples from its recording, dd's profiles from its exit line. */
function agentEvidence(config, outDir, stderr, from, to) {
  if (config.nodeArgs.includes(DD_PRELOAD)) {
    const match = /dd-heap-profiler: profiles at (\[.*\])/.exec(stderr);
    return { reads: match ? JSON.parse(match[1]).filter((time) => time >= from && time <= to).length : undefined };
  }
  if (!config.expect) return {};
  const files = existsSync(outDir) ? readdirSync(outDir).filter((name) => name.endsWith('.ndjson')) : [];
  if (files.length !== 1) throw new Error(`${config.key}: expected one heapsleuth recording in ${outDir}, found ${files.length}; stderr: ${stderr.trim()}`);
  let header;
  let reads = 0;
  let tickMs = 0;
  for (const line of readFileSync(join(outDir, files[0]), 'utf8').split('\n')) {
    if (!line) continue;
    const record = JSON.parse(line);
    if (record.type === 'header') header = record;
    if (record.type === 'sample' && record.time >= from && record.time <= to) {
      reads++;
      tickMs += record.tickMs;
    }
  }
  const { sampler, intervalBytes } = header?.sampling ?? {};
  if (sampler !== config.expect.sampler || intervalBytes !== config.expect.intervalBytes) {
    throw new Error(`${config.key}: the agent ran with sampler ${sampler} at ${intervalBytes} bytes, expected ${config.expect.sampler} at ${config.expect.intervalBytes}`);
  }
  return { reads, msPerRead: reads ? tickMs / reads : undefined };
}

async function trial(config, options) {
  const outDir = mkdtempSync(join(tmpdir(), 'heapsleuth-overhead-'));
  const service = startService(config, outDir);
  try {
    const port = await service.port;
    await runWrk(port, options.warmupS, options.connections);
    const from = Date.now();
    const cpuBefore = cpuSeconds(service.child.pid);
    const load = await runWrk(port, options.durationS, options.connections);
    const cpu = cpuSeconds(service.child.pid) - cpuBefore;
    const to = Date.now();
    const rss = rssMb(service.child.pid);
    service.child.kill('SIGTERM');
    const exit = await service.exited;
    if (exit.code !== 0) throw new Error(`${config.key}: the service exited with ${exit.code ?? exit.signal}; stderr: ${service.stderr().trim()}`);
    if (load.errors > 0 || load.non2xx > 0) throw new Error(`${config.key}: ${load.errors} socket errors and ${load.non2xx} non-2xx responses under load`);
    const reqPerS = load.requests / (load.durationUs / 1e6);
    return {
      config: config.key,
      reqPerS,
      p50Ms: load.p50Us / 1000,
      p99Ms: load.p99Us / 1000,
      cpuPer10k: (cpu / load.requests) * 10_000,
      cpuUtil: cpu / ((to - from) / 1000),
      rssMb: rss,
      ...agentEvidence(config, outDir, service.stderr(), from, to),
    };
  } finally {
    if (service.child.exitCode === null && service.child.signalCode === null) service.child.kill('SIGKILL');
    rmSync(outDir, { recursive: true, force: true });
  }
}

const median = (values) => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Median and range over rounds of (metric of config) / (metric of no agent) in the same round. */
function pairedRatio(trials, key, metric) {
  const ratios = [];
  for (const round of trials) {
    const base = round.find((t) => t.config === 'none');
    const it = round.find((t) => t.config === key);
    if (base && it) ratios.push(it[metric] / base[metric]);
  }
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
}

function formatRatio({ median: mid, min, max }) {
  if (!Number.isFinite(mid)) return 'n/a';
  return `${mid.toFixed(3)} (${min.toFixed(2)}–${max.toFixed(2)})`;
}

function table(configs, trials) {
  const rows = [
    '| configuration | req/s (median) | ratio | p99 ms (median) | ratio | CPU s per 10k req | ratio | RSS MB | agent reads per run (ms each) |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const config of configs) {
    const mine = trials.flat().filter((t) => t.config === config.key);
    const m = (metric) => median(mine.map((t) => t[metric]));
    const baseline = config.key === 'none';
    const ratio = (metric) => (baseline ? '1' : formatRatio(pairedRatio(trials, config.key, metric)));
    const reads = mine.map((t) => t.reads).filter((count) => count !== undefined);
    const msPerRead = median(mine.map((t) => t.msPerRead).filter((ms) => ms !== undefined));
    const readsCell = reads.length === 0 ? '–' : `${median(reads)}${Number.isFinite(msPerRead) ? ` (${msPerRead.toFixed(1)} ms)` : ''}`;
    rows.push(
      `| ${config.label} | ${Math.round(m('reqPerS'))} | ${ratio('reqPerS')} | ${m('p99Ms').toFixed(2)} | ${ratio('p99Ms')} | ${m('cpuPer10k').toFixed(3)} | ${ratio('cpuPer10k')} | ${m('rssMb').toFixed(0)} | ${readsCell} |`,
    );
  }
  return rows.join('\n');
}

function checkPrerequisites(configs) {
  if (spawnSync('wrk', ['--version']).error) fail('wrk is not installed: install it first (Debian: apt-get install -y wrk)');
  if (configs.some((c) => c.env.LD_PRELOAD) && !existsSync(JEMALLOC)) fail(`${JEMALLOC} is missing: install it first (Debian: apt-get install -y libjemalloc2)`);
  if (configs.some((c) => c.expect) && !existsSync(REGISTER)) fail('dist/ is missing: run `npm run build` first');
  if (configs.some((c) => c.nodeArgs.includes(DD_PRELOAD) || c.expect?.sampler === 'native')) {
    const probe = spawnSync(process.execPath, ['-e', "require('@datadog/pprof')"], { cwd: here('../..') });
    if (probe.status !== 0) fail('@datadog/pprof is not installed: the native-sampler and dd configurations need it');
  }
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const configs = options.configs ? CONFIGS.filter((c) => options.configs.includes(c.key)) : CONFIGS.filter((c) => !c.diagnostic);
  if (!configs.some((c) => c.key === 'none')) fail('--configs must include none (the baseline)');
  checkPrerequisites(configs);
  const loadBefore = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const started = Date.now();
  const trials = [];
  for (let round = 0; round < options.rounds; round++) {
    const order = configs.map((_, i) => configs[(i + round) % configs.length]);
    const results = [];
    for (const config of order) {
      const result = await trial(config, options);
      process.stderr.write(`round ${round + 1}/${options.rounds} ${config.key.padEnd(9)} ${Math.round(result.reqPerS)} req/s, p99 ${result.p99Ms.toFixed(2)} ms, CPU ${result.cpuPer10k.toFixed(3)} s/10k (${(result.cpuUtil * 100).toFixed(0)}%), RSS ${result.rssMb.toFixed(0)} MB, reads ${result.reads ?? '–'}\n`);
      results.push(result);
    }
    trials.push(results);
  }
  const loadAfter = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const machine = `${cpus().length} CPUs (${cpus()[0]?.model.trim()}), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
  console.log(`Overhead on ${machine}; ${options.rounds} rounds x ${options.durationS} s (after ${options.warmupS} s warm-up), wrk -t1 -c${options.connections}, heapsleuth ticks every ${TICK_INTERVAL}; load average before ${loadBefore}, after ${loadAfter}; took ${Math.round((Date.now() - started) / 1000)} s.`);
  console.log('Ratios: per round against the no-agent trial of the same round, median (min–max).\n');
  console.log(table(configs, trials));
  if (options.jsonPath) writeFileSync(options.jsonPath, `${JSON.stringify({ machine, options, loadBefore, loadAfter, trials }, null, 2)}\n`);
}

main().catch((error) => fail(error.message));
