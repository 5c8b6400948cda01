// Why bench/real-leaks' napi-rs-canvas-encode case sometimes died by SIGSEGV under
// `heapsleuth run --native`: counts the crashes over N runs per variant, one run at a time.
// The cause is @napi-rs/canvas < 1.0.6 (Brooooooklyn/canvas#1312): encode() hands the libuv
// worker a bare pointer to the canvas's Skia surface, which any GC that collects the canvas
// (a young-generation one too) frees while the encode waits for a worker or runs.
//
// Deterministic, canvas-encode-crash/queued.cjs (an encode kept waiting behind busy workers):
//   queued             plain node, no heapsleuth, no jemalloc; gc() while the encode waits
//   queued-held        the same, the canvas held until its encode settles
//   queued-own-gc      plain node, no gc() call: V8's own scavenge comes while the encode waits
//   queued-run         heapsleuth run (--interval 250ms), no gc() call: the agent's tick is the GC
//   queued-run-held    the same, the canvas held
//   queued-run-sampler-native  heapsleuth run --sampler native (the agent forces no GC), no gc() call
// Statistical, canvas-encode-crash/workload.cjs (the case's HTTP badge service) for --seconds:
//   native             heapsleuth run --native, canvas dropped after encode() (the case as it was)
//   native-held        the same, the canvas held (the workaround, now in the case)
//   agent              heapsleuth run without --native (no jemalloc), canvas dropped
//   gc                 plain node, no heapsleuth, no jemalloc: gc() at each --interval, canvas dropped
//   plain              plain node, canvas dropped, only the program's own GCs
// Needs a build (npm run build) and the case installed (node bench/real-leaks/run.mjs installs it):
//   node bench/native/canvas-encode-crash.mjs [--runs 8] [--seconds 30] [--interval 3s]
//        [--variants queued,queued-run,native,...] [--heapsleuth dist/src/cli/main.js]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { casesDir, ensureInstalled } from '../real-leaks/lib/cases.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const workload = join(here, 'canvas-encode-crash', 'workload.cjs');
const queued = join(here, 'canvas-encode-crash', 'queued.cjs');

const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const at = argv.indexOf(name);
  return at >= 0 && argv[at + 1] !== undefined ? argv[at + 1] : fallback;
};
const heapsleuth = option('--heapsleuth', fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url)));
const runs = Number(option('--runs', 8));
const seconds = Number(option('--seconds', 30));
const interval = option('--interval', '3s');
const intervalMs = Number(/^(\d+)s$/.exec(interval)?.[1] ?? NaN) * 1000;
const QUEUED = ['queued', 'queued-held', 'queued-own-gc', 'queued-run', 'queued-run-held', 'queued-run-sampler-native'];
const WORKLOAD = ['native', 'native-held', 'agent', 'gc', 'plain'];
const variants = option('--variants', [...QUEUED, ...WORKLOAD].join(',')).split(',');
for (const variant of variants) {
  if (!QUEUED.includes(variant) && !WORKLOAD.includes(variant)) fail(`unknown variant ${variant} (variants: ${[...QUEUED, ...WORKLOAD].join(', ')})`);
}
if (!Number.isInteger(runs) || runs <= 0 || !Number.isInteger(seconds) || seconds <= 0) fail('--runs and --seconds need positive whole numbers');
if (!Number.isFinite(intervalMs) || intervalMs <= 0) fail('--interval needs whole seconds, e.g. 3s');
if (!existsSync(heapsleuth)) fail(`heapsleuth CLI not found: ${heapsleuth} (run npm run build)`);

function fail(message) {
  process.stderr.write(`bench/native/canvas-encode-crash: ${message}\n`);
  process.exit(2);
}

/** The command (argv) and environment of one run of a variant. */
function commandOf(variant, outDir) {
  const env = { ...process.env, DURATION_S: String(seconds), HOLD: variant.endsWith('-held') ? '1' : '0' };
  for (const name of Object.keys(env)) if (name.startsWith('HEAPSLEUTH_') || ['NODE_OPTIONS', 'LD_PRELOAD', 'MALLOC_CONF'].includes(name)) delete env[name];
  const run = (every, duration, ...options) => [heapsleuth, 'run', '--interval', every, '--duration', duration, '-q', ...options, '--out', outDir, '--'];
  // without a gc() of its own, the workers stay busy about a second per round
  const waiting = { GC: 'off', BUSY_ITERATIONS: '400000' };
  switch (variant) {
    case 'queued':
    case 'queued-held':
      return { args: ['--expose-gc', queued], env };
    case 'queued-own-gc':
      return { args: [queued], env: { ...env, ...waiting } };
    case 'queued-run':
    case 'queued-run-held':
      return { args: [...run('250ms', '60s'), 'node', queued], env: { ...env, ...waiting } };
    case 'queued-run-sampler-native':
      return { args: [...run('250ms', '60s', '--sampler', 'native'), 'node', queued], env: { ...env, ...waiting } };
    case 'native':
    case 'native-held':
      return { args: [...run(interval, `${seconds + 10}s`, '--native', '--native-dump-every', '16MiB'), 'node', workload], env };
    case 'agent':
      return { args: [...run(interval, `${seconds + 10}s`), 'node', workload], env };
    case 'gc':
      return { args: ['--expose-gc', workload], env: { ...env, GC_EVERY_MS: String(intervalMs) } };
    default:
      return { args: [workload], env };
  }
}

/** True when the workload died by SIGSEGV (as heapsleuth tells it, or seen directly). */
function crashed(args, result) {
  if (args[0] !== heapsleuth) return result.signal === 'SIGSEGV';
  return /killed by SIGSEGV/.test(`${result.stdout}${result.stderr}`);
}

ensureInstalled(join(casesDir, 'napi-rs-canvas-encode', 'fixed'));
process.stdout.write(`${runs} runs per variant; the workload variants run ${seconds} s, heapsleuth --interval ${interval}\n\n`);
process.stdout.write('variant                     crashed  runs\n');
for (const variant of variants) {
  let count = 0;
  for (let i = 0; i < runs; i += 1) {
    const outDir = mkdtempSync(join(tmpdir(), 'heapsleuth-canvas-crash-'));
    try {
      const { args, env } = commandOf(variant, outDir);
      const result = spawnSync(process.execPath, args, { env, encoding: 'utf8', timeout: (seconds + 90) * 1000 });
      if (crashed(args, result)) count += 1;
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  }
  process.stdout.write(`${variant.padEnd(27)} ${String(count).padStart(7)}  ${String(runs).padStart(4)}\n`);
}
