import { join } from 'node:path';
import type { Command } from './command.js';
import { CliError, EXIT } from './cli-error.js';
import { parseBytes, parseDuration, parseOptions } from './parse-options.js';
import { judgeRun } from './judge-run.js';
import { RunProgress } from './run-progress.js';
import { writeOutput } from './write-output.js';
import { AttachError } from '../attach/attach-error.js';
import { AttachSession, type AttachTarget, type DetachOutcome } from '../attach/attach-session.js';
import { hostPort } from '../attach/inspector-endpoint.js';

const USAGE = `Usage: heapsleuth attach <pid> [options]
       heapsleuth attach --port 9229 [--host 127.0.0.1] [options]

Attaches to a Node.js process that is already running, without a restart: opens its
inspector (SIGUSR1, as Chrome DevTools does), samples its live memory for --duration,
writes the same recording as the agent, prints the leak verdict, and leaves the process
as it was: sampling stopped, the inspector closed again (an inspector that was open
before, e.g. --inspect, stays open). With --port, attaches to an inspector already
listening there (a process in a container whose pid is not visible).

Each read makes the target run a full, blocking garbage collection: a fraction of a
second on a 100 MB heap, a second or more on a 1 GB heap, several on a busy host
(bench/README.md). Keep --interval long on a loaded service.

Options:
  --duration TIME          detach after this long; without it, runs until Ctrl-C or
                           until the process exits
  --interval TIME          time between reads (default 30s)
  --sampling-interval SIZE mean bytes between sampled allocations (default 64KiB)
  --port N                 attach to the inspector on this port instead of a pid
  --host ADDRESS           with --port: the inspector's address (default 127.0.0.1)
  --allow-remote-inspector attach even when the inspector listens on an address other
                           hosts can reach (anyone who reaches it can run code there)
  --service NAME           service name in the recording (default: the entry script's)
  --out DIR                where the recording goes (default .heapsleuth/attach-<time>)
  --json FILE              write the JSON verdict to FILE ('-' for stdout)
  --html FILE              write the HTML report to FILE
  --fail-on-leak           exit with code 1 when the verdict is 'leak'
  -q, --quiet              no live view, only the verdict
  -h, --help               show this help

TIME is e.g. 500ms, 5s, 2m, 1h; SIZE e.g. 65536, 64KiB.

Exit codes: 0 done, 1 leak found with --fail-on-leak, 2 bad usage or cannot attach (no
such pid, not Node.js, permission denied, inspector disabled, port taken, remote
inspector), 4 the process exited while attached and no leak was found, 5 nothing was
recorded with --fail-on-leak (a gate never passes on no evidence).

Examples:
  heapsleuth attach 4121 --duration 10m --json verdict.json --html report.html
  heapsleuth attach --port 9229 --duration 5m --interval 1m`;

export const command: Command = {
  name: 'attach',
  usage: USAGE,
  run,
};

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(
    args,
    {
      duration: { type: 'string' },
      interval: { type: 'string', default: '30s' },
      'sampling-interval': { type: 'string', default: '64KiB' },
      port: { type: 'string' },
      host: { type: 'string' },
      'allow-remote-inspector': { type: 'boolean', default: false },
      service: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'string' },
      html: { type: 'string' },
      'fail-on-leak': { type: 'boolean', default: false },
      quiet: { type: 'boolean', short: 'q', default: false },
    },
    'attach',
  );
  const target = targetOf(positionals, values.port, values.host);
  const intervalMs = parseDuration(values.interval, '--interval');
  const durationMs = values.duration === undefined ? undefined : parseDuration(values.duration, '--duration');
  const samplingIntervalBytes = parseBytes(values['sampling-interval'], '--sampling-interval');
  const startedAt = new Date();
  const outDir = values.out ?? join('.heapsleuth', `attach-${startedAt.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`);
  for (const [flag, path] of [['--json', values.json], ['--html', values.html]] as const) {
    if (path && path !== '-') writeOutput(path, '', flag, true);
  }

  // The --out folder is created with the recording, once attached: a pid that cannot be attached leaves nothing behind.
  // Signals are ours from the start: a Ctrl-C while attaching must still detach.
  const stop = new StopSignal();
  const onSignal = (signal: NodeJS.Signals) => stop.request(signal);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  try {
    let session: AttachSession;
    try {
      session = await AttachSession.open({
        target,
        samplingIntervalBytes,
        outDir,
        service: values.service,
        allowRemoteInspector: values['allow-remote-inspector'],
      });
    } catch (error) {
      if (error instanceof AttachError) throw new CliError(error.message, EXIT.usage);
      throw error;
    }
    process.stderr.write(`heapsleuth: ${attachedLine(session, target)}\n`);

    const progress = new RunProgress({ outDir, durationMs, intervalMs, startedAt: Date.now(), quiet: values.quiet });
    progress.start();
    let targetExited = false;
    let outcome: DetachOutcome;
    try {
      targetExited = await record(session, { intervalMs, durationMs, stop, progress });
    } finally {
      progress.stop();
      outcome = await session.detach(stop.reason ?? (targetExited ? 'target-exited' : 'stop'));
    }
    process.stderr.write(`heapsleuth: ${detachedLine(outcome, session, target)}\n`);
    if (outcome.inspector === 'target-exited') targetExited = true;

    const judged = await judgeRun(outDir, { json: values.json, html: values.html });
    if (judged.leak && values['fail-on-leak']) return EXIT.leak;
    if (judged.nothingRecorded && values['fail-on-leak']) return EXIT.noEvidence;
    return targetExited ? 4 : EXIT.ok;
  } finally {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeListener(signal, onSignal);
  }
}

/** Reads every interval until the duration ends, a stop signal comes, or the target goes. Returns whether the target went. */
async function record(
  session: AttachSession,
  options: { intervalMs: number; durationMs: number | undefined; stop: StopSignal; progress: RunProgress },
): Promise<boolean> {
  const { intervalMs, durationMs, stop, progress } = options;
  const start = Date.now();
  let lost = false;
  void session.lost.then(() => {
    lost = true;
    stop.request();
  });
  for (let k = 0; ; k++) {
    const due = start + k * intervalMs;
    if (durationMs !== undefined && due - start > durationMs) return false;
    await stop.wait(due - Date.now());
    if (lost) return noteLoss(progress);
    if (stop.requested) return false;
    try {
      await session.tick();
    } catch (error) {
      if (lost || (error instanceof AttachError && error.failure === 'target-gone') || (await session.isGone())) return noteLoss(progress);
      progress.note(`a read failed: ${error instanceof Error ? error.message : String(error)}; detaching`);
      return false;
    }
  }
}

function noteLoss(progress: RunProgress): true {
  progress.note('the process exited (or closed its inspector) while attached; judging what was recorded');
  return true;
}

function targetOf(positionals: string[], port: string | undefined, host: string | undefined): AttachTarget {
  if (port !== undefined) {
    if (positionals.length > 0) throw new CliError('attach: give a pid or --port, not both');
    if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) throw new CliError(`--port: not a port number: ${JSON.stringify(port)}`);
    return { host: host ?? '127.0.0.1', port: Number(port) };
  }
  if (host !== undefined) throw new CliError('--host goes with --port');
  if (positionals.length !== 1) throw new CliError("attach: give one pid, e.g. heapsleuth attach 4121, or --port 9229. See 'heapsleuth attach --help'.");
  const pid = positionals[0]!;
  if (!/^\d+$/.test(pid) || Number(pid) < 1) throw new CliError(`attach: not a pid: ${JSON.stringify(pid)}`);
  return { pid: Number(pid) };
}

function attachedLine(session: AttachSession, target: AttachTarget): string {
  const { identity, endpoint } = session;
  const where = hostPort(endpoint.boundAddress, endpoint.port);
  const how = endpoint.openedByUs ? 'opened for this session' : 'open before; it stays open';
  const pid = 'pid' in target ? target.pid : identity.pid;
  const shared = session.sharedSampling ? "; V8's sampling heap profiler was already running for another agent, its settings apply" : '';
  return `attached to pid ${pid} (node ${identity.version}) through its inspector on ${where} (${how})${shared}; recording to ${session.recordingPath}`;
}

function detachedLine(outcome: DetachOutcome, session: AttachSession, target: AttachTarget): string {
  const pid = 'pid' in target ? target.pid : session.identity.pid;
  switch (outcome.inspector) {
    case 'closed':
      return `detached; the inspector of pid ${pid} is closed again`;
    case 'left-open':
      return `detached; the inspector of pid ${pid} was open before and stays open`;
    case 'still-open':
      return `detached, but the inspector of pid ${pid} still listens on port ${session.endpoint.port}: close it by restarting the process, or run heapsleuth attach again and stop it`;
    case 'target-exited':
      return `pid ${pid} has exited`;
  }
}

/** A stop request (a signal, or the target going away) that wakes the waiting loop. */
class StopSignal {
  reason: string | undefined;
  requested = false;
  private wake: (() => void) | undefined;

  request(signal?: NodeJS.Signals): void {
    if (signal && !this.reason) this.reason = signal;
    this.requested = true;
    this.wake?.();
  }

  wait(ms: number): Promise<void> {
    if (this.requested || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wake = undefined;
        resolve();
      }
      this.wake = done;
    });
  }
}
