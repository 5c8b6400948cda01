// Times `heapsleuth analyze` on long recordings written by the real encoder, as a child
// process, and reads its peak RSS. Usage (after `npm run build`):
//   node bench/analyze/run.mjs [--before DIR] [--quick] [--case TEXT] [--data DIR] [--generate-only]
// --before DIR: also time the heapsleuth checkout in DIR (built), side by side.
// --case TEXT: only the cases whose name holds TEXT (e.g. folder).
// --data DIR: write the recordings there once and reuse them on later runs (kept);
//   without it they go to a temp folder that is removed at the end.
// --generate-only: write the recordings, time nothing.
// --repeat N: run each case N times, after and before alternating, and report the medians.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, openSync, writeSync, closeSync, rmSync, statSync, existsSync, renameSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const { RecordingEncoder } = await import(join(root, 'dist/src/formats/recording.js'));
const { Snapshot } = await import(join(root, 'dist/src/model/snapshot.js'));
const { Frame } = await import(join(root, 'dist/src/model/frame.js'));
const { Traceback } = await import(join(root, 'dist/src/model/traceback.js'));

const args = process.argv.slice(2);
const beforeAt = args.indexOf('--before');
const before = beforeAt >= 0 ? resolve(args[beforeAt + 1]) : undefined;
const quick = args.includes('--quick');
const caseAt = args.indexOf('--case');
const only = caseAt >= 0 ? args[caseAt + 1] : undefined;
const dataAt = args.indexOf('--data');
const keep = dataAt >= 0;
const generateOnly = args.includes('--generate-only');
const repeatAt = args.indexOf('--repeat');
const repeat = repeatAt >= 0 ? Math.max(1, Number(args[repeatAt + 1])) : 1;
const SITES = 2000;
const LEAKING = 5;
const TICK_MS = 60_000;
const DAY = 1440;
const work = keep ? resolve(args[dataAt + 1], quick ? 'quick' : 'full') : join(tmpdir(), `heapsleuth-bench-analyze-${process.pid}`);
mkdirSync(work, { recursive: true });

const stacks = Array.from({ length: SITES }, (_, i) =>
  new Traceback([new Frame(`src/module-${i % 97}.js`, 10 + i, `site${i}`, 4), new Frame(`src/routes-${i % 13}.js`, 200 + (i % 31), 'handle', 2), new Frame('node:internal/timers', 1, 'listOnTimeout', 0)]),
);

/** A recording of `ticks` one-minute samples, written through the real encoder (one header per lifetime when `lifetimes` > 1 in one file). */
function writeRecording(path, ticks, { startTick = 0, pid = 4242 } = {}) {
  const encoder = new RecordingEncoder();
  const fd = openSync(`${path}.part`, 'w');
  const start = Date.UTC(2026, 9, 1) + startTick * TICK_MS;
  writeSync(
    fd,
    encoder.encodeHeader({
      runtime: 'node', runtimeVersion: 'v20.20.2', pid, ppid: 1, hostname: 'web-1', service: 'checkout', argv: ['node', 'server.js'], cwd: '/srv',
      startTime: new Date(start).toISOString(), sampling: { sampler: 'inspector', intervalBytes: 262144, stackDepth: 64, generations: true },
      limits: { heapLimitBytes: 4345298944, cgroupLimitBytes: 2147483648 }, agent: { name: 'heapsleuth', version: '0.1.0' },
    }),
  );
  const metadata = { runtime: 'node', takenAt: '', samplingIntervalBytes: 262144, stackDepth: 64 };
  let pending = '';
  for (let t = 0; t < ticks; t++) {
    const global = startTick + t;
    const traces = stacks.map((traceback, i) => {
      const base = 262144 * (1 + (i % 40));
      const churn = (global * 7919 + i * 104729) % 9;
      const size = i < LEAKING ? base + global * 4096 : base + churn * 262144;
      // churning sites lose old samples now and then (the 4th row column); leaks never do
      return { traceback, size, count: Math.max(1, Math.round(size / 262144)), ...(i >= LEAKING && churn === 0 ? { oldDeaths: 1 } : {}) };
    });
    const heapUsed = 60e6 + global * 1000 + (global % 17) * 1e5;
    const process = {
      time: start + t * TICK_MS,
      memory: { rss: heapUsed + 90e6, heapTotal: heapUsed + 20e6, heapUsed, external: 3e6, arrayBuffers: 2e5 },
      heapSpaces: { new_space: { size: 16e6, used: 4e6 }, old_space: { size: heapUsed, used: heapUsed - 1e6 }, code_space: { size: 4e6, used: 3e6 } },
      gc: { minor: { count: global * 30, pauseMs: global * 12.5 }, major: { count: global, pauseMs: global * 8.25 } },
      handles: { TCPSocketWrap: 12 + (global % 5), Timeout: 4 },
      openFds: 30,
    };
    // the agent's last tick as the process stops is marked final (judged apart from the running phase)
    pending += encoder.encodeSample(new Snapshot(traces, metadata), process, { tickMs: 3.5, ...(t === ticks - 1 ? { final: 'exit' } : {}) });
    encoder.commit();
    if (pending.length > 8e6) {
      writeSync(fd, pending);
      pending = '';
    }
  }
  writeSync(fd, pending + encoder.encodeEnd({ time: start + ticks * TICK_MS, reason: 'exit' }));
  closeSync(fd);
  renameSync(`${path}.part`, path); // whole or absent: --data reuses what is there
}

function mb(bytes) {
  return Math.round(bytes / 1e6);
}

/** Runs `heapsleuth analyze --json -` under /usr/bin/time -v: wall seconds, peak RSS MB, and the verdict. */
function analyze(cliRoot, target) {
  const started = process.hrtime.bigint();
  const out = join(work, 'verdict.json');
  rmSync(out, { force: true });
  const result = spawnSync('/usr/bin/time', ['-v', process.execPath, join(cliRoot, 'dist/src/cli/main.js'), 'analyze', target, '--json', out], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const peak = /Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr);
  const cpu = ['User', 'System'].reduce((sum, kind) => sum + Number(new RegExp(`${kind} time \\(seconds\\): ([\\d.]+)`).exec(result.stderr)?.[1] ?? NaN), 0);
  let verdict = `exit ${result.status}`;
  try {
    const json = JSON.parse(readFileSync(out, 'utf8'));
    verdict = `${json.verdict}, ${json.suspects.length} suspects, ${json.window.samples} samples, ${json.restarts.length} restarts`;
  } catch {
    verdict += `: ${result.stderr.split('\n').find((line) => line.startsWith('heapsleuth')) ?? ''}`;
  }
  return { seconds, cpu, peakMb: peak ? Math.round(Number(peak[1]) / 1024) : NaN, verdict };
}

/** The median of each number over runs (the verdict of the first run). */
function medians(runs) {
  const median = (key) => runs.map((run) => run[key]).sort((a, b) => a - b)[Math.floor(runs.length / 2)];
  return { seconds: median('seconds'), cpu: median('cpu'), peakMb: median('peakMb'), verdict: runs[0].verdict };
}

const cases = [];
const scale = quick ? 0.1 : 1;
for (const days of [7.5, 30]) {
  const ticks = Math.round(days * DAY * scale);
  const path = join(work, `single-${days}d.ndjson`);
  cases.push({ name: `one recording, ${days * scale} days (${ticks} ticks), ${SITES} sites`, target: path, make: () => writeRecording(path, ticks) });
}
{
  const ticks = Math.round(30 * DAY * scale);
  const folder = join(work, 'restarts');
  cases.push({
    name: `30 days (${ticks} ticks) over 11 lifetimes (10 restarts), ${SITES} sites`,
    target: folder,
    make: () => {
      mkdirSync(`${folder}.part`, { recursive: true });
      const per = Math.floor(ticks / 11);
      for (let i = 0; i < 11; i++) writeRecording(join(`${folder}.part`, `checkout-${5000 + i}.ndjson`), per, { startTick: i * per, pid: 5000 + i });
      renameSync(`${folder}.part`, folder);
    },
  });
}
for (const count of quick ? [10, 50] : [50]) {
  const ticks = Math.round((DAY / 2) * scale);
  const folder = join(work, `folder-${count}`);
  cases.push({
    name: `a folder of ${count} recordings of 12 h (${ticks} ticks) each, ${SITES} sites`,
    target: folder,
    make: () => {
      mkdirSync(`${folder}.part`, { recursive: true });
      for (let i = 0; i < count; i++) writeRecording(join(`${folder}.part`, `checkout-${6000 + i}.ndjson`), ticks, { pid: 6000 + i });
      renameSync(`${folder}.part`, folder);
    },
  });
}

console.log(repeat > 1 ? `Medians of ${repeat} runs each, after and before alternating.\n` : '');
console.log(`| case | size MB | after: wall s | after: CPU s | after: peak MB | before: wall s | before: CPU s | before: peak MB | CPU before / after | load avg | verdict (after; before) |`);
console.log(`|---|---|---|---|---|---|---|---|---|---|---|`);
for (const entry of cases) {
  if (only && !entry.name.includes(only)) continue;
  if (!keep || !existsSync(entry.target)) entry.make();
  if (generateOnly) continue;
  const size = existsSync(entry.target) && statSync(entry.target).isDirectory()
    ? spawnSync('du', ['-sb', entry.target], { encoding: 'utf8' }).stdout.split('\t')[0]
    : statSync(entry.target).size;
  const load = loadavg()[0];
  const afters = [];
  const befores = [];
  for (let run = 0; run < repeat; run++) {
    afters.push(analyze(root, entry.target));
    if (before) befores.push(analyze(before, entry.target));
  }
  const after = medians(afters);
  const was = before ? medians(befores) : undefined;
  const ratio = was ? (was.cpu / after.cpu).toFixed(1) : '-';
  console.log(
    `| ${entry.name} | ${mb(Number(size))} | ${after.seconds.toFixed(1)} | ${after.cpu.toFixed(1)} | ${after.peakMb} | ${was ? was.seconds.toFixed(1) : '-'} | ${was ? was.cpu.toFixed(1) : '-'} | ${was ? was.peakMb : '-'} | ${ratio} | ${load.toFixed(1)}-${loadavg()[0].toFixed(1)} | ${after.verdict}${was ? `; ${was.verdict}` : ''} |`,
  );
  if (!keep) rmSync(entry.target, { recursive: true, force: true });
}
if (!keep) rmSync(work, { recursive: true, force: true });
