// What `heapsleuth attach` costs a running, loaded service: the pause of each read (the
// target runs a full GC for it) and the throughput and p99 latency while attached, on
// bench/overhead/service.mjs grown to a given live heap (bench/attach/ballast.mjs),
// started with no heapsleuth at all. Per heap size, one service process; rounds of a
// detached and an attached wrk period of the same length, their order alternating, ratios
// paired per round, medians over rounds.
// Run: npm run build && node bench/attach/run.mjs [--heaps 100,1000] [--rounds 3]
//      [--duration 15] [--interval 5s] [--connections 16]
// Needs wrk (Debian: apt-get install -y wrk).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const SERVICE = here('../overhead/service.mjs');
const LOAD_SCRIPT = here('../overhead/load.lua');
const BALLAST = here('./ballast.mjs');
const CLI = here('../../dist/src/cli/main.js');

function option(name, fallback) {
  const index = process.argv.indexOf(name);
  return index >= 0 && process.argv[index + 1] !== undefined ? process.argv[index + 1] : fallback;
}
const heaps = option('--heaps', '100,1000').split(',').map(Number);
const rounds = Number(option('--rounds', '3'));
const durationS = Number(option('--duration', '15'));
const interval = option('--interval', '5s');
const connections = Number(option('--connections', '16'));

if (spawnSync('wrk', ['--version']).error) {
  process.stderr.write('attach bench: wrk is not installed (Debian: apt-get install -y wrk)\n');
  process.exit(2);
}

function startService(ballastMb) {
  const child = spawn(process.execPath, ['--max-old-space-size=4096', '--inspect-port=0', '--import', BALLAST, SERVICE], {
    env: { ...process.env, BALLAST_MB: String(ballastMb), NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve({ child, port: JSON.parse(line).port });
    });
    child.once('exit', (code) => reject(new Error(`the service exited (${code})`)));
  });
}

function runWrk(port, seconds) {
  return new Promise((resolve, reject) => {
    const wrk = spawn('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '5s', '-s', LOAD_SCRIPT, `http://127.0.0.1:${port}/`]);
    let out = '';
    wrk.stdout.on('data', (chunk) => (out += chunk));
    wrk.once('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('WRKJSON '));
      if (code !== 0 || !line) return reject(new Error(`wrk failed (${code})`));
      const result = JSON.parse(line.slice('WRKJSON '.length));
      resolve({ reqPerS: result.requests / (result.durationUs / 1e6), p99Ms: result.p99Us / 1000, maxMs: result.maxUs / 1000, errors: result.errors });
    });
  });
}

/** heapsleuth attach for the length of one wrk period; resolves when it has attached, and again when it is done. */
function startAttach(pid, outDir) {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, 'attach', String(pid), '--duration', `${durationS + 1}s`, '--interval', interval, '--quiet', '--out', outDir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const done = new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr, totalMs: Date.now() - started })));
  const attached = new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (/attached to pid/.test(stderr)) resolve(Date.now() - started);
    });
    child.once('exit', () => reject(new Error(`attach failed: ${stderr}`)));
  });
  return { attached, done };
}

/** The reads of a recording: each read's round trip (the target's full GC is most of it) and the heap it saw. */
function readsOf(outDir) {
  const file = readdirSync(outDir).find((name) => name.endsWith('.ndjson'));
  const lines = readFileSync(join(outDir, file), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
  const samples = lines.filter((line) => line.type === 'sample');
  const gcMajor = samples.map((s) => s.gc?.major ?? { count: 0, pauseMs: 0 });
  return {
    tickMs: samples.map((s) => s.tickMs),
    heapUsedMb: samples.map((s) => s.memory.heapUsed / 1e6),
    majorGcPauseMs: gcMajor.map((gc, i) => (i === 0 ? undefined : (gc.pauseMs - gcMajor[i - 1].pauseMs) / Math.max(1, gc.count - gcMajor[i - 1].count))).filter((v) => v !== undefined),
  };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const range = (values) => `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;

const results = [];
const began = Date.now();
const loadBefore = loadavg()[0].toFixed(1);
for (const heapMb of heaps) {
  const { child, port } = await startService(heapMb);
  await runWrk(port, 3); // warm-up
  const ratios = { reqPerS: [], p99Ms: [] };
  const reads = [];
  const gcPauses = [];
  const heapsSeen = [];
  const attachMs = [];
  const overheadMs = [];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? ['detached', 'attached'] : ['attached', 'detached'];
    const period = {};
    for (const mode of order) {
      if (mode === 'detached') {
        period.detached = await runWrk(port, durationS);
        continue;
      }
      const outDir = mkdtempSync(join(tmpdir(), 'heapsleuth-bench-attach-'));
      const session = startAttach(child.pid, outDir);
      attachMs.push(await session.attached);
      period.attached = await runWrk(port, durationS);
      const finished = await session.done;
      if (finished.code !== 0) throw new Error(`attach exited ${finished.code}: ${finished.stderr}`);
      overheadMs.push(finished.totalMs - (durationS + 1) * 1000);
      const seen = readsOf(outDir);
      reads.push(...seen.tickMs);
      gcPauses.push(...seen.majorGcPauseMs);
      heapsSeen.push(...seen.heapUsedMb);
      rmSync(outDir, { recursive: true, force: true });
    }
    ratios.reqPerS.push(period.attached.reqPerS / period.detached.reqPerS);
    ratios.p99Ms.push(period.attached.p99Ms / period.detached.p99Ms);
    process.stderr.write(
      `${heapMb} MB round ${round + 1}: detached ${Math.round(period.detached.reqPerS)} req/s p99 ${period.detached.p99Ms.toFixed(1)} ms; attached ${Math.round(period.attached.reqPerS)} req/s p99 ${period.attached.p99Ms.toFixed(1)} ms max ${period.attached.maxMs.toFixed(0)} ms\n`,
    );
  }
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  const intervalS = Number(interval.replace(/s$/, ''));
  results.push({ heapMb, heapUsedMb: median(heapsSeen), gcMs: gcPauses.length ? median(gcPauses) : NaN, readMs: median(reads), readMaxMs: Math.max(...reads), reads: reads.length, reqRatio: median(ratios.reqPerS), reqRange: range(ratios.reqPerS), p99Ratio: median(ratios.p99Ms), p99Range: range(ratios.p99Ms), attachMs: median(attachMs), detachMs: median(overheadMs), intervalS });
}

console.log(`heapsleuth attach on ${cpus().length} cores, ${cpus()[0]?.model ?? ''}, Node ${process.version}; ${rounds} rounds x ${durationS} s per mode, reads every ${interval}, wrk -t1 -c${connections}; load average ${loadBefore} before, ${loadavg()[0].toFixed(1)} after; took ${Math.round((Date.now() - began) / 1000)} s.`);
console.log('');
console.log('| live heap | target full GC per read (median ms) | read round trip (median ms) | read (max ms) | reads | req/s ratio attached/detached | p99 ratio | attach takes (ms) | detach + verdict (ms) |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of results) {
  console.log(`| ${r.heapUsedMb.toFixed(0)} MB | ${r.gcMs.toFixed(0)} | ${r.readMs.toFixed(0)} | ${r.readMaxMs.toFixed(0)} | ${r.reads} | ${r.reqRatio.toFixed(3)} (${r.reqRange}) | ${r.p99Ratio.toFixed(2)} (${r.p99Range}) | ${r.attachMs.toFixed(0)} | ${r.detachMs.toFixed(0)} |`);
}
