// Retainer paths of real heap snapshots: heapsleuth against memlab, side by side in one run.
// Each round also times `node -e ''`: Node's own start and RSS, the floor under any Node tool.
//
//   npm run build
//   npm install --prefix bench/snapshots/rivals --ignore-scripts   # memlab, outside the project
//   node bench/snapshots/run.mjs [sizes: MB of the second snapshot, default 50,500] [--keep] [--no-memlab]
//        [--data DIR] [--before DIR] [--repeat N]
//
// For each size, bench/snapshots/service.mjs grows a session store and writes two snapshots
// (before and after). Then, one after the other on the same files:
//   heapsleuth retainers old new --json out.json            (and with --retained)
//   the same with another build (--before DIR: a checkout with dist/ built), when asked
//   memlab find-leaks --baseline old --target new --final new --trace-all-objects
// each under /usr/bin/time (wall time, CPU time, peak RSS). The table goes to stdout and
// the raw numbers to bench/snapshots/results.json.
//
// --data DIR writes the snapshots into DIR/<size>/ once and reuses them in later runs (the
// 1.5 GB pair takes the service minutes and about 12 GB to write); they are kept.
// --before DIR also checks that both builds give the same groups (their JSON, byte for byte).
// --repeat N runs heapsleuth (and --before) N times in turn and reports medians (memlab runs once).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const cli = join(root, 'dist', 'src', 'cli', 'main.js');
const memlab = join(here, 'rivals', 'node_modules', 'memlab', 'bin', 'memlab');
const args = process.argv.slice(2);
const keep = args.includes('--keep');
const skipMemlab = args.includes('--no-memlab');
const sizes = (args.find((arg, i) => /^\d+(,\d+)*$/.test(arg) && !['--data', '--before', '--repeat'].includes(args[i - 1])) ?? '50,500').split(',').map(Number);
const optionValue = (name) => {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  if (!args[at + 1]) throw new Error(`${name} needs a directory`);
  return args[at + 1];
};
const dataDir = optionValue('--data');
const repeat = Number(optionValue('--repeat') ?? 1);
if (!Number.isInteger(repeat) || repeat < 1) throw new Error('--repeat needs a whole number of rounds');
const beforeDir = optionValue('--before');
const beforeCli = beforeDir === undefined ? undefined : join(beforeDir, 'dist', 'src', 'cli', 'main.js');
if (beforeCli !== undefined && !existsSync(beforeCli)) throw new Error(`--before: no ${beforeCli} (build that checkout first)`);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 30 * 60_000);

if (!existsSync(cli)) throw new Error('run npm run build first');
if (!existsSync('/usr/bin/time')) throw new Error('needs GNU time at /usr/bin/time (apt-get install time)');

/** Runs a command under GNU time; wall and CPU seconds, peak RSS bytes, exit status, last lines of stderr. */
function measure(command, commandArgs, options = {}) {
  const loadBefore = loadavg()[0];
  const result = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', command, ...commandArgs], {
    encoding: 'utf8',
    timeout: TIMEOUT_MS,
    maxBuffer: 256 * 1024 * 1024,
    ...options,
  });
  const lines = (result.stderr ?? '').trim().split('\n');
  const match = /^([\d.]+) ([\d.]+) ([\d.]+) (\d+)$/.exec(lines.at(-1) ?? '');
  const failed = result.status !== 0 || result.signal !== null || result.error !== undefined;
  return {
    // The 1-minute load average before and after: wall times on a shared machine mean little without it.
    load: [Number(loadBefore.toFixed(1)), Number(loadavg()[0].toFixed(1))],
    wallSeconds: match ? Number(match[1]) : undefined,
    cpuSeconds: match ? Number(match[2]) + Number(match[3]) : undefined,
    peakRssBytes: match ? Number(match[4]) * 1024 : undefined,
    failed,
    why: failed
      ? result.error?.code === 'ETIMEDOUT'
        ? `timed out after ${TIMEOUT_MS / 60000} min`
        : // V8's own fatal error line (e.g. "Reached heap limit Allocation failed - JavaScript heap out of memory") says how; the native stack after it does not.
          `exit ${result.status ?? result.signal}: ${(lines.find((line) => /FATAL ERROR|out of memory|heap limit/i.test(line)) ?? lines.filter((line) => !match || line !== lines.at(-1)).slice(-3).join(' | ')).slice(0, 300)}`
      : undefined,
    stdout: result.stdout,
  };
}

const work = dataDir ?? mkdtempSync(join(tmpdir(), 'heapsleuth-bench-snapshots-'));
const out = mkdtempSync(join(tmpdir(), 'heapsleuth-bench-snapshots-out-'));
const rows = [];
for (const size of sizes) {
  const dir = join(work, `${size}`);
  mkdirSync(dir, { recursive: true });
  const oldFile = join(dir, `old-${size}.heapsnapshot`);
  const newFile = join(dir, `new-${size}.heapsnapshot`);
  let made = { reused: true };
  if (!dataDir || !existsSync(oldFile) || !existsSync(newFile)) {
    made = measure(process.execPath, ['--max-old-space-size=16384', join(here, 'service.mjs'), dir, String(size)]);
    if (made.failed) {
      rows.push({ size, made, skipped: `could not write the snapshots: ${made.why}` });
      continue;
    }
  }
  const fileBytes = statSync(newFile).size;
  const oldBytes = statSync(oldFile).size;
  const json = (name) => join(out, `${size}-${name}.json`);
  // Rounds in the order before, now, now, before: a load that drifts during the run weighs on
  // both alike. With --repeat N, each number is the median of its N runs.
  const runs = { before: [], ours: [], oursRetained: [], beforeRetained: [], node: [] };
  for (let round = 0; round < repeat; round++) {
    // Node itself, started and stopped: the floor under any tool written for Node (start time, RSS).
    runs.node.push(measure(process.execPath, ['-e', '']));
    if (beforeCli) runs.before.push(measure(process.execPath, [beforeCli, 'retainers', oldFile, newFile, '--json', json('before')]));
    runs.ours.push(measure(process.execPath, [cli, 'retainers', oldFile, newFile, '--json', json('ours')]));
    runs.oursRetained.push(measure(process.execPath, [cli, 'retainers', oldFile, newFile, '--retained', '--json', json('ours-retained')]));
    if (beforeCli) runs.beforeRetained.push(measure(process.execPath, [beforeCli, 'retainers', oldFile, newFile, '--retained', '--json', json('before-retained')]));
  }
  const ours = median(runs.ours);
  const node = median(runs.node);
  const oursRetained = median(runs.oursRetained);
  const before = beforeCli && median(runs.before);
  const beforeRetained = beforeCli && median(runs.beforeRetained);
  const same = (a, b) => existsSync(json(a)) && existsSync(json(b)) && readFileSync(json(a)).equals(readFileSync(json(b)));
  const rival = skipMemlab
    ? { failed: true, why: 'not run (--no-memlab)' }
    : existsSync(memlab)
    ? // With the flags of memlab's own #! line (--expose-gc --max-old-space-size=4096).
      measure(process.execPath, ['--expose-gc', '--max-old-space-size=4096', memlab, 'find-leaks', '--baseline', oldFile, '--target', newFile, '--final', newFile, '--trace-all-objects', '--work-dir', join(out, `memlab-${size}`)])
    : { failed: true, why: 'memlab not installed (npm install --prefix bench/snapshots/rivals --ignore-scripts)' };
  rows.push({
    size,
    fileBytes,
    oldBytes,
    snapshotWriteSeconds: made.wallSeconds,
    snapshotWritePeakRssBytes: made.peakRssBytes,
    ours: strip(ours),
    oursRetained: strip(oursRetained),
    node: strip(node),
    ...(before ? { before: strip(before), beforeRetained: strip(beforeRetained), sameGroupsAsBefore: same('ours', 'before') && same('ours-retained', 'before-retained') } : {}),
    memlab: strip(rival),
  });
  if (!keep && !dataDir) rmSync(dir, { recursive: true, force: true });
}
if (!keep && !dataDir) rmSync(work, { recursive: true, force: true });
if (!keep) rmSync(out, { recursive: true, force: true });

/** Each number the median of the runs (the load averages: the lowest before and the highest after); failed if any failed. */
function median(list) {
  const failed = list.find((run) => run.failed);
  if (failed || list.length === 1) return failed ?? list[0];
  const mid = (key) => {
    const values = list.map((run) => run[key]).sort((a, b) => a - b);
    return values.length % 2 ? values[(values.length - 1) / 2] : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
  };
  return {
    load: [Math.min(...list.map((run) => run.load[0])), Math.max(...list.map((run) => run.load[1]))],
    wallSeconds: mid('wallSeconds'),
    cpuSeconds: mid('cpuSeconds'),
    peakRssBytes: mid('peakRssBytes'),
    failed: false,
    runs: list.length,
  };
}

function strip(run) {
  const { stdout, ...rest } = run;
  return rest;
}

const MB = 1e6;
const fmt = (value, digits = 1) => (value === undefined ? '–' : value.toFixed(digits));
// MB/s counts the second snapshot (the size the goal names); "pair" counts both files, though
// only the first one's `nodes` section is read (its highest id). Peak RSS is divided by the second file.
const table = [
  '| heap snapshot (new / old) | tool | wall s | CPU s | MB/s (new file / wall) | MB/s (pair / wall) | MB/s (new file / CPU) | peak RSS | RSS / new file | load avg before → after |',
  '|---|---|---|---|---|---|---|---|---|---|',
];
for (const row of rows) {
  if (row.skipped) {
    table.push(`| ${row.size} MB heap | – | ${row.skipped} | | | | | | | |`);
    continue;
  }
  const label = `${fmt(row.fileBytes / MB, 0)} MB / ${fmt(row.oldBytes / MB, 0)} MB`;
  for (const [tool, run] of [
    ['heapsleuth retainers', row.ours],
    ['heapsleuth retainers --retained', row.oursRetained],
    ...(row.before ? [['before: heapsleuth retainers', row.before], ['before: heapsleuth retainers --retained', row.beforeRetained]] : []),
    ['memlab find-leaks --trace-all-objects', row.memlab],
    ...(row.node ? [["node -e '' (Node alone: the floor)", row.node]] : []),
  ]) {
    if (run.failed) {
      table.push(`| ${label} | ${tool} | failed: ${run.why} | ${fmt(run.cpuSeconds)} | | | | ${run.peakRssBytes ? fmt(run.peakRssBytes / MB, 0) + ' MB' : ''} | | ${run.load?.join(' → ') ?? ''} |`);
      continue;
    }
    if (run === row.node) {
      // Reads no file: no MB/s.
      table.push(`| ${label} | ${tool} | ${fmt(run.wallSeconds, 2)} | ${fmt(run.cpuSeconds, 2)} | | | | ${fmt(run.peakRssBytes / MB, 0)} MB | ${fmt(run.peakRssBytes / row.fileBytes, 2)} | ${run.load.join(' → ')} |`);
      continue;
    }
    table.push(
      `| ${label} | ${tool} | ${fmt(run.wallSeconds)} | ${fmt(run.cpuSeconds)} | ${fmt(row.fileBytes / MB / run.wallSeconds, 0)} | ${fmt((row.fileBytes + row.oldBytes) / MB / run.wallSeconds, 0)} | ${fmt(row.fileBytes / MB / run.cpuSeconds, 0)} | ${fmt(run.peakRssBytes / MB, 0)} MB | ${fmt(run.peakRssBytes / row.fileBytes, 2)} | ${run.load.join(' → ')} |`,
    );
  }
  if (row.before && !row.before.failed && !row.ours.failed) {
    table.push(`| ${label} | before / now | ${fmt(row.before.wallSeconds / row.ours.wallSeconds, 2)}x | ${fmt(row.before.cpuSeconds / row.ours.cpuSeconds, 2)}x | | | | ${fmt(row.before.peakRssBytes / row.ours.peakRssBytes, 2)}x | | same groups: ${row.sameGroupsAsBefore ? 'yes' : 'NO'} |`);
  }
  if (row.node && !row.node.failed && !row.ours.failed) {
    table.push(`| ${label} | heapsleuth above the floor | ${fmt(row.ours.wallSeconds - row.node.wallSeconds)} | ${fmt(row.ours.cpuSeconds - row.node.cpuSeconds)} | ${fmt(row.fileBytes / MB / (row.ours.wallSeconds - row.node.wallSeconds), 0)} | | ${fmt(row.fileBytes / MB / (row.ours.cpuSeconds - row.node.cpuSeconds), 0)} | ${fmt((row.ours.peakRssBytes - row.node.peakRssBytes) / MB, 0)} MB | ${fmt((row.ours.peakRssBytes - row.node.peakRssBytes) / row.fileBytes, 2)} | |`);
  }
  if (!row.memlab.failed && !row.ours.failed) {
    table.push(`| ${label} | memlab / heapsleuth | ${fmt(row.memlab.wallSeconds / row.ours.wallSeconds)}x | ${fmt(row.memlab.cpuSeconds / row.ours.cpuSeconds)}x | | | | ${fmt(row.memlab.peakRssBytes / row.ours.peakRssBytes)}x | | |`);
  }
}
for (const row of rows.filter((row) => !row.skipped && row.snapshotWriteSeconds !== undefined)) {
  table.push(`| ${fmt(row.fileBytes / MB, 0)} MB / ${fmt(row.oldBytes / MB, 0)} MB | (writing both snapshots in the service) | ${fmt(row.snapshotWriteSeconds)} | | | | | ${fmt(row.snapshotWritePeakRssBytes / MB, 0)} MB | | |`);
}
// Rows of other sizes from earlier runs are kept (each row has its own date).
const resultsFile = join(here, 'results.json');
const earlier = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : { rows: [] };
const dated = rows.map((row) => ({ ...row, date: new Date().toISOString(), node: process.version }));
const merged = [...earlier.rows.filter((row) => !sizes.includes(row.size)).map((row) => ({ date: earlier.date, node: earlier.node, ...row })), ...dated].sort((a, b) => a.size - b.size);
writeFileSync(resultsFile, JSON.stringify({ rows: merged }, null, 2) + '\n');
console.log(table.join('\n'));
