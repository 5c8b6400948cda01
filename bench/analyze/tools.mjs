// Times `heapsleuth top`, `diff` and `export` on the long recordings bench/analyze/run.mjs
// writes (one recording of 7.5 and of 30 days, 2 000 sites), as child processes, and reads
// their peak RSS; with --before, the same commands of another build side by side, and
// whether both printed and wrote the same bytes. Usage (after `npm run build`):
//   node bench/analyze/tools.mjs [--before DIR] [--data DIR] [--repeat N] [--case TEXT]
// --before DIR: also time the heapsleuth checkout in DIR (built), alternating with this one.
// --data DIR: where run.mjs wrote (or is to write) its recordings: `run.mjs --data DIR`;
//   without it they are written to a temp folder and removed at the end.
// --repeat N: run each command N times and report the medians.
// --case TEXT: only the recordings whose file name holds TEXT (e.g. 30d).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const before = option('--before') && resolve(option('--before'));
const keep = option('--data') !== undefined;
const data = keep ? resolve(option('--data')) : join(tmpdir(), `heapsleuth-bench-tools-${process.pid}`);
const repeat = Math.max(1, Number(option('--repeat') ?? 1));
const only = option('--case');
const work = join(tmpdir(), `heapsleuth-bench-tools-out-${process.pid}`);
mkdirSync(work, { recursive: true });

const recordings = ['single-7.5d.ndjson', 'single-30d.ndjson'].map((name) => join(data, 'full', name)).filter((path) => !only || path.includes(only));
if (recordings.some((path) => !existsSync(path))) {
  const made = spawnSync(process.execPath, [join(root, 'bench/analyze/run.mjs'), '--data', data, '--case', 'one recording', '--generate-only'], { stdio: 'inherit' });
  if (made.status !== 0) process.exit(1);
}

// The newest tick, a tick by time, the first against the newest, and the newest as pprof.
const START = Date.UTC(2026, 9, 1);
const commands = [
  { name: 'top', args: (file) => ['top', file] },
  { name: 'top --at TIME (day 5, 12:00)', args: (file) => ['top', file, '--at', new Date(START + 4.5 * 86_400_000).toISOString()] },
  { name: 'diff (first, newest)', args: (file) => ['diff', file] },
  { name: 'export -o heap.pb.gz', args: (file) => ['export', file, '-o', join(work, 'heap.pb.gz')], output: join(work, 'heap.pb.gz') },
];

/** Runs one command of the build in `cliRoot` under /usr/bin/time -v: wall and CPU seconds, peak RSS MB, and a hash of what it printed and wrote. */
function measure(cliRoot, command, file) {
  if (command.output) rmSync(command.output, { force: true });
  const started = process.hrtime.bigint();
  const result = spawnSync('/usr/bin/time', ['-v', process.execPath, join(cliRoot, 'dist/src/cli/main.js'), ...command.args(file)], { maxBuffer: 256 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const stderr = result.stderr.toString('utf8');
  const peak = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  const cpu = ['User', 'System'].reduce((sum, kind) => sum + Number(new RegExp(`${kind} time \\(seconds\\): ([\\d.]+)`).exec(stderr)?.[1] ?? NaN), 0);
  const exit = /Exit status: (\d+)/.exec(stderr)?.[1] ?? String(result.status);
  const hash = createHash('sha256').update(result.stdout);
  if (command.output && existsSync(command.output)) hash.update(readFileSync(command.output));
  const error = stderr.split('\n').find((line) => line.startsWith('heapsleuth:') && !line.startsWith('heapsleuth: wrote'));
  return { seconds, cpu, peakMb: peak ? Math.round(Number(peak[1]) / 1024) : NaN, ok: exit === '0', hash: hash.digest('hex'), error: exit === '0' ? undefined : `exit ${exit}: ${error ?? ''}` };
}

function medians(runs) {
  const median = (key) => runs.map((run) => run[key]).sort((a, b) => a - b)[Math.floor(runs.length / 2)];
  return { ...runs[0], seconds: median('seconds'), cpu: median('cpu'), peakMb: median('peakMb') };
}

console.log(repeat > 1 ? `Medians of ${repeat} runs each, after and before alternating.\n` : '');
console.log('| recording | command | after: wall s | after: CPU s | after: peak MB | before: wall s | before: CPU s | before: peak MB | load avg | same output |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const file of recordings) {
  const label = `${file.split('/').pop()} (${Math.round(statSync(file).size / 1e6)} MB)`;
  for (const command of commands) {
    const load = loadavg()[0];
    const afters = [];
    const befores = [];
    for (let run = 0; run < repeat; run++) {
      afters.push(measure(root, command, file));
      if (before) befores.push(measure(before, command, file));
    }
    const after = medians(afters);
    const was = before ? medians(befores) : undefined;
    const cells = (m) => (m ? [m.seconds.toFixed(1), m.cpu.toFixed(1), m.peakMb] : ['-', '-', '-']);
    let same = '-';
    if (!after.ok) same = `after failed (${after.error})`;
    else if (was && !was.ok) same = `before failed (${was.error})`;
    else if (was) same = was.hash === after.hash ? 'yes' : 'NO';
    console.log(`| ${label} | ${command.name} | ${cells(after).join(' | ')} | ${cells(was).join(' | ')} | ${load.toFixed(1)}-${loadavg()[0].toFixed(1)} | ${same} |`);
  }
}
rmSync(work, { recursive: true, force: true });
if (!keep) rmSync(data, { recursive: true, force: true });
