import { createFolder } from '../agent/create-folder.js';
import { join } from 'node:path';
import type { Command } from './command.js';
import { CliError, EXIT } from './cli-error.js';
import { parseBytes, parseDuration, parseOptions } from './parse-options.js';
import { agentEnvironment } from './agent-env.js';
import { TargetProcess, type TargetExit } from './target-process.js';
import { judgeRun } from './judge-run.js';
import { RunProgress } from './run-progress.js';
import { GrowingRecordings } from './growing-recordings.js';
import { RetainerTrigger } from './retainer-trigger.js';
import { writeOutput } from './write-output.js';
import { crashAdvice } from './crash-signal.js';
import { nativeRun, type NativeRun } from '../native/native-run.js';
import { signalOfExitCode } from '../native/final-dump-exit.js';

const USAGE = `Usage: heapsleuth run [options] -- <command...>

Runs a Node.js (or Python) command with the heapsleuth agent preloaded, shows what its
memory does while it runs, stops it after --duration, and prints the leak verdict.

Options:
  --interval TIME          time between snapshots (default 5s)
  --duration TIME          stop the command after this long (SIGINT, then SIGTERM);
                           without it, runs until the command exits or Ctrl-C
  --sampling-interval SIZE mean bytes between sampled allocations (default 64KiB: finer
                           than the agent's 256KiB in production, for short runs)
  --sampler KIND           inspector (default: a full GC per snapshot, exact live
                           memory), native (no GC pause; needs @datadog/pprof) or auto
  --inlining               let V8 inline functions as in production (faster, but the
                           allocations of a small function are charged to its caller);
                           by default run turns inlining off so each site is exact
  --out DIR                where recordings go (default .heapsleuth/run-<time>)
  --json FILE              write the JSON verdict to FILE ('-' for stdout)
  --html FILE              write the HTML report to FILE
  --fail-on-leak           exit with code 1 when the verdict is 'leak' (for CI)
  --retainers              heap snapshots from the start (one interval in, late ones
                           while it runs, one when it stops), at any heap size, instead
                           of only once a leak is seen (the default, see below)
  --no-retainers           no heap snapshots at all, not even when a leak is seen
  --retainers-max-heap SIZE  the used JS heap above which a leak seen while it runs
                           starts no heap snapshots (default 64MiB)
  --native                 also profile native memory: preload jemalloc with heap
                           profiling, so a growing native gap is named by library and
                           function (needs ${'`'}apt-get install -y libjemalloc2${'`'}; see docs/native.md)
  --native-sampling SIZE   mean bytes between sampled native allocations (default 512KiB)
  --native-dump-every SIZE allocated bytes between allocator dumps (default 256MiB)
  --agent-logs             let the agent log its events to stderr too
  -q, --quiet              no live view, only the verdict
  -h, --help               show this help

TIME is e.g. 500ms, 5s, 2m, 1h; SIZE e.g. 65536, 64KiB.

Who keeps the leak alive: while the command runs, run analyses its recording the way it
judges it at the end. Once that is a leak with a suspect at 99% confidence or more (four
looks in a row, not before two thirds of --duration, and not while the suspect's growth is
held by objects young enough to be a bounded lifetime), it asks the command for heap
snapshots (one then, late ones while it runs, one when it stops) and the verdict shows
who keeps each suspect's objects alive, from the objects allocated after that moment.
A command that does not leak gets none.
Each snapshot pauses the command (1 to 2.5 s per 10 MiB of heap on a busy machine)
and needs about 16 times its used heap in free memory (refused when the container or
machine lacks it); after the first one its GCs cost more. So they start only while the
used heap is under --retainers-max-heap; above it, one line says they were skipped. See
docs/retainers.md.

On a terminal the command stays in its foreground and can read it (prompts, /dev/tty);
the live view draws on standard error. Whatever the command leaves running when it
exits is stopped (SIGTERM, then SIGKILL).

Exit codes: 0 done, 1 leak found with --fail-on-leak, 2 bad usage or command not found,
4 the command failed on its own (non-zero exit or crash; 1 instead when a leak was found
with --fail-on-leak), 5 nothing was recorded with --fail-on-leak (a gate never passes on
no evidence; the verdict is 'inconclusive').

Examples:
  heapsleuth run --duration 2m -- node dist/server.js
  heapsleuth run --fail-on-leak --duration 90s --json verdict.json -- node test/soak.js
  heapsleuth run --duration 5m -- python3 app.py
  heapsleuth run --native --duration 5m -- node server.js`;

/** How long the command gets after each stop signal while heap snapshots are written: the final one takes seconds to minutes. */
const SNAPSHOT_GRACE_MS = 120_000;

export const command: Command = {
  name: 'run',
  usage: USAGE,
  run,
};

async function run(args: string[]): Promise<number> {
  const separator = args.indexOf('--');
  const ownArgs = separator === -1 ? args : args.slice(0, separator);
  const target = separator === -1 ? [] : args.slice(separator + 1);
  const { values, positionals } = parseOptions(
    ownArgs,
    {
      interval: { type: 'string', default: '5s' },
      duration: { type: 'string' },
      'sampling-interval': { type: 'string', default: '64KiB' },
      sampler: { type: 'string', default: 'inspector' },
      out: { type: 'string' },
      json: { type: 'string' },
      html: { type: 'string' },
      'fail-on-leak': { type: 'boolean', default: false },
      retainers: { type: 'boolean', default: false },
      'no-retainers': { type: 'boolean', default: false },
      'retainers-max-heap': { type: 'string', default: '64MiB' },
      native: { type: 'boolean', default: false },
      'native-sampling': { type: 'string', default: '512KiB' },
      'native-dump-every': { type: 'string', default: '256MiB' },
      'agent-logs': { type: 'boolean', default: false },
      inlining: { type: 'boolean', default: false },
      quiet: { type: 'boolean', short: 'q', default: false },
    },
    'run',
  );
  const command = [...positionals, ...target];
  if (command.length === 0) throw new CliError("run: no command given: put it after '--', e.g. heapsleuth run -- node server.js");
  const { intervalMs, durationMs } = shortenedForDocTest(
    parseDuration(values.interval, '--interval'),
    values.duration === undefined ? undefined : parseDuration(values.duration, '--duration'),
  );
  const samplingIntervalBytes = parseBytes(values['sampling-interval'], '--sampling-interval');
  const sampler = values.sampler;
  if (sampler !== 'inspector' && sampler !== 'native' && sampler !== 'auto') throw new CliError(`--sampler: use inspector, native or auto, not ${JSON.stringify(sampler)}`);
  const nativeSettings = values.native
    ? {
        samplingBytes: parseBytes(values['native-sampling'], '--native-sampling'),
        dumpEveryBytes: parseBytes(values['native-dump-every'], '--native-dump-every'),
      }
    : undefined;
  if (values.retainers && values['no-retainers']) throw new CliError('run: --retainers and --no-retainers contradict each other; give one');
  const retainers = values.retainers ? 'on' : values['no-retainers'] ? 'off' : 'auto';
  const retainersMaxHeapBytes = parseBytes(values['retainers-max-heap'], '--retainers-max-heap');
  const startedAt = new Date();
  const outDir = values.out ?? join('.heapsleuth', `run-${startedAt.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`);
  try {
    createFolder(outDir);
  } catch (error) {
    throw new CliError(`--out ${outDir}: cannot create the folder: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  for (const [flag, path] of [['--json', values.json], ['--html', values.html]] as const) {
    if (path && path !== '-') writeOutput(path, '', flag, true);
  }

  const env = agentEnvironment({
    outDir,
    intervalMs,
    samplingIntervalBytes,
    agentLogs: values['agent-logs'],
    sampler,
    inlining: values.inlining,
    retainers,
    retainersMaxHeapBytes,
  });
  let native: NativeRun | undefined;
  if (nativeSettings) {
    native = nativeRun(outDir, nativeSettings, env);
    Object.assign(env, native.env);
  }
  // A command that reads the terminal must stay in its foreground process group. A heap
  // snapshot at the stop blocks the command for seconds to minutes: give it that long before SIGTERM.
  const foreground = process.stdin.isTTY === true;
  const targetProcess = new TargetProcess(command, env, { foreground, ...(retainers === 'on' ? { graceMs: SNAPSHOT_GRACE_MS } : {}) });
  const nativeTimer = native && setInterval(() => native.collect(), intervalMs).unref();
  const recordings = new GrowingRecordings(outDir);
  const progress = new RunProgress({ outDir, durationMs, intervalMs, startedAt: startedAt.getTime(), quiet: values.quiet, recordings });
  progress.start();
  const trigger = retainers === 'auto' ? new RetainerTrigger(recordings, intervalMs, () => targetProcess.extendGrace(SNAPSHOT_GRACE_MS), ((durationMs ?? 0) * 2) / 3) : undefined;
  trigger?.start();

  let interrupts = 0;
  const onInterrupt = () => {
    interrupts += 1;
    if (interrupts === 1) {
      progress.note('stopping the command (Ctrl-C again to kill it)…');
      targetProcess.stop(true);
    } else {
      targetProcess.kill();
    }
  };
  const onTerminate = () => targetProcess.stop();
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onTerminate);
  process.on('SIGHUP', onTerminate);
  const durationTimer = durationMs === undefined ? undefined : setTimeout(() => targetProcess.stop(), durationMs);

  let exit: TargetExit;
  try {
    exit = await targetProcess.exited;
  } finally {
    clearTimeout(durationTimer);
    clearInterval(nativeTimer);
    trigger?.stop();
    native?.collect();
    native?.prune();
    progress.stop();
    process.removeListener('SIGINT', onInterrupt);
    process.removeListener('SIGTERM', onTerminate);
    process.removeListener('SIGHUP', onTerminate);
  }

  // Under --native the agent ends a stopped Node command with exit(128 + n) instead of
  // re-raising the signal, so that jemalloc writes its final dump: the same as a signal death.
  const stopSignal = native ? signalOfExitCode(exit.code) : null;
  if (stopSignal) exit = { ...exit, code: null, signal: stopSignal };
  const targetFailed = !exit.stoppedByUs && (exit.signal !== null || (exit.code ?? 0) !== 0);
  if (targetFailed) {
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    process.stderr.write(`heapsleuth: the command ${how}; judging what was recorded\n`);
    for (const line of crashAdvice(exit.signal)) process.stderr.write(`heapsleuth: ${line}\n`);
  }
  const judged = await judgeRun(outDir, { json: values.json, html: values.html }, { retainers: retainers !== 'off' });
  if (judged.leak && values['fail-on-leak']) return EXIT.leak;
  if (judged.nothingRecorded && values['fail-on-leak']) return EXIT.noEvidence;
  return targetFailed ? EXIT.commandFailed : EXIT.ok;
}

/**
 * The documentation test (test/documented-examples.test.ts) runs every example as written,
 * only shorter: HEAPSLEUTH_DOC_TEST_DURATION caps --duration, and the interval at a sixteenth
 * of it so that a shortened run still gets enough samples for a verdict.
 */
function shortenedForDocTest(intervalMs: number, durationMs: number | undefined): { intervalMs: number; durationMs: number | undefined } {
  const cap = process.env['HEAPSLEUTH_DOC_TEST_DURATION'];
  if (!cap || durationMs === undefined) return { intervalMs, durationMs };
  const capMs = parseDuration(cap, 'HEAPSLEUTH_DOC_TEST_DURATION');
  const shortened = Math.min(durationMs, capMs);
  return { intervalMs: Math.min(intervalMs, Math.max(100, Math.round(shortened / 16))), durationMs: shortened };
}
