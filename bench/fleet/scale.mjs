// Scale of the fleet verdict (issue 16, part 5): N instances x D days at 1-minute
// resolution of the agent's metrics, written as OpenMetrics, loaded with promtool into a
// real Prometheus, then `heapsleuth analyze --prometheus ... --since Dd` timed as a child
// process (wall time and peak RSS from /usr/bin/time -v).
//
//   npm run build && node bench/fleet/scale.mjs                    # 25, 50, 100, 200 instances x 14 d
//   node bench/fleet/scale.mjs --instances 200 --days 14            # one size
//   node bench/fleet/scale.mjs --instances 25,50 --days 3.5 --quick # --quick: 10 instances x 2 d
//   node bench/fleet/scale.mjs --instances 200 --days 2,4 --data /tmp/fleet --repeat 3 \
//     --baseline-cli /tmp/main-dist/src/cli/main.js [--cli /tmp/my-dist/src/cli/main.js] [--compact]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { fleetModel, units } from './fleet-model.mjs';
import { loadFleet } from './write-openmetrics.mjs';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
};
// --cli PATH: the build under test (default this checkout's dist/; a copy lets you rebuild meanwhile).
const cli = option('--cli', join(repoRoot, 'dist/src/cli/main.js'));
const quick = args.includes('--quick');
const sizes = option('--instances', quick ? '10' : '25,50,100,200').split(',').map(Number);
const days = option('--days', quick ? '2' : '14').split(',').map(Number);
const warmup = option('--warmup', undefined); // passed to analyze --warmup
const baselineCli = option('--baseline-cli', undefined); // another build's dist/src/cli/main.js, timed on the same Prometheus
const leak = Number(option('--leak', '1')); // MiB/h per instance, in versions deployed after mid-window
// --data DIR: keep the loaded fleet in DIR/<instances>x<days>d (and reuse it on the next run with
// the same size and leak) instead of a temporary directory: load a big fleet once, time many builds.
const keptData = option('--data', undefined);
const repeat = Number(option('--repeat', '1')); // runs of each build, alternating; medians reported
// --compact: after timing on promtool's 2 h blocks, let Prometheus compact them (as a running
// Prometheus does: 2 h -> 6 h -> 18 h -> 54 h -> 162 h blocks) and time again.
const compact = args.includes('--compact');

if (!existsSync(cli)) fail('dist/ is missing: run `npm run build` first');
for (const tool of ['prometheus', 'promtool']) if (spawnSync(tool, ['--version']).error) fail(`${tool} is not installed (apt-get install prometheus)`);
const timeBinary = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

// Blocks must lie in the past and on whole minutes: the window ends at the last even hour, 2 h ago.
const freshEnd = Math.floor((Date.now() - 2 * units.HOUR) / (2 * units.HOUR)) * 2 * units.HOUR;
const rows = [];
for (const d of days) {
  for (const instances of sizes) {
    for (const row of await measure(instances, d)) {
      rows.push(row);
      console.log(JSON.stringify(row));
    }
  }
}
const figures = (r) => `${r.wallSeconds.toFixed(1)} | ${r.cpuSeconds.toFixed(1)} | ${r.prometheusCpuSeconds.toFixed(1)} | ${r.peakRssMB.toFixed(0)}`;
console.log(
  `\n| instances | days | blocks | samples in Prometheus | write + promtool s | lifetimes | verdict | analyze wall s | analyze CPU s | Prometheus CPU s | analyze peak RSS MB |${baselineCli ? ' baseline: wall s | CPU s | Prometheus CPU s | peak RSS MB | same verdict JSON |' : ''} load average |`,
);
console.log(`|---|---|---|---|---|---|---|---|---|---|---|${baselineCli ? '---|---|---|---|---|' : ''}---|`);
for (const r of rows) {
  console.log(
    `| ${r.instances} | ${r.days} | ${r.blocks} | ${(r.samples / 1e6).toFixed(1)} M | ${r.loadSeconds.toFixed(0)} | ${r.lifetimes} | ${r.verdict} | ${figures(r)} |${r.baseline ? ` ${figures(r.baseline)} | ${r.sameVerdict ? 'yes' : 'NO'} |` : ''} ${r.loadAverage} |`,
  );
}

async function measure(instances, d) {
  const scratch = mkdtempSync(join(tmpdir(), 'heapsleuth-fleetbench-'));
  const kept = keptData ? join(keptData, `${instances}x${d}d-leak${leak}`) : undefined;
  const dataDir = kept ? join(kept, 'data') : join(scratch, 'data');
  const loaded = kept && existsSync(join(kept, 'loaded.json')) ? JSON.parse(readFileSync(join(kept, 'loaded.json'), 'utf8')) : undefined;
  const end = loaded?.end ?? freshEnd;
  if (kept) mkdirSync(kept, { recursive: true });
  let prometheus;
  const stopPrometheus = async () => {
    if (!prometheus) return;
    const stopping = prometheus;
    prometheus = undefined;
    stopping.kill('SIGTERM');
    await new Promise((resolve) => stopping.once('exit', resolve));
  };
  try {
    const startMs = end - d * units.DAY;
    const model = fleetModel({ instances, startMs, endMs: end, seed: 16, leakMiBPerHour: leak, leakAfterMs: startMs + (d / 2) * units.DAY });
    const loadStarted = Date.now();
    const { bytes, samples } = loaded ?? loadFleet(model, dataDir, { scratch });
    const loadSeconds = loaded ? 0 : (Date.now() - loadStarted) / 1000;
    if (kept && !loaded) writeFileSync(join(kept, 'loaded.json'), JSON.stringify({ end, bytes, samples }));

    const results = [];
    for (const compacted of compact ? [false, true] : [false]) {
      const port = await freePort();
      prometheus = spawn(
        'prometheus',
        [
          `--config.file=${join(repoRoot, 'bench/fleet/prometheus.yml')}`,
          `--storage.tsdb.path=${dataDir}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--storage.tsdb.retention.time=100y',
          // Keep promtool's 2 h blocks as they are (no compaction competes with the timed run),
          // unless compacted blocks are what is timed.
          ...(compacted ? [] : ['--storage.tsdb.min-block-duration=2h', '--storage.tsdb.max-block-duration=2h']),
        ],
        { stdio: 'ignore' },
      );
      const url = `http://127.0.0.1:${port}`;
      await waitReady(url);
      if (compacted) await waitCompacted(url);
      if (compacted && kept) writeFileSync(join(kept, 'loaded.json'), JSON.stringify({ end, bytes, samples, compacted: true }));
      // Untimed: read every sample once, so that no build pays for reading the blocks from disk.
      await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: `count(count_over_time({job="${model.job}"}[${d * 24 + 1}h]))`, time: String(end / 1000) })}`);
      const blocks = `${blockCount(dataDir)}${compacted || loaded?.compacted ? ' compacted' : ' of 2 h'}`;

      // The builds in turn on the same Prometheus, `repeat` times, alternating.
      const runs = { heapsleuth: [], baseline: [] };
      const loadAverage = loadavg()
        .map((load) => load.toFixed(1))
        .join(' ');
      for (let round = 0; round < repeat; round++) {
        for (const [name, path] of [['heapsleuth', cli], ...(baselineCli ? [['baseline', baselineCli]] : [])]) {
          runs[name].push(analyzeOnce(path, url, model.job, d, end, join(scratch, `${name}-${round}.json`), prometheus.pid, name === 'heapsleuth' ? warmup : undefined));
        }
      }
      const verdictOf = (name, round) => readFileSync(join(scratch, `${name}-${round}.json`), 'utf8');
      const sameVerdict = baselineCli ? runs.baseline.every((_, round) => verdictOf('baseline', round) === verdictOf('heapsleuth', 0) && verdictOf('heapsleuth', round) === verdictOf('heapsleuth', 0)) : undefined;
      results.push({
        instances,
        days: d,
        blocks,
        samples,
        bytes,
        loadSeconds,
        loadAverage,
        ...medianRun(runs.heapsleuth),
        ...(baselineCli ? { baseline: medianRun(runs.baseline), sameVerdict } : {}),
      });
      await stopPrometheus();
    }
    return results;
  } finally {
    await stopPrometheus();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Per figure, the median over the runs of one build. */
function medianRun(runs) {
  const middle = (values) => [...values].sort((a, b) => a - b)[(values.length - 1) >> 1];
  const [first] = runs;
  return {
    lifetimes: first.lifetimes,
    verdict: first.verdict,
    wallSeconds: middle(runs.map((run) => run.wallSeconds)),
    cpuSeconds: middle(runs.map((run) => run.cpuSeconds)),
    prometheusCpuSeconds: middle(runs.map((run) => run.prometheusCpuSeconds)),
    peakRssMB: middle(runs.map((run) => run.peakRssMB)),
    ...(runs.length > 1 ? { runs: runs.map(({ wallSeconds, cpuSeconds, prometheusCpuSeconds, peakRssMB }) => ({ wallSeconds, cpuSeconds, prometheusCpuSeconds, peakRssMB })) } : {}),
  };
}

/** The blocks (ULID directories) of a Prometheus data directory. */
function blockCount(dataDir) {
  return readdirSync(dataDir).filter((name) => /^[0-9A-HJKMNP-TV-Z]{26}$/.test(name)).length;
}

/** Waits until Prometheus has compacted and its block count held still for 2 compaction cycles (1 min each). */
async function waitCompacted(url) {
  const metric = async (name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(await (await fetch(`${url}/metrics`)).text())?.[1] ?? NaN);
  let last = await metric('prometheus_tsdb_blocks_loaded');
  let stillSince = Date.now();
  for (;;) {
    await sleep(5000);
    const blocks = await metric('prometheus_tsdb_blocks_loaded');
    if (blocks !== last) {
      last = blocks;
      stillSince = Date.now();
    } else if ((await metric('prometheus_tsdb_compactions_total')) > 0 && Date.now() - stillSince > 130_000) return;
  }
}

function analyzeOnce(path, url, job, d, end, json, prometheusPid, warmup) {
  const analyze = [path, 'analyze', '--prometheus', url, '--job', job, '--since', `${d * 24}h`, '--until', new Date(end).toISOString(), '--json', json, ...(warmup ? ['--warmup', warmup] : [])];
  const command = timeBinary ? [timeBinary, '-v', process.execPath, ...analyze] : [process.execPath, ...analyze];
  const prometheusBefore = cpuOf(prometheusPid);
  const started = process.hrtime.bigint();
  const run = spawnSync(command[0], command.slice(1), { encoding: 'utf8', maxBuffer: 1 << 26 });
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const prometheusCpuSeconds = cpuOf(prometheusPid) - prometheusBefore;
  if (run.status !== 0 && run.status !== 1) throw new Error(`analyze failed (exit ${run.status}): ${run.stderr.slice(-2000)}`);
  const cpuSeconds = Number(/User time \(seconds\): ([\d.]+)/.exec(run.stderr)?.[1] ?? NaN) + Number(/System time \(seconds\): ([\d.]+)/.exec(run.stderr)?.[1] ?? NaN);
  const peakKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr)?.[1] ?? NaN);
  const verdict = JSON.parse(readFileSync(json, 'utf8'));
  const top = verdict.suspects[0];
  return {
    lifetimes: verdict.fleet.lifetimes,
    verdict: `${verdict.verdict}${top ? ` ${top.file}:${top.line} in ${top.versions.join(',') || '-'}` : ''}`,
    wallSeconds,
    cpuSeconds,
    prometheusCpuSeconds,
    peakRssMB: (peakKb * 1024) / 1e6,
  };
}

/** User + system CPU seconds of a process so far (Linux /proc), NaN elsewhere. */
function cpuOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 Hz on Linux)
  } catch {
    return NaN;
  }
}

async function waitReady(url) {
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`${url}/-/ready`)).ok) return;
    } catch {}
    await sleep(500);
  }
  throw new Error(`Prometheus at ${url} did not become ready`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function fail(message) {
  console.error(`bench/fleet/scale.mjs: ${message}`);
  process.exit(2);
}
